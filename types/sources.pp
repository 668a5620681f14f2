# @summary The directories to sync: absolute path => name of the serverset that syncs it.
type Clustersync::Sources = Hash[Stdlib::Unixpath, Clustersync::Name]
