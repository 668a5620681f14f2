# @summary Where the pre-shared key file comes from: a `puppet:///` URL, a `file:///` URL or an absolute path.
type Clustersync::KeySource = Variant[
  Pattern[/\Apuppet:\/\/[^\/\s]*\/\S+\z/],
  Pattern[/\Afile:\/\/\/\S+\z/],
  Stdlib::Unixpath,
]
