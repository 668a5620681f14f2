require 'spec_helper'

describe 'Clustersync::Name' do
  it_behaves_like 'a csync2 rule', 'name', [1]
end
