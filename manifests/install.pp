# @summary Installs csync2, lsyncd and, for the xinetd listener, xinetd; sqlite3 for `csync_db_index` and `csync_db_wal`.
#
# csync2's database directory is made root-only (0700): its databases name every synced file,
# and csync2 creates them world-readable.
#
# @api private
class clustersync::install {
  assert_private()

  if $clustersync::manage_packages {
    $listener = $clustersync::listener ? {
      'xinetd' => ['xinetd'],
      default  => [],
    }
    $sqlite = ($clustersync::csync_db_index or $clustersync::csync_db_wal) ? {
      false   => [],
      default => $facts.dig('os', 'family') ? { 'RedHat' => ['sqlite'], default => ['sqlite3'] },
    }
    $packages = ['csync2', 'lsyncd'] + $listener + $sqlite
    package { $packages:
      ensure => installed,
    }
  }

  if $clustersync::manage_helper {
    package { 'clustersync-helper':
      ensure => installed,
    }
  }

  file { $clustersync::csync2_db_dir:
    ensure => directory,
    owner  => 'root',
    group  => 'root',
    mode   => '0700',
  }
  if $clustersync::manage_packages {
    Package['csync2'] -> File[$clustersync::csync2_db_dir]
  }
}
