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
# @param database
#   The group's csync2 database, to receive the `clustersync_count` index (`db_index`) and
#   sqlite's write-ahead log (`db_wal`); `undef`: leave it alone.
# @param db_index
#   Add the `clustersync_count` index to `database` (the class's `csync_db_index`).
# @param db_wal
#   Put `database` in sqlite's write-ahead-log journal mode (the class's `csync_db_wal`).
define clustersync::config::group (
  Stdlib::Absolutepath $config_file,
  Stdlib::Absolutepath $key_file,
  Array[Stdlib::Absolutepath] $source_paths,
  String $content,
  Optional[Stdlib::Absolutepath] $database = undef,
  Boolean $db_index = false,
  Boolean $db_wal = false,
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
  # A Sensitive source too: Puppet then logs and reports "changed [redacted] to [redacted]"
  # instead of the key's SHA-256; no backup keeps an old key in the filebucket.
  if $set['key_content'] =~ NotUndef {
    file { $key_file:
      ensure    => file,
      owner     => 'root',
      group     => 'root',
      mode      => '0600',
      show_diff => false,
      backup    => false,
      content   => Sensitive.new($set['key_content'].unwrap),
    }
  } else {
    file { $key_file:
      ensure    => file,
      owner     => 'root',
      group     => 'root',
      mode      => '0600',
      show_diff => false,
      backup    => false,
      source    => Sensitive($set['key_source']),
    }
  }

  # csync2 2.0 counts its file table at the start of every run; sqlite counts through the
  # smallest index, and this one holds row ids only (see the class's csync_db_index). csync2
  # never sets a journal mode: in write-ahead-log mode each of the commits its -B runs make
  # appends to one log instead of creating and deleting a rollback journal (csync_db_wal); the
  # mode is kept in the database file. A csync2 run that opens the database first creates it
  # when missing (-M only lists; it exits 2 when nothing is dirty). sqlite3 waits up to a minute
  # for a running csync2 to let go of the database; the listener and lsyncd's runs wait for it
  # the same way. `unless` prints one word per wanted property, in this order.
  if $database =~ NotUndef and ($db_index or $db_wal) {
    $node_flag = $clustersync::node_name ? {
      undef   => '',
      default => " -N ${shell_escape($clustersync::node_name)}",
    }
    $csync2 = "${shell_escape($clustersync::csync2_bin)} -C ${shell_escape($title)}${node_flag}"
    $db = shell_escape($database)
    $wanted = [
      if $db_index {
        ["'CREATE INDEX IF NOT EXISTS clustersync_count ON file(0)'",
          "\"SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'clustersync_count'\"", 'clustersync_count']
      },
      if $db_wal { ["'PRAGMA journal_mode = WAL'", "'PRAGMA journal_mode'", 'wal'] },
    ].filter |$w| { $w =~ NotUndef }
    $change = $wanted.map |$w| { $w[0] }.join(' ')
    $query = $wanted.map |$w| { $w[1] }.join(' ')
    $expect = $wanted.map |$w| { $w[2] }.join(' ')
    exec { "clustersync: tune the csync2 database of ${title}":
      command  => [
        "${csync2} -M >/dev/null 2>&1;",
        "test -s ${db} || { echo 'clustersync: csync2 created no database' ${db} >&2; exit 1; };",
        "sqlite3 -batch -cmd '.timeout 60000' ${db} ${change} >/dev/null",
      ].join(' '),
      unless   => "test \"$(sqlite3 -batch -readonly -cmd '.timeout 10000' ${db} ${query} 2>/dev/null | tr '\\n' ' ')\" = '${expect} '",
      provider => shell,
      path     => ['/usr/bin', '/bin', '/usr/sbin', '/sbin'],
      require  => [File[$config_file], File[$key_file]],
    }
  }
}
