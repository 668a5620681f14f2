# @summary Installs csync2, lsyncd and, for the xinetd listener, xinetd.
#
# @api private
class clustersync::install {
  assert_private()

  if $clustersync::manage_packages {
    $packages = $clustersync::listener ? {
      'xinetd' => ['csync2', 'lsyncd', 'xinetd'],
      default  => ['csync2', 'lsyncd'],
    }
    package { $packages:
      ensure => installed,
    }
  }
}
