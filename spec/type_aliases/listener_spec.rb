require 'spec_helper'

describe 'Clustersync::Listener' do
  ['xinetd', 'systemd'].each do |value|
    it { is_expected.to allow_value(value) }
  end
  ['', 'inetd', 'standalone', 'Systemd'].each do |value|
    it { is_expected.not_to allow_value(value) }
  end
end
