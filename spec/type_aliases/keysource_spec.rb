require 'spec_helper'

describe 'Clustersync::KeySource' do
  ['puppet:///mnt/csync2_uploads.key', 'puppet:///modules/profile/k.key', 'puppet://server.example.net/mnt/k', 'file:///root/k.key', '/root/k.key'].each do |value|
    it { is_expected.to allow_value(value) }
  end
  ['', 'k.key', 'keys/k.key', 'http://example.net/k', 'puppet:///', 'file://host/k', 'puppet:///mnt/a key'].each do |value|
    it { is_expected.not_to allow_value(value) }
  end
end
