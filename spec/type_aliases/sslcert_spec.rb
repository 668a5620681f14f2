require 'spec_helper'

describe 'Clustersync::SslCert' do
  ["-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"].each do |value|
    it { is_expected.to allow_value(value) }
  end
  ['', 'MIIB', "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"].each do |value|
    it { is_expected.not_to allow_value(value) }
  end
end
