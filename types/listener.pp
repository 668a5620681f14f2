# @summary How the csync2 listener is started: by xinetd (as the original) or a systemd socket with an allow-list.
type Clustersync::Listener = Enum['xinetd', 'systemd']
