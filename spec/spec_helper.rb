# rspec-puppet setup: compiles offline against this module, Debian's stdlib and the real,
# freshly built clustersync-helper (never a stub of generate()).
require 'json'
require 'open3'
require 'tmpdir'
require 'rspec-puppet'

MODULE_ROOT = File.expand_path('..', __dir__)
HELPER = ENV.fetch('CLUSTERSYNC_HELPER', File.join(MODULE_ROOT, 'build', 'clustersync-helper'))
STDLIB = ENV.fetch('CLUSTERSYNC_STDLIB', '/usr/share/puppet/modules/stdlib')

unless File.executable?(HELPER)
  abort "spec_helper: no clustersync-helper at #{HELPER}: build it (scripts/build) or set CLUSTERSYNC_HELPER"
end

# A module path with this module under its own name, stdlib, and the fixture module that holds
# the override templates. The environment's Hiera layer points the class at the helper.
WORK_DIR = Dir.mktmpdir('clustersync-spec')
at_exit { FileUtils.remove_entry(WORK_DIR) }
modules = File.join(WORK_DIR, 'modules')
FileUtils.mkdir_p(modules)
File.symlink(MODULE_ROOT, File.join(modules, 'clustersync'))
File.symlink(STDLIB, File.join(modules, 'stdlib'))
File.symlink(File.join(MODULE_ROOT, 'spec', 'fixtures', 'modules', 'overrides'), File.join(modules, 'overrides'))
File.write(File.join(WORK_DIR, 'helper.yaml'), { 'clustersync::helper_path' => HELPER }.to_yaml)
File.write(File.join(WORK_DIR, 'hiera.yaml'), {
  'version' => 5,
  'defaults' => { 'datadir' => WORK_DIR, 'data_hash' => 'yaml_data' },
  'hierarchy' => [
    { 'name' => 'helper', 'path' => 'helper.yaml' },
    # A spec picks a data file of spec/fixtures/hiera with the fact hiera_case.
    { 'name' => 'case', 'path' => '%{facts.hiera_case}.yaml', 'datadir' => File.join(MODULE_ROOT, 'spec', 'fixtures', 'hiera') },
  ],
}.to_yaml)

RSpec.configure do |c|
  c.module_path = modules
  c.hiera_config = File.join(WORK_DIR, 'hiera.yaml')
end

# Facts of the supported OS families, as Facter 4 reports them.
module ClustersyncFacts
  def self.debian(hostname = 'foo')
    {
      'os' => { 'family' => 'Debian', 'name' => 'Debian', 'release' => { 'major' => '12', 'full' => '12.5' } },
      'osfamily' => 'Debian',
      'networking' => { 'hostname' => hostname, 'fqdn' => "#{hostname}.example.net", 'domain' => 'example.net' },
      'kernel' => 'Linux',
      'service_provider' => 'systemd',
      'path' => '/usr/sbin:/usr/bin:/sbin:/bin',
    }
  end

  def self.redhat(major = '9', hostname = 'foo')
    {
      'os' => { 'family' => 'RedHat', 'name' => 'Rocky', 'release' => { 'major' => major, 'full' => "#{major}.3" } },
      'osfamily' => 'RedHat',
      'networking' => { 'hostname' => hostname, 'fqdn' => "#{hostname}.example.net", 'domain' => 'example.net' },
      'kernel' => 'Linux',
      'service_provider' => 'systemd',
      'path' => '/usr/sbin:/usr/bin:/sbin:/bin',
    }
  end
end

# Runs the helper on a model and returns its bundle, so specs compare the catalog with what the
# helper renders for the same model.
def helper_bundle(model)
  out, status = Open3.capture2(HELPER, 'bundle', '--model-json', model.to_json)
  raise "helper failed: #{out}" unless status.success?
  JSON.parse(out)
end

def helper_file(model, id)
  file = helper_bundle(model)['files'].find { |f| f['id'] == id }
  raise "helper rendered no #{id} for #{model['node']}" unless file
  file['content']
end

# The messages notice() and warning() log while the catalogue compiles.
def compile_logs
  logs = []
  destination = Puppet::Test::LogCollector.new(logs)
  Puppet::Util::Log.newdestination(destination)
  begin
    catalogue
  ensure
    Puppet::Util::Log.close(destination)
  end
  logs
end

# The accepted and rejected values of one of csync2's rules ('key', 'name'), the table the helper's
# unit tests read too (unittest/csync2_rules_cases.json), so the Puppet type and the helper's rule
# cannot drift apart unnoticed.
CSYNC2_RULE_CASES = JSON.parse(File.read(File.join(MODULE_ROOT, 'unittest', 'csync2_rules_cases.json')))
RSpec.shared_examples 'a csync2 rule' do |rule, also_rejected = []|
  CSYNC2_RULE_CASES.fetch(rule)['accepted'].each do |value|
    it { is_expected.to allow_value(value) }
  end
  (CSYNC2_RULE_CASES.fetch(rule)['rejected'] + also_rejected).each do |value|
    it { is_expected.not_to allow_value(value) }
  end
end
