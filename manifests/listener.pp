# @summary The csync2 listener that receives pushes from the other members: xinetd or a systemd socket.
#
# It runs `flock -w 120 /var/lib/clustersync/csync2.lock csync2 -i -l -A [-N <node_name>]`
# through /var/lib/clustersync/csync2-listener (files/csync2-listener), which preloads
# csync2-wait.so when the helper's package has installed it, as the lsyncd action does for its
# own csync2 runs: the session then waits for the database instead of sleeping a second when
# the node's own pushes hold it, and does not count its file table at start. Each
# session holds the lock that the node's lsyncd checks take, so no check sees a file halfway
# through being received, nor a record the session has not committed yet (it commits at its end
# at the latest). So, unlike the runs lsyncd starts, it keeps csync2's default transactions (no
# `-B`): a session of many files commits every 1,000 statements or 3 s instead of every
# statement, which made a 2,000-file burst converge 18.8 -> 15.5 s (10,000 files) and
# 20.6 -> 13.1 s (50,000 files) in bench/cluster (docs/lsyncd-action.md). `-A` drops the fsync
# per commit. `-N` comes only with `node_name`, as for the lsyncd runs: otherwise csync2's own
# host name is the one the group files list this node under.
#
# @api private
#
# @param only_from
#   Whom the listener accepts, as the helper decided (undef: any address).
class clustersync::listener (
  Optional[String[1]] $only_from = undef,
) {
  assert_private()

  # The node's lock and lsyncd's lane state live here: root only, so no other user can open the
  # lock (and, holding it, stall every check and every listener session).
  $state_dir = '/var/lib/clustersync'
  file { $state_dir:
    ensure => directory,
    owner  => 'root',
    group  => 'root',
    mode   => '0700',
  }

  # The session script: constant; it tests for the library at every session (a missing
  # library would make ld.so print an error to the connection).
  $session = "${state_dir}/csync2-listener"
  file { $session:
    ensure  => file,
    require => File[$state_dir],
    owner   => 'root',
    group   => 'root',
    mode    => '0700',
    content => file('clustersync/csync2-listener'),
  }

  $params = {
    'csync2_bin' => $clustersync::csync2_bin,
    'lock'       => "${state_dir}/csync2.lock",
    'session'    => $session,
    'node_name'  => $clustersync::node_name,
    'port'       => Integer($clustersync::csync_port),
    'only_from'  => $only_from,
  }

  if $clustersync::listener == 'xinetd' {
    file { '/etc/xinetd.d/csync2':
      ensure  => file,
      require => File[$session],
      owner   => 'root',
      group   => 'root',
      mode    => '0644',
      content => epp('clustersync/xinetd-csync2.epp', $params),
    }
    if $clustersync::manage_services {
      # xinetd rereads its files on SIGHUP; a restart would also drop the transfers in progress.
      $reload = $facts['service_provider'] ? {
        'systemd' => 'systemctl reload xinetd',
        default   => '/etc/init.d/xinetd reload',
      }
      service { 'xinetd':
        ensure    => running,
        enable    => true,
        restart   => $reload,
        subscribe => File['/etc/xinetd.d/csync2'],
      }
      # The socket unit (Debian's, or this module's after a switch of listener) would hold the port.
      if $facts['service_provider'] == 'systemd' {
        service { 'csync2.socket':
          ensure => stopped,
          enable => false,
          before => Service['xinetd'],
        }
      }
    }
  } else {
    # Same names as the units Debian's csync2 ships, so these replace them instead of competing for the port.
    file { '/etc/systemd/system/csync2.socket':
      ensure  => file,
      owner   => 'root',
      group   => 'root',
      mode    => '0644',
      content => epp('clustersync/csync2.socket.epp', $params - ['lock', 'session']),
    }
    file { '/etc/systemd/system/csync2@.service':
      ensure  => file,
      require => File[$session],
      owner   => 'root',
      group   => 'root',
      mode    => '0644',
      content => epp('clustersync/csync2@.service.epp', $params),
    }
    if $clustersync::manage_services {
      service { 'csync2.socket':
        ensure    => running,
        enable    => true,
        subscribe => File['/etc/systemd/system/csync2.socket', '/etc/systemd/system/csync2@.service'],
      }
    }
  }
}
