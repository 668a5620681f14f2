# @summary Where the pre-shared key file comes from: a `puppet:///` URL, a `file:///` URL or an
#   absolute path on the node (anything a file resource's `source` takes).
type Clustersync::KeySource = Variant[
  Pattern[/\Apuppet:\/\/[^\/\s]*\/\S+\z/],
  Pattern[/\Afile:\/\/\/\S+\z/],
  Stdlib::Unixpath,
]
