# @summary Keeps directories identical across servers: lsyncd watches them, csync2 pushes each change.
#
# Declare the class once, with every directory to sync and the serverset that syncs it, and one
# `clustersync::serverset` per set of servers (or give them in `serversets`; both forms mix).
# The compiled helper `clustersync-helper` (at `helper_path` on the machine that compiles the
# catalog) validates the whole model and renders the csync2 and lsyncd files; its error messages
# fail the compilation unchanged.
#
# A node gets only the serversets it is a member of, by its csync2 host name (`node_name`, else
# the `clustersync` fact's `hostname`, else Facter's `networking.hostname`). A node that is a
# member of no serverset gets a notice at compile time, no csync2 group and no lsyncd sync.
#
# Serversets must be declared by the main manifest, by a class, or by a defined type declared
# from one of those: the model is built one evaluation pass after the class.
#
# @example The original module's example
#   file { ['/var/uploads', '/etc/serverd']:
#     ensure => directory,
#   }
#   class { 'clustersync':
#     sources         => {
#       '/var/uploads' => 'uploads',
#       '/etc/serverd' => 'serverd',
#     },
#     csync_only_from => '10.0.100.0/24 10.0.200.0/24',
#   }
#   clustersync::serverset { 'uploads':
#     servers    => ['foo.example.net@10.0.100.1', 'bar.example.net@10.0.100.2', 'baz.example.net@10.0.100.3'],
#     key_source => 'puppet:///mnt/csync2_uploads.key',
#   }
#   clustersync::serverset { 'serverd':
#     servers    => ['barium.example.net', 'sodium.example.net'],
#     key_source => 'puppet:///mnt/csync2_serverd.key',
#   }
#
# @example Everything from Hiera, with SSL and a systemd socket listener
#   clustersync::sources:
#     /var/uploads: uploads
#   clustersync::listener: systemd
#   clustersync::csync_only_from: 10.0.100.0/24
#   clustersync::ssl: true
#   clustersync::ssl_cert: "-----BEGIN CERTIFICATE-----\n..."
#   clustersync::ssl_key: ENC[PKCS7,...]
#   clustersync::serversets:
#     uploads:
#       servers: [foo.example.net@10.0.100.1, bar.example.net@10.0.100.2]
#       key_content: ENC[PKCS7,...]
#
# @param sources
#   Directories to sync: absolute path => name of the serverset that syncs it. The module does not
#   create these directories: declare a `file` resource for each.
# @param logdir_owner
#   Owner of lsyncd's log directory.
# @param logdir_group
#   Group of lsyncd's log directory.
# @param logdir_mode
#   Mode of lsyncd's log directory, an octal string.
# @param csync_port
#   TCP port of the csync2 listener on every member (`'30865'` and `30865` are both accepted).
# @param csync_only_from
#   Addresses and CIDR blocks, separated by spaces, the listener accepts connections from.
#   undef: the addresses of the members of this node's serversets when every one is given as
#   `host@address`; otherwise any address, with a warning naming the servers without one.
# @param lsyncd_template
#   Template for lsyncd's config instead of the helper's (ERB through `template()` when it ends in
#   `.erb`, else EPP through `epp()`). It gets `sources` (path => serverset name, only the
#   serversets this node is a member of), `node_name`, `csync2_bin`, `csync2_dir` and `logdir`.
# @param serversets
#   Serversets to declare, name => parameters of `clustersync::serverset`; for Hiera users.
#   Separately declared `clustersync::serverset` resources work alongside. A `key_content` given
#   here as a plain string is passed on as Sensitive. The whole hash may be Sensitive (Hiera's
#   `lookup_options: {clustersync::serversets: {convert_to: Sensitive}}`), which keeps the keys
#   out of the class's parameters in the catalog as well.
# @param helper_path
#   Absolute path of `clustersync-helper` on the machine that compiles the catalog (the Puppet
#   server, or the node under `puppet apply`); the default is where its package installs it.
#   The compile fails with a message naming the path and the user when it cannot run it.
# @param manage_helper
#   Install the `clustersync-helper` package on every node (from the node's package
#   repositories; `scripts/package` builds it), so the external fact and `doctor` are complete
#   there, and so that the package's `csync2-wait.so` lets the push lanes run in parallel,
#   spares each of lsyncd's csync2 runs a count of the whole file table, and keeps csync2 from
#   writing through a link a local user made in a synced tree or waiting for good on a FIFO
#   (README: without it, csync2 2.0's listener writes as root through such links).
# @param node_name
#   The node's csync2 host name, when it differs from the host name csync2 sees; passed as `-N`
#   to the csync2 listener and to every csync2 run lsyncd starts. With `-N`, csync2 binds its
#   outgoing connections to the address this name resolves to, so on the node itself it must
#   resolve to the address its peers see (not 127.0.1.1).
# @param listener
#   What starts the csync2 listener: `xinetd` (its own `/etc/xinetd.d/csync2`, as the original) or
#   `systemd` (a `csync2.socket` unit with `IPAddressAllow=` from `csync_only_from`). With
#   `manage_services`, the xinetd listener stops `csync2.socket` on systemd hosts; after a switch
#   from xinetd to systemd, remove `/etc/xinetd.d/csync2` (it would hold the port).
# @param ssl
#   Encrypt csync2's traffic with one certificate and key shared by all members (csync2 pins a
#   peer's certificate, and per-host self-signed ones fail). `false` writes `nossl * *;` (as the
#   original): the pre-shared key then only authenticates.
# @param ssl_cert
#   The shared PEM certificate, written to `<csync2_dir>/csync2_ssl_cert.pem`; needs `ssl` and
#   `ssl_key`. Without both, the module leaves those two files to you.
# @param ssl_key
#   The shared PEM private key, written to `<csync2_dir>/csync2_ssl_key.pem` (root, 0600); needs
#   `ssl` and `ssl_cert`.
# @param manage_packages
#   Install csync2, lsyncd and (for the xinetd listener) xinetd.
# @param manage_services
#   Run and enable lsyncd (on members) and the listener's service (xinetd or `csync2.socket`).
# @param lsyncd_delay
#   Seconds lsyncd gathers events before one csync2 run (at most 3 decimals), while changes keep
#   coming: the first change after a quiet spell (no run of the source for that long) waits at
#   most 0.05 s, so a lone change reaches the peers in about a fifth of a second whatever the
#   delay, and a file's creation and the end of its writing still make one run. A larger value
#   spends less CPU per file under a steady stream of writes (docs/benchmarks-delay.md); 0
#   checks each event at once.
# @param csync_tempdir
#   Where csync2 writes its scratch files (received data, signatures, deltas) instead of beside
#   each file, where lsyncd would see every one of them: `tempdir` in each group file. The module
#   creates the directory, root-only (0700). Within a source it is not used for that serverset
#   (the helper warns). A directory on the sources' filesystem lets csync2 rename a received file
#   into place; on another one it truncates and copies instead, and the directory needs room for
#   the largest file in transit. `false`: no `tempdir`, scratch files beside each file.
# @param csync_db_index
#   Add a one-column index (`clustersync_count`) to each serverset's csync2 database, through which
#   sqlite counts the recorded files at the start of every csync2 run: less CPU per change on
#   large trees (docs/benchmarks.md). csync2 ignores the index. Needs the `sqlite3` program
#   (installed with `manage_packages`). `false` leaves the database as csync2 made it (an index
#   already there stays).
# @param csync_db_wal
#   Put each serverset's csync2 database in sqlite's write-ahead-log journal mode, so each commit
#   of the module's csync2 runs (`-B`: every change at once) appends to one log instead of
#   creating and deleting a rollback journal: less CPU per pushed file (docs/benchmarks.md). The
#   mode is kept in the database file. Needs the `sqlite3` program (installed with
#   `manage_packages`). `false` leaves the mode as it is.
# @param logdir
#   lsyncd's log and status directory.
# @param csync2_dir
#   Where csync2 reads `csync2_NAME.cfg`: csync2's compiled-in directory (`/etc` on Debian, `/etc/csync2`
#   on RHEL), from module data. Change it only for a csync2 built with another one.
# @param lsyncd_config
#   The file the lsyncd service reads; from module data.
# @param csync2_bin
#   The csync2 executable; from module data.
# @param csync2_db_dir
#   Where csync2 keeps its databases (`<node>_<serverset>.db3`): csync2's compiled-in directory,
#   from module data.
class clustersync (
  Clustersync::Listener $listener,
  Stdlib::Absolutepath $csync2_dir,
  Stdlib::Absolutepath $lsyncd_config,
  Stdlib::Absolutepath $csync2_bin,
  Stdlib::Absolutepath $csync2_db_dir,
  Clustersync::Sources $sources = {},
  Clustersync::PosixName $logdir_owner = 'root',
  Clustersync::PosixName $logdir_group = 'root',
  Clustersync::Mode $logdir_mode = '0755',
  Clustersync::Port $csync_port = 30865,
  Optional[Clustersync::OnlyFrom] $csync_only_from = undef,
  Optional[Clustersync::Template] $lsyncd_template = undef,
  Variant[
    Hash[Clustersync::Name, Clustersync::ServersetParams],
    Sensitive[Hash[Clustersync::Name, Clustersync::ServersetParams]]
  ] $serversets = {},
  Stdlib::Absolutepath $helper_path = '/usr/bin/clustersync-helper',
  Boolean $manage_helper = false,
  Optional[Clustersync::Host] $node_name = undef,
  Boolean $ssl = false,
  Optional[Clustersync::SslCert] $ssl_cert = undef,
  Optional[Variant[Clustersync::SslKey, Sensitive[Clustersync::SslKey]]] $ssl_key = undef,
  Boolean $manage_packages = true,
  Boolean $manage_services = true,
  Clustersync::Delay $lsyncd_delay = 0.2,
  Variant[Stdlib::Absolutepath, Boolean[false]] $csync_tempdir = '/var/lib/csync2/clustersync-tmp',
  Boolean $csync_db_index = true,
  Boolean $csync_db_wal = true,
  Stdlib::Absolutepath $logdir = '/var/log/lsyncd',
) {
  if ($ssl_cert =~ Undef) != ($ssl_key =~ Undef) {
    fail('Class[Clustersync]: ssl_cert and ssl_key go together (one certificate and key shared by all members)')
  }
  if !$ssl and ($ssl_cert =~ NotUndef or $ssl_key =~ NotUndef) {
    fail('Class[Clustersync]: ssl_cert and ssl_key are used only with ssl => true')
  }

  # The name csync2 compares with the `host` entries: what membership is decided by.
  $csync2_host = pick($node_name, $facts.dig('clustersync', 'hostname'), $facts.dig('networking', 'hostname'))

  # A whole hash given as Sensitive (Hiera's `convert_to: Sensitive`) keeps the catalog's class
  # parameter redacted; its keys are declared Sensitive like a plain string's.
  $serverset_params = $serversets ? {
    Sensitive => $serversets.unwrap,
    default   => $serversets,
  }
  # A key given as a plain string becomes Sensitive here, so the serverset resource never holds it in clear.
  $serverset_params.each |$name, $params| {
    clustersync::serverset { $name:
      * => $params.map |$key, $value| {
        [$key, if $key == 'key_content' and $value =~ String { Sensitive($value) } else { $value }]
      }.convert_to(Hash),
    }
  }

  contain clustersync::install

  # A defined type, not a class: its body runs after the main manifest, when every serverset
  # exists. It also declares the listener (whom it accepts depends on the serversets).
  clustersync::config { 'clustersync': }

  Class['clustersync::install'] -> Class['clustersync::listener']
  Class['clustersync::install'] -> Clustersync::Config['clustersync']
}
