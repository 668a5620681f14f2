require 'spec_helper'

describe 'Clustersync::Mode' do
  ['0755', '755', '0700', '0640'].each do |value|
    it { is_expected.to allow_value(value) }
  end
  ['', '75', '0758', '07555', 'rwxr-xr-x', 755, '0o755'].each do |value|
    it { is_expected.not_to allow_value(value) }
  end
end
