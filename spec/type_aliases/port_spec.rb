require 'spec_helper'

describe 'Clustersync::Port' do
  [30865, '30865', 1, 65535, '99999'].each do |value|
    it { is_expected.to allow_value(value) }
  end
  [0, 65536, -1, '', '030865', 'http', '30865 ', 3.5].each do |value|
    it { is_expected.not_to allow_value(value) }
  end
end
