require 'spec_helper'

describe 'Clustersync::Key' do
  it_behaves_like 'a csync2 rule', 'key'
end
