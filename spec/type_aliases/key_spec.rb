require 'spec_helper'

describe 'Clustersync::Key' do
  ['a' * 32, 'A0._' * 16, "#{'k' * 64}\n", "#{'k' * 64}\nanything else\r\n"].each do |value|
    it { is_expected.to allow_value(value) }
  end
  ['', 'a' * 31, "#{'k' * 64}\r\n", "#{'k' * 31}-", "\n#{'k' * 64}", "#{'k' * 40} x"].each do |value|
    it { is_expected.not_to allow_value(value) }
  end
end
