require 'spec_helper'

describe 'Clustersync::ServersetParams' do
  [{ 'servers' => ['a', 'b'], 'key_source' => '/k' }, { 'servers' => ['a@10.0.0.1'], 'exclude' => ['*.tmp'], 'auto' => 'younger', 'key_content' => 'k' * 32, 'csync2_template' => 'profile/c.erb' }].each do |value|
    it { is_expected.to allow_value(value) }
  end
  [{}, { 'servers' => [] }, { 'servers' => ['a'], 'key' => 'x' }, { 'servers' => ['a'], 'auto' => 'sometimes' }, { 'servers' => ['a'], 'key_content' => 'short' }].each do |value|
    it { is_expected.not_to allow_value(value) }
  end
end
