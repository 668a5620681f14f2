require 'spec_helper'
require 'etc'

# The original README's example, verbatim (examples/init.pp holds the same text).
EXAMPLE = File.read(File.join(MODULE_ROOT, 'examples', 'init.pp'))
# A helper file the compiling user may read but not execute.
NOT_EXECUTABLE = File.join(WORK_DIR, 'not-executable-helper').tap do |path|
  File.write(path, "#!/bin/sh\n")
  File.chmod(0o644, path)
end
KEY = '0123456789abcdefghijABCDEFGHIJ.._0123456789abcdefghijABCDEFGHIJ'.freeze

DEBIAN_LAYOUT = { 'csync2_dir' => '/etc', 'lsyncd_config' => '/etc/lsyncd/lsyncd.conf.lua', 'csync2_bin' => '/usr/sbin/csync2' }.freeze
REDHAT_LAYOUT = { 'csync2_dir' => '/etc/csync2', 'lsyncd_config' => '/etc/lsyncd.conf', 'csync2_bin' => '/usr/sbin/csync2' }.freeze

# The model the module must hand the helper for the example on node `node`.
def example_model(node, layout = DEBIAN_LAYOUT, extra = {})
  {
    'node' => node,
    'node_name_flag' => false,
    'layout' => layout,
    'sources' => { '/var/uploads' => 'uploads', '/etc/serverd' => 'serverd' },
    'logdir' => '/var/log/lsyncd', 'logdir_owner' => 'root', 'logdir_group' => 'root', 'logdir_mode' => '0755',
    'csync_port' => 30865, 'csync_only_from' => '10.0.100.0/24 10.0.200.0/24', 'lsyncd_delay' => 0.2,
    'csync_tempdir' => '/var/lib/csync2/clustersync-tmp', 'ssl' => false,
    'serversets' => {
      'serverd' => { 'servers' => ['barium.example.net', 'sodium.example.net'], 'exclude' => [], 'auto' => 'none',
                     'key_source' => 'puppet:///mnt/csync2_serverd.key' },
      'uploads' => { 'servers' => ['foo.example.net@10.0.100.1', 'bar.example.net@10.0.100.2', 'baz.example.net@10.0.100.3'],
                     'exclude' => [], 'auto' => 'none', 'key_source' => 'puppet:///mnt/csync2_uploads.key' },
    },
  }.merge(extra)
end

UPLOADS = <<~PP.freeze
  clustersync::serverset { 'uploads':
    servers     => ['foo.example.net@10.0.100.1', 'bar.example.net@10.0.100.2'],
    key_content => Sensitive('#{KEY}'),
  }
PP

describe 'clustersync' do
  context 'with the original README example on a node in none of its serversets' do
    let(:facts) { ClustersyncFacts.debian('vm') }
    let(:pre_condition) { EXAMPLE }

    it { is_expected.to compile.with_all_deps }
    it { is_expected.to contain_package('csync2').with_ensure('installed') }
    it { is_expected.to contain_package('lsyncd').with_ensure('installed') }
    it { is_expected.to contain_package('xinetd').with_ensure('installed') }
    it 'runs the listener with -A (not -B) and without -N, on the port, for the allowed networks' do
      is_expected.to contain_file('/etc/xinetd.d/csync2')
        .with(owner: 'root', group: 'root', mode: '0644')
        .with_content(%r{^\tserver_args\t= -w 120 /var/lib/clustersync/csync2\.lock /usr/sbin/csync2 -i -l -A$})
        .with_content(%r{^\tport\t\t= 30865$})
        .with_content(%r{^\ttype\t\t= UNLISTED$})
        .with_content(%r{^\tonly_from\t= 10\.0\.100\.0/24 10\.0\.200\.0/24$})
        .with_content(%r{^\tdisable\t\t= no$})
        .that_notifies('Service[xinetd]')
    end
    it { is_expected.to contain_service('xinetd').with(ensure: 'running', enable: true, restart: 'systemctl reload xinetd') }
    it { is_expected.to contain_service('csync2.socket').with(ensure: 'stopped', enable: false).that_comes_before('Service[xinetd]') }
    it 'tells the node at compile time that it syncs nothing' do
      expect(compile_logs.map(&:message)).to include(%r{Clustersync: node 'vm' is a member of no serverset with sources \(serverd, uploads\)})
    end
    it { is_expected.not_to contain_file('/var/lib/csync2/clustersync-tmp') }
    it 'writes no csync2 group and stops lsyncd' do
      is_expected.not_to contain_file('/etc/csync2_uploads.cfg')
      is_expected.not_to contain_file('/etc/csync2_serverd.cfg')
      is_expected.not_to contain_file('/etc/lsyncd/lsyncd.conf.lua')
      is_expected.to contain_service('lsyncd').with(ensure: false, enable: false)
      is_expected.to contain_class('clustersync::service').with_lsyncd_running(false)
    end
    it { is_expected.to contain_file('/var/log/lsyncd').with(ensure: 'directory', owner: 'root', group: 'root', mode: '0755') }
    it { is_expected.to contain_class('clustersync::install').that_comes_before('Clustersync::Config[clustersync]') }
    it { is_expected.to contain_class('clustersync::install').that_comes_before('Class[clustersync::listener]') }
  end

  context 'with the original README example on foo.example.net (the host name from the clustersync fact)' do
    let(:facts) { ClustersyncFacts.debian('foo').merge('clustersync' => { 'hostname' => 'foo.example.net' }) }
    let(:pre_condition) { EXAMPLE }

    it { is_expected.to compile.with_all_deps }
    it 'writes the csync2 group the helper renders' do
      is_expected.to contain_file('/etc/csync2_uploads.cfg')
        .with(owner: 'root', group: 'root', mode: '0644')
        .with_content(helper_file(example_model('foo.example.net'), 'csync2:uploads'))
        .with_content(%r{^\thost foo\.example\.net@10\.0\.100\.1;$})
        .with_content(%r{^\tinclude /var/uploads;$})
        .with_content(%r{^\tkey /etc/csync2_uploads\.key;$})
        .with_content(%r{^nossl \* \*;$})
        .with_content(%r{^tempdir /var/lib/csync2/clustersync-tmp;$})
    end
    it 'restarts lsyncd for a change of its own config only (csync2 reads group files and keys on every run)' do
      notifiers = catalogue.resources.select do |r|
        [r[:notify]].flatten.compact.map(&:to_s).any? { |t| t.match?(%r{\AClass\[Clustersync::Service\]\z|\AService\[lsyncd\]\z}) }
      end
      subscribers = catalogue.resources.select { |r| r.type == 'Service' && r.title == 'lsyncd' }.flat_map { |r| [r[:subscribe]].flatten.compact }
      expect(notifiers.map(&:to_s)).to eq(['File[/etc/lsyncd/lsyncd.conf.lua]'])
      expect(subscribers).to be_empty
    end
    it 'creates the csync2 tempdir, root only, before lsyncd starts' do
      is_expected.to contain_file('/var/lib/csync2/clustersync-tmp')
        .with(ensure: 'directory', owner: 'root', group: 'root', mode: '0700')
        .that_comes_before('Class[clustersync::service]')
    end
    it 'copies the key from key_source, root only' do
      is_expected.to contain_file('/etc/csync2_uploads.key')
        .with(owner: 'root', group: 'root', mode: '0600', show_diff: false, backup: false,
              source: sensitive('puppet:///mnt/csync2_uploads.key'))
    end
    it 'leaves out the serverset it is not a member of' do
      is_expected.not_to contain_file('/etc/csync2_serverd.cfg')
      is_expected.not_to contain_file('/etc/csync2_serverd.key')
      is_expected.not_to contain_clustersync__config__group('serverd')
    end
    it 'writes the lsyncd config the helper renders and restarts lsyncd when it changes' do
      is_expected.to contain_file('/etc/lsyncd/lsyncd.conf.lua')
        .with(owner: 'root', group: 'root', mode: '0644')
        .with_content(helper_file(example_model('foo.example.net'), 'lsyncd'))
        .without_content(%r{"-N"})
        .that_notifies('Class[clustersync::service]')
      is_expected.to contain_file('/etc/lsyncd').with_ensure('directory')
    end
    it { is_expected.to contain_service('lsyncd').with(ensure: true, enable: true) }
    it { is_expected.to contain_clustersync__config__group('uploads').that_comes_before('Class[clustersync::service]') }
    it { is_expected.to contain_package('sqlite3').with_ensure('installed') }
    it 'indexes the csync2 database and puts it in WAL mode once it exists, before lsyncd starts' do
      is_expected.to contain_exec('clustersync: tune the csync2 database of uploads')
        .with_command("/usr/sbin/csync2 -C uploads -M >/dev/null 2>&1; test -s /var/lib/csync2/foo.example.net_uploads.db3 || " \
                      "{ echo 'clustersync: csync2 created no database' /var/lib/csync2/foo.example.net_uploads.db3 >&2; exit 1; }; " \
                      "sqlite3 -batch -cmd '.timeout 60000' /var/lib/csync2/foo.example.net_uploads.db3 " \
                      "'CREATE INDEX IF NOT EXISTS clustersync_count ON file(0)' 'PRAGMA journal_mode = WAL' >/dev/null")
        .with_unless(%{test "$(sqlite3 -batch -readonly -cmd '.timeout 10000' /var/lib/csync2/foo.example.net_uploads.db3 } +
                     %{"SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'clustersync_count'" 'PRAGMA journal_mode'} +
                     %{ 2>/dev/null | tr '\\n' ' ')" = 'clustersync_count wal '})
        .with_provider('shell')
        .that_requires(['File[/etc/csync2_uploads.cfg]', 'File[/etc/csync2_uploads.key]'])
        .that_comes_before('Class[clustersync::service]')
    end
    it { is_expected.not_to contain_exec('clustersync: tune the csync2 database of serverd') }
    it { is_expected.to contain_file('/var/log/lsyncd').that_comes_before('Class[clustersync::service]') }
    it { is_expected.to contain_file('/etc/xinetd.d/csync2').with_content(%r{^\tserver_args\t= -w 120 /var/lib/clustersync/csync2\.lock /usr/sbin/csync2 -i -l -A$}) }
    it 'has the listener take the lock that the lsyncd checks take' do
      lsyncd = catalogue.resource('File', '/etc/lsyncd/lsyncd.conf.lua')[:content]
      state_dir = lsyncd[%r{^local state_dir = "([^"]+)"$}, 1]
      expect(state_dir).not_to be_nil
      expect(lsyncd).to match(%r{^local lock = state_dir \.\. "/csync2\.lock"$})
      lock = "#{state_dir}/csync2.lock"
      expect(lsyncd).to match(%r{^local flock = "/usr/bin/flock"$})
      xinetd = catalogue.resource('File', '/etc/xinetd.d/csync2')[:content]
      expect(xinetd).to match(%r{^\tserver\t\t= #{state_dir}/csync2-listener$})
      expect(xinetd).to include(" #{lock} /usr/sbin/csync2 -i ")
      session = catalogue.resource('File', "#{state_dir}/csync2-listener")[:content]
      expect(session).to match(%r{^exec /usr/bin/flock "\$@"$})
    end
    it 'runs listener sessions with csync2-wait.so preloaded only when the library exists' do
      is_expected.to contain_file('/var/lib/clustersync/csync2-listener')
        .with(owner: 'root', group: 'root', mode: '0700')
        .that_requires('File[/var/lib/clustersync]')
        .that_comes_before('File[/etc/xinetd.d/csync2]')
      session = catalogue.resource('File', '/var/lib/clustersync/csync2-listener')[:content]
      expect(session).to start_with("#!/bin/sh\n")
      lsyncd = catalogue.resource('File', '/etc/lsyncd/lsyncd.conf.lua')[:content]
      library = lsyncd[%r{^local csync2_wait = "([^"]+)"$}, 1]
      expect(library).to eq('/usr/lib/clustersync/csync2-wait.so')
      expect(session).to include(%(preload=#{library}\nif [ -r "$preload" ]; then\n\tLD_PRELOAD=$preload\n\texport LD_PRELOAD\nfi\n))
    end
  end

  context 'with node_name, which wins over the facts' do
    let(:facts) { ClustersyncFacts.debian('foo').merge('clustersync' => { 'hostname' => 'foo.example.net' }) }
    # The example declares the class already; only a Hiera value or a resource-like declaration
    # could set node_name, so this context declares its own copy of the example.
    let(:pre_condition) { EXAMPLE.sub("csync_only_from => '10.0.100.0/24 10.0.200.0/24'", "csync_only_from => '10.0.100.0/24 10.0.200.0/24',\n  node_name => 'sodium.example.net'") }

    let(:model) { example_model('sodium.example.net', DEBIAN_LAYOUT, 'node_name_flag' => true) }

    it { is_expected.to contain_file('/etc/csync2_serverd.cfg').with_content(helper_file(model, 'csync2:serverd')) }
    it { is_expected.to contain_file('/etc/lsyncd/lsyncd.conf.lua').with_content(helper_file(model, 'lsyncd')) }
    it { is_expected.not_to contain_file('/etc/csync2_uploads.cfg') }
    it { is_expected.to contain_file('/etc/csync2_serverd.key').with(source: sensitive('puppet:///mnt/csync2_serverd.key'), backup: false) }
    it { is_expected.to contain_file('/etc/xinetd.d/csync2').with_content(%r{^\tserver_args\t= -w 120 /var/lib/clustersync/csync2\.lock /usr/sbin/csync2 -i -l -A -N sodium\.example\.net$}) }
    it { is_expected.to contain_file('/etc/lsyncd/lsyncd.conf.lua').with_content(%r{"-N", "sodium\.example\.net"}) }
    it 'names the database as csync2 -N does' do
      is_expected.to contain_exec('clustersync: tune the csync2 database of serverd')
        .with_command(%r{\A/usr/sbin/csync2 -C serverd -N sodium\.example\.net -M >/dev/null 2>&1; test -s /var/lib/csync2/sodium\.example\.net_serverd\.db3 })
    end
  end

  context 'without the clustersync fact: membership by networking.hostname' do
    let(:facts) { ClustersyncFacts.debian('sodium') }
    let(:params) { { sources: { '/srv/a' => 'pair' } } }
    let(:pre_condition) { "clustersync::serverset { 'pair': servers => ['barium', 'SODIUM'], key_content => '#{KEY}' }" }

    it { is_expected.to compile.with_all_deps }
    it { is_expected.to contain_file('/etc/csync2_pair.cfg').with_content(%r{^\thost sodium;$}) }
    it { is_expected.to contain_file('/etc/xinetd.d/csync2').without_content(%r{-N}) }
    it { is_expected.to contain_exec('clustersync: tune the csync2 database of pair').with_unless(%r{ /var/lib/csync2/sodium_pair\.db3 }) }
  end

  context 'with every original parameter' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net') }
    let(:pre_condition) { UPLOADS }
    let(:params) do
      {
        sources: { '/var/uploads' => 'uploads' },
        logdir_owner: 'www-data',
        logdir_group: 'adm',
        logdir_mode: '0750',
        csync_port: '30866',
        csync_only_from: '10.0.100.0/24',
      }
    end
    let(:model) do
      {
        'node' => 'foo.example.net', 'node_name_flag' => false, 'layout' => DEBIAN_LAYOUT, 'sources' => { '/var/uploads' => 'uploads' },
        'logdir' => '/var/log/lsyncd', 'logdir_owner' => 'www-data', 'logdir_group' => 'adm', 'logdir_mode' => '0750',
        'csync_port' => '30866', 'csync_only_from' => '10.0.100.0/24', 'lsyncd_delay' => 0.2,
        'csync_tempdir' => '/var/lib/csync2/clustersync-tmp', 'ssl' => false,
        'serversets' => { 'uploads' => { 'servers' => ['foo.example.net@10.0.100.1', 'bar.example.net@10.0.100.2'],
                                         'exclude' => [], 'auto' => 'none', 'key_content' => true } }
      }
    end

    it { is_expected.to compile.with_all_deps }
    it { is_expected.to contain_file('/var/log/lsyncd').with(owner: 'www-data', group: 'adm', mode: '0750') }
    it { is_expected.to contain_file('/etc/xinetd.d/csync2').with_content(%r{^\tport\t\t= 30866$}) }
    it { is_expected.to contain_file('/etc/lsyncd/lsyncd.conf.lua').with_content(helper_file(model, 'lsyncd')) }
    it { is_expected.to contain_file('/etc/csync2_uploads.cfg').with_content(helper_file(model, 'csync2:uploads')) }
    it 'writes key_content as a Sensitive value, root only' do
      key = catalogue.resource('File', '/etc/csync2_uploads.key')
      expect(key.sensitive_parameters).to include(:content)
      expect(key[:content]).to eq(KEY)
      expect(key[:mode]).to eq('0600')
      expect(key[:owner]).to eq('root')
    end
  end

  context 'on a node without systemd' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net').merge('service_provider' => 'debian') }
    let(:pre_condition) { UPLOADS }
    let(:params) { { sources: { '/var/uploads' => 'uploads' } } }

    it { is_expected.to contain_service('xinetd').with_restart('/etc/init.d/xinetd reload') }
    it { is_expected.not_to contain_service('csync2.socket') }
  end

  context 'with csync_port as an integer' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net') }
    let(:pre_condition) { UPLOADS }
    let(:params) { { sources: { '/var/uploads' => 'uploads' }, csync_port: 2000 } }

    it { is_expected.to contain_file('/etc/xinetd.d/csync2').with_content(%r{^\tport\t\t= 2000$}) }
  end

  context 'with the new parameters' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net') }
    let(:pre_condition) { UPLOADS }
    let(:params) do
      { sources: { '/var/uploads' => 'uploads' }, lsyncd_delay: 5, logdir: '/var/log/sync', manage_packages: false, manage_services: false }
    end

    it { is_expected.to compile.with_all_deps }
    it { is_expected.to contain_file('/etc/lsyncd/lsyncd.conf.lua').with_content(%r{^local delay = 5$}).with_content(%r{/var/log/sync/lsyncd\.log}) }
    it { is_expected.to contain_file('/var/log/sync').with_ensure('directory') }
    it { is_expected.not_to contain_package('csync2') }
    it { is_expected.not_to contain_package('sqlite3') }
    it { is_expected.not_to contain_service('lsyncd') }
    it { is_expected.not_to contain_service('xinetd') }
  end

  context 'with csync_db_index => false' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net') }
    let(:pre_condition) { UPLOADS }
    let(:params) { { sources: { '/var/uploads' => 'uploads' }, csync_db_index: false } }

    it { is_expected.to compile.with_all_deps }
    it 'only sets the journal mode' do
      is_expected.to contain_exec('clustersync: tune the csync2 database of uploads')
        .with_command(%r{ /var/lib/csync2/foo\.example\.net_uploads\.db3 'PRAGMA journal_mode = WAL' >/dev/null\z})
        .with_unless(%r{ /var/lib/csync2/foo\.example\.net_uploads\.db3 'PRAGMA journal_mode' 2>/dev/null .* = 'wal '\z})
    end
    it { is_expected.to contain_package('sqlite3') }
  end

  context 'with csync_db_wal => false' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net') }
    let(:pre_condition) { UPLOADS }
    let(:params) { { sources: { '/var/uploads' => 'uploads' }, csync_db_wal: false } }

    it 'only adds the index' do
      is_expected.to contain_exec('clustersync: tune the csync2 database of uploads')
        .with_command(%r{ /var/lib/csync2/foo\.example\.net_uploads\.db3 'CREATE INDEX IF NOT EXISTS clustersync_count ON file\(0\)' >/dev/null\z})
        .with_unless(%r{'clustersync_count'" 2>/dev/null .* = 'clustersync_count '\z})
    end
  end

  context 'with csync_db_index and csync_db_wal => false' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net') }
    let(:pre_condition) { UPLOADS }
    let(:params) { { sources: { '/var/uploads' => 'uploads' }, csync_db_index: false, csync_db_wal: false } }

    it { is_expected.to compile.with_all_deps }
    it { is_expected.not_to contain_exec('clustersync: tune the csync2 database of uploads') }
    it { is_expected.not_to contain_package('sqlite3') }
  end

  context 'with csync_tempdir' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net') }
    let(:pre_condition) { UPLOADS }

    context 'set to a directory of its own' do
      let(:params) { { sources: { '/var/uploads' => 'uploads' }, csync_tempdir: '/srv/csync2 tmp' } }

      it { is_expected.to contain_file('/etc/csync2_uploads.cfg').with_content(%r{^tempdir "/srv/csync2 tmp";$}) }
      it { is_expected.to contain_file('/srv/csync2 tmp').with(ensure: 'directory', owner: 'root', mode: '0700') }
      it { is_expected.not_to contain_file('/var/lib/csync2/clustersync-tmp') }
    end

    context 'set to false' do
      let(:params) { { sources: { '/var/uploads' => 'uploads' }, csync_tempdir: false } }

      it { is_expected.to compile.with_all_deps }
      it { is_expected.to contain_file('/etc/csync2_uploads.cfg').without_content(%r{tempdir}) }
      it { is_expected.not_to contain_file('/var/lib/csync2/clustersync-tmp') }
    end

    context 'within a source' do
      let(:params) { { sources: { '/var/uploads' => 'uploads' }, csync_tempdir: '/var/uploads/.csync2' } }

      it { is_expected.to contain_file('/etc/csync2_uploads.cfg').without_content(%r{tempdir}) }
      it { is_expected.not_to contain_file('/var/uploads/.csync2') }
      it 'warns that the serverset goes without it' do
        expect(compile_logs.map(&:message)).to include(%r{Class\[Clustersync\]: csync_tempdir: "/var/uploads/\.csync2" lies within "/var/uploads", a source of serverset "uploads"})
      end
    end
  end

  context 'with the systemd listener' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net') }
    let(:pre_condition) { UPLOADS }
    let(:params) { { sources: { '/var/uploads' => 'uploads' }, listener: 'systemd', csync_only_from: '10.0.100.0/24 fd00::/8' } }

    it { is_expected.to compile.with_all_deps }
    it { is_expected.not_to contain_file('/etc/xinetd.d/csync2') }
    it { is_expected.not_to contain_package('xinetd') }
    it 'allows only csync_only_from' do
      is_expected.to contain_file('/etc/systemd/system/csync2.socket')
        .with_content(%r{^ListenStream=30865$})
        .with_content(%r{^Accept=yes$})
        .with_content(%r{^IPAddressAllow=10\.0\.100\.0/24 fd00::/8$})
        .with_content(%r{^IPAddressDeny=any$})
        .that_notifies('Service[csync2.socket]')
    end
    it { is_expected.to contain_file('/etc/systemd/system/csync2@.service').with_content(%r{^ExecStart=/var/lib/clustersync/csync2-listener -w 120 /var/lib/clustersync/csync2\.lock /usr/sbin/csync2 -i -l -A$}) }
    it { is_expected.to contain_service('csync2.socket').with(ensure: 'running', enable: true) }
  end

  context 'with the systemd listener and node_name' do
    let(:facts) { ClustersyncFacts.debian('foo') }
    let(:pre_condition) { UPLOADS }
    let(:params) { { sources: { '/var/uploads' => 'uploads' }, listener: 'systemd', node_name: 'foo.example.net' } }

    it { is_expected.to contain_file('/etc/systemd/system/csync2@.service').with_content(%r{^ExecStart=/var/lib/clustersync/csync2-listener -w 120 /var/lib/clustersync/csync2\.lock /usr/sbin/csync2 -i -l -A -N foo\.example\.net$}) }
  end

  context 'with the systemd listener and no csync_only_from' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net') }
    let(:pre_condition) { UPLOADS }
    let(:params) { { sources: { '/var/uploads' => 'uploads' }, listener: 'systemd' } }

    it 'allows only the addresses of the serverset members' do
      is_expected.to contain_file('/etc/systemd/system/csync2.socket')
        .with_content(%r{^IPAddressAllow=10\.0\.100\.1 10\.0\.100\.2\nIPAddressDeny=any$})
    end
  end

  context 'with no csync_only_from and a server without an address' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net') }
    let(:pre_condition) do
      <<~PP
        clustersync::serverset { 'uploads':
          servers     => ['foo.example.net@10.0.100.1', 'bar.example.net'],
          key_content => Sensitive('#{KEY}'),
        }
      PP
    end
    let(:params) { { sources: { '/var/uploads' => 'uploads' } } }

    it 'accepts any address (the helper warns: unittest/test_plan.cpp)' do
      is_expected.to compile.with_all_deps
      is_expected.to contain_file('/etc/xinetd.d/csync2').without_content(%r{only_from})
    end
  end

  context 'with no csync_only_from and every server with an address (xinetd)' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net') }
    let(:pre_condition) { UPLOADS }
    let(:params) { { sources: { '/var/uploads' => 'uploads' } } }

    it { is_expected.to contain_file('/etc/xinetd.d/csync2').with_content(%r{^\tonly_from\t= 10\.0\.100\.1 10\.0\.100\.2$}) }
    it { is_expected.to contain_file('/var/lib/clustersync').with(ensure: 'directory', owner: 'root', mode: '0700').that_comes_before('File[/etc/xinetd.d/csync2]') }
    it { is_expected.to contain_file('/var/lib/csync2').with(ensure: 'directory', owner: 'root', mode: '0700').that_requires('Package[csync2]') }
  end

  context 'on RedHat 9 (Rocky)' do
    let(:facts) { ClustersyncFacts.redhat('9', 'foo.example.net') }
    let(:pre_condition) { EXAMPLE }

    it { is_expected.to compile.with_all_deps }
    it { is_expected.to contain_file('/etc/csync2/csync2_uploads.cfg').with_content(helper_file(example_model('foo.example.net', REDHAT_LAYOUT), 'csync2:uploads')) }
    it { is_expected.to contain_file('/etc/csync2/csync2_uploads.key').with_mode('0600') }
    it { is_expected.to contain_file('/etc/lsyncd.conf').with_content(helper_file(example_model('foo.example.net', REDHAT_LAYOUT), 'lsyncd')) }
    it { is_expected.not_to contain_file('/etc') }
    it { is_expected.to contain_file('/etc/systemd/system/csync2.socket') }
    it { is_expected.not_to contain_package('xinetd') }
    it { is_expected.to contain_package('sqlite').with_ensure('installed') }
    it { is_expected.to contain_exec('clustersync: tune the csync2 database of uploads').with_command(%r{\A/usr/sbin/csync2 -C uploads -M .* /var/lib/csync2/foo\.example\.net_uploads\.db3 }) }
  end

  context 'on RedHat 8' do
    let(:facts) { ClustersyncFacts.redhat('8', 'foo.example.net') }
    let(:pre_condition) { EXAMPLE }

    it { is_expected.to compile.with_all_deps }
    it { is_expected.to contain_file('/etc/xinetd.d/csync2') }
    it { is_expected.to contain_file('/etc/csync2/csync2_uploads.cfg') }
  end

  # Every OS metadata.json claims, with the layout its family's module data gives.
  JSON.parse(File.read(File.join(MODULE_ROOT, 'metadata.json')))['operatingsystem_support'].each do |os|
    os['operatingsystemrelease'].each do |release|
      context "on #{os['operatingsystem']} #{release}" do
        let(:family) { ['RedHat', 'Rocky', 'AlmaLinux'].include?(os['operatingsystem']) ? 'RedHat' : 'Debian' }
        let(:facts) do
          ClustersyncFacts.debian('foo').merge(
            'os' => { 'family' => family, 'name' => os['operatingsystem'], 'release' => { 'major' => release.split('.').first, 'full' => release } },
            'osfamily' => family,
            'clustersync' => { 'hostname' => 'foo.example.net' },
          )
        end
        let(:pre_condition) { EXAMPLE }
        let(:layout) { family == 'RedHat' ? REDHAT_LAYOUT : DEBIAN_LAYOUT }

        it { is_expected.to compile.with_all_deps }
        it { is_expected.to contain_file("#{layout['csync2_dir']}/csync2_uploads.cfg").with_content(helper_file(example_model('foo.example.net', layout), 'csync2:uploads')) }
        it { is_expected.to contain_file(layout['lsyncd_config']).with_content(helper_file(example_model('foo.example.net', layout), 'lsyncd')) }
      end
    end
  end

  context 'with ssl' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net') }
    let(:pre_condition) { UPLOADS }
    let(:cert) { "-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n" }
    let(:key) { "-----BEGIN PRIVATE KEY-----\nMIIBsecretkey\n-----END PRIVATE KEY-----\n" }
    let(:params) { { sources: { '/var/uploads' => 'uploads' }, ssl: true, ssl_cert: cert, ssl_key: sensitive(key) } }

    it { is_expected.to compile.with_all_deps }
    it { is_expected.to contain_file('/etc/csync2_ssl_cert.pem').with(mode: '0644', content: cert).that_comes_before('Class[clustersync::service]') }
    it 'writes the private key as a Sensitive value, root only' do
      file = catalogue.resource('File', '/etc/csync2_ssl_key.pem')
      expect(file.sensitive_parameters).to include(:content)
      expect(file[:content]).to eq(key)
      expect(file[:mode]).to eq('0600')
    end
    it { is_expected.to contain_file('/etc/csync2_uploads.cfg').without_content(%r{nossl}) }
  end

  context 'with ssl and certificate files the module does not manage' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net') }
    let(:pre_condition) { UPLOADS }
    let(:params) { { sources: { '/var/uploads' => 'uploads' }, ssl: true } }

    it { is_expected.to compile.with_all_deps }
    it { is_expected.not_to contain_file('/etc/csync2_ssl_cert.pem') }
    it { is_expected.not_to contain_file('/etc/csync2_ssl_key.pem') }
    it { is_expected.to contain_file('/etc/csync2_uploads.cfg').without_content(%r{nossl}) }
  end

  context 'with serversets from the class parameter, mixed with a declared one' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net') }
    let(:pre_condition) { UPLOADS }
    let(:params) do
      {
        sources: { '/var/uploads' => 'uploads', '/srv/www' => 'web' },
        serversets: { 'web' => { 'servers' => ['foo.example.net', 'qux.example.net'], 'auto' => 'younger',
                                 'exclude' => ['*.tmp'], 'key_content' => KEY } },
      }
    end

    it { is_expected.to compile.with_all_deps }
    it { is_expected.to contain_clustersync__serverset('web').with_auto('younger') }
    it 'passes a plain key_content on as Sensitive' do
      expect(catalogue.resource('Clustersync::Serverset', 'web').sensitive_parameters).to include(:key_content)
      expect(catalogue.resource('File', '/etc/csync2_web.key').sensitive_parameters).to include(:content)
    end
    it { is_expected.to contain_file('/etc/csync2_web.cfg').with_content(%r{^\tauto younger;$}).with_content(%r{^\texclude \*\.tmp;$}) }
    it { is_expected.to contain_file('/etc/csync2_uploads.cfg') }
    it {
      is_expected.to contain_file('/etc/lsyncd/lsyncd.conf.lua')
        .with_content(%r{^group\("uploads", \{ .* \}, \{ "/var/uploads" \}\)$})
        .with_content(%r{^group\("web", \{ \{ "qux\.example\.net", "qux\.example\.net" \} \}, \{ "/srv/www" \}\)$})
    }
  end

  context 'with the serversets hash Sensitive as a whole (Hiera convert_to: Sensitive)' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net') }
    let(:params) do
      {
        sources: { '/srv/www' => 'web' },
        serversets: sensitive({ 'web' => { 'servers' => ['foo.example.net', 'qux.example.net'], 'key_content' => KEY } }),
      }
    end

    it { is_expected.to compile.with_all_deps }
    it 'declares its serversets with the key Sensitive and keeps the class parameter redacted' do
      expect(catalogue.resource('Clustersync::Serverset', 'web').sensitive_parameters).to include(:key_content)
      expect(catalogue.resource('File', '/etc/csync2_web.key').sensitive_parameters).to include(:content)
      expect(catalogue.resource('Class', 'Clustersync').sensitive_parameters).to include(:serversets)
    end
    it { is_expected.to contain_file('/etc/csync2_web.cfg').with_content(%r{^\thost foo\.example\.net;$}) }
  end

  context 'with a model the helper warns about' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net') }
    let(:params) { { sources: { '/var/uploads' => 'uploads' } } }
    let(:pre_condition) { "clustersync::serverset { 'uploads': servers => ['foo.example.net'], key_source => '/k' }" }

    it 'passes the warning on' do
      expect(compile_logs.select { |l| l.level == :warning }.map(&:message))
        .to include(%r{Class\[Clustersync\]: serversets\.uploads\.servers: only 1 server})
    end
  end

  context 'with everything from Hiera' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net').merge('hiera_case' => 'hiera_only') }

    it { is_expected.to compile.with_all_deps }
    it { is_expected.to contain_clustersync__serverset('uploads').with_auto('younger') }
    it { is_expected.to contain_file('/etc/csync2_uploads.cfg').with_content(%r{^\tauto younger;$}).without_content(%r{nossl}) }
    it { is_expected.to contain_file('/etc/xinetd.d/csync2').with_content(%r{^\tonly_from\t= 10\.0\.100\.0/24$}) }
    it 'keeps both secrets Sensitive' do
      expect(catalogue.resource('File', '/etc/csync2_uploads.key').sensitive_parameters).to include(:content)
      expect(catalogue.resource('File', '/etc/csync2_ssl_key.pem').sensitive_parameters).to include(:content)
      expect(catalogue.resource('Clustersync::Serverset', 'uploads').sensitive_parameters).to include(:key_content)
      expect(catalogue.resource('Class', 'Clustersync').sensitive_parameters).to include(:ssl_key)
    end
  end

  context 'with the serverset declared after the class' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net') }
    let(:params) { { sources: { '/var/uploads' => 'uploads' } } }
    let(:post_condition) { UPLOADS }

    it { is_expected.to compile.with_all_deps }
    it { is_expected.to contain_file('/etc/csync2_uploads.cfg') }
  end

  context 'with a serverset declared by a defined type' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net') }
    let(:params) { { sources: { '/var/uploads' => 'uploads' } } }
    let(:post_condition) { "define wrapper() {\n#{UPLOADS}}\nwrapper { 'x': }" }

    it { is_expected.to contain_file('/etc/csync2_uploads.cfg') }
  end

  context 'with override templates' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net') }
    let(:pre_condition) do
      <<~PP
        clustersync::serverset { 'uploads':
          servers         => ['foo.example.net', 'bar.example.net'],
          exclude         => ['*.swp'],
          key_content     => '#{KEY}',
          csync2_template => 'overrides/csync2.erb',
        }
        clustersync::serverset { 'web':
          servers         => ['foo.example.net', 'bar.example.net'],
          key_content     => '#{KEY}',
          csync2_template => 'overrides/csync2.epp',
        }
      PP
    end

    context 'ERB for lsyncd' do
      let(:params) { { sources: { '/var/uploads' => 'uploads', '/srv/www/' => 'web' }, lsyncd_template: 'overrides/lsyncd.erb' } }

      it { is_expected.to compile.with_all_deps }
      it 'renders the ERB csync2 template with the original variables' do
        is_expected.to contain_file('/etc/csync2_uploads.cfg').with_content(<<~CFG)
          # override (ERB) of uploads
          nossl * *;
          group uploads {
          \thost bar.example.net;
          \thost foo.example.net;
          \tinclude /var/uploads;
          \texclude *.swp;
          \tauto none;
          \tkey /etc/csync2_uploads.key;
          }
        CFG
      end
      it 'renders the EPP csync2 template' do
        is_expected.to contain_file('/etc/csync2_web.cfg').with_content(<<~CFG)
          # override (EPP) of web
          group web {
          \thost bar.example.net;
          \thost foo.example.net;
          \tinclude /srv/www;
          \tauto none;
          \tkey /etc/csync2_web.key;
          }
        CFG
      end
      it 'renders the ERB lsyncd template with @sources' do
        is_expected.to contain_file('/etc/lsyncd/lsyncd.conf.lua').with_content(<<~LUA)
          -- override (ERB) for foo.example.net
          sync { default.direct, source = "/srv/www/", target = "/srv/copy/web" }
          sync { default.direct, source = "/var/uploads", target = "/srv/copy/uploads" }
        LUA
      end
    end

    context 'EPP for lsyncd' do
      let(:params) { { sources: { '/var/uploads' => 'uploads', '/srv/www' => 'web' }, lsyncd_template: 'overrides/lsyncd.epp' } }

      it 'renders the EPP lsyncd template' do
        is_expected.to contain_file('/etc/lsyncd/lsyncd.conf.lua').with_content(<<~LUA)
          -- override (EPP) for foo.example.net, csync2 at /usr/sbin/csync2
          -- /srv/www => web
          -- /var/uploads => uploads
        LUA
      end
    end
  end

  context 'keeps secrets out of everything but the key files' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net') }
    let(:pre_condition) { UPLOADS }
    let(:params) { { sources: { '/var/uploads' => 'uploads' } } }

    it 'has no other resource parameter holding the key' do
      catalogue.resources.each do |resource|
        next if resource.type == 'File' && resource.title == '/etc/csync2_uploads.key'
        next if resource.type == 'Clustersync::Serverset'
        resource.to_hash.each do |name, value|
          expect(value.to_s).not_to include(KEY), "#{resource}[#{name}] holds the key"
        end
      end
    end
    it 'keeps the key Sensitive in the serverset' do
      expect(catalogue.resource('Clustersync::Serverset', 'uploads').sensitive_parameters).to include(:key_content)
    end
  end

  context 'when the helper records its command line' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net') }
    let(:log) { File.join(WORK_DIR, 'argv.log') }
    let(:wrapper) { File.join(WORK_DIR, 'recording-helper') }
    let(:pre_condition) { UPLOADS }
    let(:params) { { sources: { '/var/uploads' => 'uploads' }, helper_path: wrapper } }

    before(:each) do
      File.write(wrapper, "#!/bin/sh\nprintf '%s\\n' \"$@\" > #{log}\nexec #{HELPER} \"$@\"\n")
      File.chmod(0o755, wrapper)
    end

    it 'never passes the key to the helper, but passes its presence' do
      is_expected.to compile.with_all_deps
      argv = File.read(log)
      expect(argv).to include('"key_content":true')
      expect(argv).not_to include(KEY)
    end
  end

  context 'with a model larger than one argument may be' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net') }
    let(:pre_condition) { UPLOADS }
    # 3,998 sources and 2 servers: the most lines one csync2 group may have (4,000).
    let(:sources) { (1..3998).to_h { |i| ["/srv/data/directory-number-#{i}", 'uploads'] } }
    let(:params) { { sources: sources } }

    it 'passes it in pieces and gets every source back' do
      content = catalogue.resource('File', '/etc/csync2_uploads.cfg')[:content]
      expect(content.scan(%r{^\tinclude }).length).to eq(3998)
      expect(sources.to_json.length).to be > 131_072
    end
  end

  context 'with manage_helper' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net') }
    let(:pre_condition) { UPLOADS }
    let(:params) { { sources: { '/var/uploads' => 'uploads' }, manage_helper: true } }

    it { is_expected.to contain_package('clustersync-helper').with_ensure('installed') }
  end

  context 'without manage_helper' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net') }
    let(:pre_condition) { UPLOADS }
    let(:params) { { sources: { '/var/uploads' => 'uploads' } } }

    it { is_expected.not_to contain_package('clustersync-helper') }
  end

  describe 'failures' do
    let(:facts) { ClustersyncFacts.debian('foo.example.net') }
    let(:pre_condition) { UPLOADS }

    {
      'a certificate without its key' => [{ ssl: true, ssl_cert: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n" },
                                          %r{Class\[Clustersync\]: ssl_cert and ssl_key go together}],
      'a key without its certificate' => [{ ssl: true, ssl_key: "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n" },
                                          %r{Class\[Clustersync\]: ssl_cert and ssl_key go together}],
      'a certificate without ssl' => [{ ssl_cert: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n",
                                        ssl_key: "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n" },
                                      %r{Class\[Clustersync\]: ssl_cert and ssl_key are used only with ssl => true}],
      'a port out of range' => [{ csync_port: '99999' }, %r{Class\[Clustersync\]: csync_port: "99999" is not a port}],
      'a port that is no number' => [{ csync_port: 'http' }, %r{parameter 'csync_port' expects a Clustersync::Port}],
      'a bad logdir_mode' => [{ logdir_mode: 'rwxr-xr-x' }, %r{parameter 'logdir_mode' expects a match for Clustersync::Mode}],
      'a bad logdir_owner' => [{ logdir_owner: 'Web Data' }, %r{parameter 'logdir_owner' expects a match for Clustersync::PosixName}],
      'a bad CIDR block' => [{ csync_only_from: '10.0.0.0/33' }, %r{Class\[Clustersync\]: csync_only_from}],
      'csync_only_from with a comma' => [{ csync_only_from: '10.0.0.1,10.0.0.2' }, %r{parameter 'csync_only_from' expects}],
      'a relative source' => [{ sources: { 'var/uploads' => 'uploads' } }, %r{parameter 'sources' key of entry 'var/uploads' expects a match for Stdlib::Unixpath}],
      'a source naming an undeclared serverset' => [{ sources: { '/var/www' => 'web' } }, %r{Class\[Clustersync\]: sources\["/var/www"\]: .*web}],
      'a serverset name csync2 refuses' => [{ sources: { '/var/www' => 'up_loads' } }, %r{parameter 'sources' entry '/var/www' expects a match for Clustersync::Name}],
      'a missing helper' => [{ helper_path: '/nonexistent/clustersync-helper' },
                             %r{Class\[Clustersync\]: helper_path: '/nonexistent/clustersync-helper' does not exist on the machine that compiles the catalog: install the clustersync-helper package there}],
      'a helper that is not executable' => [{ helper_path: NOT_EXECUTABLE },
                                            %r{Class\[Clustersync\]: helper_path: '#{NOT_EXECUTABLE}' cannot be executed by user '#{Etc.getpwuid(Process.euid).name}', who compiles the catalog}],
      'a csync2_bin with arguments' => [{ csync2_bin: '/usr/sbin/csync2 -x' },
                                        %r{Class\[Clustersync\]: layout.csync2_bin: "/usr/sbin/csync2 -x" is not a program path: it contains white space}],
      'an unknown listener' => [{ listener: 'inetd' }, %r{parameter 'listener' expects a match for Clustersync::Listener}],
      'a bad lsyncd_delay' => [{ lsyncd_delay: -1 }, %r{parameter 'lsyncd_delay' expects}],
      'a relative csync_tempdir' => [{ csync_tempdir: 'tmp' }, %r{parameter 'csync_tempdir' expects}],
      'csync_tempdir true' => [{ csync_tempdir: true }, %r{parameter 'csync_tempdir' expects}],
      'a shared csync_tempdir' => [{ csync_tempdir: '/tmp' }, %r{Class\[Clustersync\]: csync_tempdir: "/tmp" is shared with other users}],
      'a bad node_name' => [{ node_name: 'foo bar' }, %r{parameter 'node_name' expects}],
      'a bad serverset in serversets' => [{ serversets: { 'web' => { 'servers' => ['a'], 'key_content' => 'short' } } },
                                          %r{parameter 'serversets' variant 0 entry 'web' entry 'key_content' expects}],
      'a serversets entry also declared as a resource' => [{ serversets: { 'uploads' => { 'servers' => ['a', 'b'], 'key_source' => '/k' } } },
                                                           %r{Duplicate declaration: Clustersync::Serverset\[uploads\]}],
    }.each do |what, (params, message)|
      context "with #{what}" do
        let(:params) { { sources: { '/var/uploads' => 'uploads' } }.merge(params) }

        it { is_expected.to compile.and_raise_error(message) }
      end
    end

    context 'with several helper errors at once' do
      let(:params) { { sources: { '/var/uploads' => 'uploads', '/srv/x' => 'nothere' }, csync_port: '70000' } }

      it { is_expected.to compile.and_raise_error(%r{Class\[Clustersync\]: sources.*nothere.*\n.*Class\[Clustersync\]: csync_port: "70000"}m) }
    end
  end
end
