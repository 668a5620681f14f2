require 'spec_helper'

describe 'Clustersync::Host' do
  ['foo', 'foo.example.net', 'FOO.Example.NET', 'a-b.c', '1host', 'x' * 63].each do |value|
    it { is_expected.to allow_value(value) }
  end
  ['', 'foo bar', '-foo', 'foo-', 'foo..net', 'foo.', 'foo_bar', 'x' * 64, 'foo@10.0.0.1', "foo\n"].each do |value|
    it { is_expected.not_to allow_value(value) }
  end
end
