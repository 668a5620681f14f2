# @summary The parameters of one `clustersync::serverset`, as a value of the class's `serversets` hash.
type Clustersync::ServersetParams = Struct[{
  servers                   => Array[Clustersync::Server, 1],
  Optional[exclude]         => Array[String[1]],
  Optional[auto]            => Clustersync::Auto,
  Optional[key_source]      => Clustersync::KeySource,
  Optional[key_content]     => Variant[Clustersync::Key, Sensitive[Clustersync::Key]],
  Optional[csync2_template] => Clustersync::Template,
}]
