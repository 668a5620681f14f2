require 'spec_helper'

describe 'Clustersync::OnlyFrom' do
  ['10.0.100.0/24', '10.0.100.0/24 10.0.200.0/24', '10.0.0.1', 'fd00::/8 10.0.0.1'].each do |value|
    it { is_expected.to allow_value(value) }
  end
  ['', ' 10.0.0.1', '10.0.0.1,10.0.0.2', '10.0.0.1 ', 'any', 'example.net'].each do |value|
    it { is_expected.not_to allow_value(value) }
  end
end
