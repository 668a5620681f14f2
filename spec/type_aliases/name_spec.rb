require 'spec_helper'
require 'json'

# The cases are shared with the helper's own name rule (unittest/test_csync2_rules.cpp).
describe 'Clustersync::Name' do
  cases = JSON.parse(File.read(File.expand_path('../../unittest/csync2_rules_cases.json', __dir__)))['name']

  cases['accepted'].each do |value|
    it { is_expected.to allow_value(value) }
  end
  (cases['rejected'] + [1]).each do |value|
    it { is_expected.not_to allow_value(value) }
  end
end
