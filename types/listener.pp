# @summary How the csync2 listener is started: by xinetd (as the original module) or by a
#   systemd socket unit with an address allow-list.
type Clustersync::Listener = Enum['xinetd', 'systemd']
