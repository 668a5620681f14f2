require 'spec_helper'

describe 'Clustersync::Template' do
  ['clustersync/lsyncd.conf.erb', 'profile/csync2.cfg.epp', 'my_mod/sub/x.erb'].each do |value|
    it { is_expected.to allow_value(value) }
  end
  ['', 'lsyncd.erb', '/etc/lsyncd.erb', 'Profile/x.erb', 'profile/a b.erb'].each do |value|
    it { is_expected.not_to allow_value(value) }
  end
end
