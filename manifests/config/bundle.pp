# @summary Builds the model, has the helper validate and render it in one run, declares the node's files.
#
# The model holds no secret: a serverset given `key_content` appears with `key_content: true` and
# the key file is written here from the Sensitive value.
#
# @api private
define clustersync::config::bundle {
  assert_private()

  $helper = $clustersync::helper_path
  $node = $clustersync::csync2_host

  # Serversets are found by name: those the sources use and those the class declared.
  $names = unique($clustersync::sources.values + $clustersync::serverset_params.keys).sort
  $serversets = $names.filter |$name| { defined(Clustersync::Serverset[$name]) }.reduce({}) |$memo, $name| {
    $set = Clustersync::Serverset[$name]
    $memo + {
      $name => {
        'servers'     => $set['servers'],
        'exclude'     => $set['exclude'],
        'auto'        => $set['auto'],
        'key_source'  => $set['key_source'],
        'key_content' => if $set['key_content'] =~ NotUndef { true },
      }.filter |$key, $value| { $value =~ NotUndef },
    }
  }

  $model = {
    'node'            => $node,
    # -N only for an explicit node_name: with -N csync2 binds its connections to that name's address.
    'node_name_flag'  => $clustersync::node_name =~ NotUndef,
    'layout'          => {
      'csync2_dir'    => $clustersync::csync2_dir,
      'lsyncd_config' => $clustersync::lsyncd_config,
      'csync2_bin'    => $clustersync::csync2_bin,
    },
    'sources'         => $clustersync::sources,
    'logdir'          => $clustersync::logdir,
    'logdir_owner'    => $clustersync::logdir_owner,
    'logdir_group'    => $clustersync::logdir_group,
    'logdir_mode'     => $clustersync::logdir_mode,
    'csync_port'      => $clustersync::csync_port,
    'csync_only_from' => $clustersync::csync_only_from,
    'lsyncd_delay'    => $clustersync::lsyncd_delay,
    'csync_tempdir'   => $clustersync::csync_tempdir,
    'ssl'             => $clustersync::ssl,
    'serversets'      => $serversets,
  }.filter |$key, $value| { $value =~ NotUndef }

  # generate() fails on a missing or non-executable command with a raw error that names
  # neither the parameter nor the user; say what is wrong and what to do instead.
  $helper_problem = clustersync::helper_problem($helper)
  if $helper_problem =~ NotUndef {
    fail(@("MESSAGE"/L))
      Class[Clustersync]: helper_path: '${helper}' ${helper_problem}: install the clustersync-helper \
      package there (scripts/package builds it), or set helper_path
      |- MESSAGE
  }

  # The kernel limits one argument to 128 KiB; 30,000 characters stay below it even in 4-byte UTF-8.
  $json = to_json($model)
  $chunk = 30000
  $args = (($json.length + $chunk - 1) / $chunk).map |$i| { ['--model-json', $json[$i * $chunk, $chunk]] }.flatten
  $output = generate($helper, 'bundle', *$args)
  $bundle = parsejson($output, undef)
  $bundle_type = Struct[{
    'errors'     => Array[String],
    'warnings'   => Array[String],
    'node'       => String,
    'only_from'  => Optional[String[1]],
    'serversets' => Array[Struct[{
          'name'              => Clustersync::Name,
          'config_file'       => Stdlib::Absolutepath,
          'key_file'          => Stdlib::Absolutepath,
          'database_file'     => String[1],
          'sources'           => Array[Stdlib::Absolutepath],
          Optional['tempdir'] => Stdlib::Absolutepath,
    }]],
    'files'      => Array[Struct[{ 'id' => String[1], 'path' => Stdlib::Absolutepath, 'content' => String }]],
  }]
  unless $bundle =~ $bundle_type {
    fail("Class[Clustersync]: helper_path: '${helper}' did not print a bundle: ${output}")
  }

  unless $bundle['errors'].empty {
    fail($bundle['errors'].map |$error| { "Class[Clustersync]: ${error}" }.join("\n"))
  }
  $bundle['warnings'].each |$warning| {
    warning("Class[Clustersync]: ${warning}")
  }

  $files = $bundle['files'].reduce({}) |$memo, $file| { $memo + { $file['id'] => $file } }
  $member_of = $bundle['serversets'].map |$group| { $group['name'] }

  file { $clustersync::logdir:
    ensure => directory,
    owner  => $clustersync::logdir_owner,
    group  => $clustersync::logdir_group,
    mode   => $clustersync::logdir_mode,
  }

  if $member_of.empty {
    notice(@("MESSAGE"/L))
      Clustersync: node '${node}' is a member of no serverset with sources (${names.join(', ')}): \
      no csync2 group and no lsyncd sync here
      |- MESSAGE
  } else {
    $bundle['serversets'].each |$group| {
      $name = $group['name']
      clustersync::config::group { $name:
        config_file  => $group['config_file'],
        key_file     => $group['key_file'],
        source_paths => $group['sources'],
        content      => $files["csync2:${name}"]['content'],
        # The helper names the file (csync2's rule); the directory is the class's.
        database     => "${clustersync::csync2_db_dir}/${group['database_file']}",
        db_index     => $clustersync::csync_db_index,
        db_wal       => $clustersync::csync_db_wal,
        before       => Class['clustersync::service'],
      }
    }

    # csync2's scratch files: root-only, since they hold the content of files in transit.
    $bundle['serversets'].map |$group| { $group['tempdir'] }.filter |$dir| { $dir =~ NotUndef }.unique.each |$dir| {
      file { $dir:
        ensure => directory,
        owner  => 'root',
        group  => 'root',
        mode   => '0700',
        before => Class['clustersync::service'],
      }
    }

    if $clustersync::ssl and $clustersync::ssl_cert =~ NotUndef {
      file { "${clustersync::csync2_dir}/csync2_ssl_cert.pem":
        ensure  => file,
        owner   => 'root',
        group   => 'root',
        mode    => '0644',
        content => $clustersync::ssl_cert,
        before  => Class['clustersync::service'],
      }
      file { "${clustersync::csync2_dir}/csync2_ssl_key.pem":
        ensure    => file,
        owner     => 'root',
        group     => 'root',
        mode      => '0600',
        show_diff => false,
        backup    => false,
        content   => Sensitive.new($clustersync::ssl_key.unwrap),
        before    => Class['clustersync::service'],
      }
    }

    # The names the override template sees, as the original's lsyncd template used them.
    $sources = $clustersync::sources.filter |$path, $name| { $name in $member_of }
    $node_name = $node
    $csync2_bin = $clustersync::csync2_bin
    $csync2_dir = $clustersync::csync2_dir
    $logdir = $clustersync::logdir
    $lsyncd_content = $clustersync::lsyncd_template ? {
      undef     => $files['lsyncd']['content'],
      /\.erb\z/ => template($clustersync::lsyncd_template),
      default   => epp($clustersync::lsyncd_template, {
          'sources'    => $sources,
          'node_name'  => $node_name,
          'csync2_bin' => $csync2_bin,
          'csync2_dir' => $csync2_dir,
          'logdir'     => $logdir,
      }),
    }
    $lsyncd_dir = $clustersync::lsyncd_config.regsubst(/\/[^\/]+\z/, '')
    if $lsyncd_dir != '/etc' {
      file { $lsyncd_dir:
        ensure => directory,
        owner  => 'root',
        group  => 'root',
        mode   => '0755',
      }
    }
    file { $clustersync::lsyncd_config:
      ensure  => file,
      owner   => 'root',
      group   => 'root',
      mode    => '0644',
      content => $lsyncd_content,
      notify  => Class['clustersync::service'],
    }
  }

  class { 'clustersync::service':
    lsyncd_running => !$member_of.empty,
  }
  contain clustersync::service

  # Declared here, once the helper has said whom it accepts: csync_only_from, else the
  # addresses of this node's serversets' members when every one has host@address (a warning
  # above when not: the listener then accepts any address).
  class { 'clustersync::listener':
    only_from => $bundle['only_from'],
  }
  contain clustersync::listener

  File[$clustersync::logdir] -> Class['clustersync::service']
}
