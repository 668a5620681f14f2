require 'spec_helper'

describe 'Clustersync::PosixName' do
  ['root', 'www-data', '_apt', 'user1', 'machine$'].each do |value|
    it { is_expected.to allow_value(value) }
  end
  ['', 'Root', '1user', 'a b', 'a' * 33, 'user:group'].each do |value|
    it { is_expected.not_to allow_value(value) }
  end
end
