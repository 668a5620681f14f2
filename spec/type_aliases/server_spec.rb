require 'spec_helper'

describe 'Clustersync::Server' do
  ['foo', 'foo.example.net', 'foo.example.net@10.0.100.1', 'foo@bar.example.net', 'foo@fd00::1', 'foo@::1'].each do |value|
    it { is_expected.to allow_value(value) }
  end
  ['', 'foo bar', 'foo@', '@10.0.0.1', 'foo@10.0.0.1@x', 'foo@10.0.0.1:30865x', 'foo;', "foo\n"].each do |value|
    it { is_expected.not_to allow_value(value) }
  end
end
