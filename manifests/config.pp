# @summary Waits one evaluation pass, then builds the model (see `clustersync::config::bundle`).
#
# Puppet evaluates defined types after the main manifest, in passes, in the order they were
# declared. The class declares this resource before the serversets that follow it in a manifest,
# so this body may run before theirs; the bundle it declares runs in the next pass, after every
# serverset has checked its parameters and received its defaults.
#
# @api private
define clustersync::config {
  assert_private()

  clustersync::config::bundle { $title: }
}
