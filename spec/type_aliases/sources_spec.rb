require 'spec_helper'

describe 'Clustersync::Sources' do
  [{}, { '/var/uploads' => 'uploads' }, { '/srv/a b' => 'x', '/' => 'y', '/srv/www/' => 'web' }].each do |value|
    it { is_expected.to allow_value(value) }
  end
  [{ 'var/uploads' => 'uploads' }, { '/var/uploads' => 'up_loads' }, { '/var/uploads' => ['uploads'] }, ['/var/uploads'], '/var/uploads'].each do |value|
    it { is_expected.not_to allow_value(value) }
  end
end
