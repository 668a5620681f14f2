# @summary The csync2 config and key of one serverset this node is a member of.
#
# A defined type titled by the serverset, so that an ERB `csync2_template` sees `@title`,
# `@servers`, `@source_paths`, `@exclude` and `@auto` as the original module's template did.
#
# @api private
#
# @param config_file
#   Where csync2 reads the group's config (`<csync2_dir>/csync2_TITLE.cfg`), as the helper planned it.
# @param key_file
#   Where the group's pre-shared key goes (`<csync2_dir>/csync2_TITLE.key`), as the helper planned it.
# @param source_paths
#   The serverset's sources, normalised and sorted by the helper.
# @param content
#   The config the helper rendered; used unless the serverset has a `csync2_template`.
define clustersync::config::group (
  Stdlib::Absolutepath $config_file,
  Stdlib::Absolutepath $key_file,
  Array[Stdlib::Absolutepath] $source_paths,
  String $content,
) {
  assert_private()

  $set = Clustersync::Serverset[$title]
  $servers = $set['servers']
  $exclude = $set['exclude']
  $auto = $set['auto']
  $ssl = $clustersync::ssl

  $config_content = $set['csync2_template'] ? {
    undef     => $content,
    /\.erb\z/ => template($set['csync2_template']),
    default   => epp($set['csync2_template'], {
        'title'        => $title,
        'servers'      => $servers,
        'source_paths' => $source_paths,
        'exclude'      => $exclude,
        'auto'         => $auto,
        'key_file'     => $key_file,
        'ssl'          => $ssl,
    }),
  }

  file { $config_file:
    ensure  => file,
    owner   => 'root',
    group   => 'root',
    mode    => '0644',
    content => $config_content,
  }

  # The key itself never enters the helper's model: only this resource holds it, as Sensitive.
  if $set['key_content'] =~ NotUndef {
    file { $key_file:
      ensure    => file,
      owner     => 'root',
      group     => 'root',
      mode      => '0600',
      show_diff => false,
      content   => Sensitive.new($set['key_content'].unwrap),
    }
  } else {
    file { $key_file:
      ensure    => file,
      owner     => 'root',
      group     => 'root',
      mode      => '0600',
      show_diff => false,
      source    => $set['key_source'],
    }
  }
}
