require 'spec_helper'

describe 'Clustersync::Auto' do
  ['none', 'first', 'younger', 'older', 'bigger', 'smaller', 'left', 'right'].each do |value|
    it { is_expected.to allow_value(value) }
  end
  ['', 'None', 'sometimes', 'newer'].each do |value|
    it { is_expected.not_to allow_value(value) }
  end
end
