require 'spec_helper'

describe 'Clustersync::Delay' do
  [0, 1, 86400, '5'].each do |value|
    it { is_expected.to allow_value(value) }
  end
  [-1, 86401, '', 'soon', 1.5].each do |value|
    it { is_expected.not_to allow_value(value) }
  end
end
