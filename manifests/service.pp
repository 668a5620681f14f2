# @summary Runs lsyncd on a member of some serverset, and stops it on a node that syncs nothing.
#
# @api private
#
# @param lsyncd_running
#   Whether this node is a member of a serverset with sources (lsyncd has a config to run).
class clustersync::service (
  Boolean $lsyncd_running,
) {
  assert_private()

  if $clustersync::manage_services {
    service { 'lsyncd':
      ensure => $lsyncd_running,
      enable => $lsyncd_running,
    }
  }
}
