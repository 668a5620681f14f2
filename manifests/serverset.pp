# @summary A set of servers that keep some of the `clustersync` sources identical: one csync2 group.
#
# The title is the csync2 group and config name (`[a-z0-9]+`, a csync2 rule); the class's
# `sources` map directories to it. On a node that is one of `servers`, the module writes
# `<csync2_dir>/csync2_TITLE.cfg` and the key `<csync2_dir>/csync2_TITLE.key` (root, 0600),
# and lsyncd syncs the serverset's sources; other nodes get nothing of it.
#
# @example
#   clustersync::serverset { 'uploads':
#     servers    => ['foo.example.net@10.0.100.1', 'bar.example.net@10.0.100.2'],
#     exclude    => ['*.tmp', '/var/uploads/cache'],
#     auto       => 'younger',
#     key_source => 'puppet:///modules/profile/csync2_uploads.key',
#   }
#
# @param servers
#   The members: `hostname` or `hostname@address`. The host name must be what csync2 sees on that
#   server (the output of `hostname`, or its `node_name`); the address is where peers connect.
# @param exclude
#   csync2 exclude patterns: `/abs/path` excludes that subtree, other patterns match base names.
# @param auto
#   csync2's automatic conflict resolution; `none` leaves a conflict to `csync2 -f`.
# @param key_source
#   Where the pre-shared key file comes from (`puppet:///`, `file:///` or an absolute path);
#   mutually exclusive with `key_content`. `csync2 -k FILE` generates a key.
# @param key_content
#   The pre-shared key itself (Sensitive or a plain string); mutually exclusive with `key_source`.
#   Only its first line counts: at least 32 characters of `[A-Za-z0-9._]`.
# @param csync2_template
#   Template for the csync2 config instead of the helper's (ERB through `template()` when it ends in
#   `.erb`, else EPP through `epp()`). It gets `servers`, `source_paths` (sorted), `exclude`,
#   `auto`, `title`, `key_file` and `ssl`.
define clustersync::serverset (
  Array[Clustersync::Server, 1] $servers,
  Array[String[1]] $exclude = [],
  Clustersync::Auto $auto = 'none',
  Optional[Clustersync::KeySource] $key_source = undef,
  Optional[Variant[Clustersync::Key, Sensitive[Clustersync::Key]]] $key_content = undef,
  Optional[Clustersync::Template] $csync2_template = undef,
) {
  unless $title =~ Clustersync::Name {
    fail("Clustersync::Serverset[${title}]: the title is csync2's config name and must match [a-z0-9]+")
  }
  if $key_source =~ NotUndef and $key_content =~ NotUndef {
    fail("Clustersync::Serverset[${title}]: key_source and key_content are mutually exclusive")
  }
  if $key_source =~ Undef and $key_content =~ Undef {
    fail("Clustersync::Serverset[${title}]: one of key_source and key_content is required")
  }
  unless defined(Class['clustersync']) {
    fail("Clustersync::Serverset[${title}]: declare class clustersync too (it holds the sources)")
  }
}
