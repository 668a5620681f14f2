require 'spec_helper'

describe 'Clustersync::Name' do
  ['uploads', 'serverd', 'a', 'web2', '0'].each do |value|
    it { is_expected.to allow_value(value) }
  end
  ['', 'Uploads', 'up_loads', 'up-loads', 'up loads', "uploads\n", 1].each do |value|
    it { is_expected.not_to allow_value(value) }
  end
end
