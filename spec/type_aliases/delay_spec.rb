require 'spec_helper'

describe 'Clustersync::Delay' do
  [0, 1, 86400, '5', 0.2, 1.5, '0.25', '86400.0'].each do |value|
    it { is_expected.to allow_value(value) }
  end
  [-1, 86401, -0.1, 86400.5, '', 'soon', '.5', '1.', '0.0001', '1e-7'].each do |value|
    it { is_expected.not_to allow_value(value) }
  end
end
