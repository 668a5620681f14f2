require 'spec_helper'

KEY64 = '0123456789abcdefghijABCDEFGHIJ.._0123456789abcdefghijABCDEFGHIJ'.freeze

describe 'clustersync::serverset' do
  let(:title) { 'uploads' }
  let(:facts) { ClustersyncFacts.debian('foo.example.net') }
  let(:pre_condition) { "class { 'clustersync': sources => { '/var/uploads' => 'uploads' } }" }
  let(:servers) { ['foo.example.net@10.0.100.1', 'bar.example.net@10.0.100.2'] }

  context 'with key_source' do
    let(:params) { { servers: servers, key_source: 'puppet:///modules/profile/csync2_uploads.key' } }

    it { is_expected.to compile.with_all_deps }
    it { is_expected.to contain_clustersync__config__group('uploads') }
    it { is_expected.to contain_file('/etc/csync2_uploads.key').with(mode: '0600', source: sensitive('puppet:///modules/profile/csync2_uploads.key'), backup: false) }
    it { is_expected.to contain_file('/etc/csync2_uploads.cfg').with_content(%r{^\tauto none;$}) }
  end

  context 'with key_content as a plain string, exclude and auto' do
    let(:params) { { servers: servers, key_content: KEY64, exclude: ['*.tmp', '/var/uploads/cache'], auto: 'younger' } }

    it { is_expected.to compile.with_all_deps }
    it 'still writes the key as a Sensitive value' do
      key = catalogue.resource('File', '/etc/csync2_uploads.key')
      expect(key.sensitive_parameters).to include(:content)
      expect(key[:content]).to eq(KEY64)
    end
    it 'writes exclude in the given order and auto' do
      is_expected.to contain_file('/etc/csync2_uploads.cfg')
        .with_content(%r{^\texclude \*\.tmp;\n\texclude /var/uploads/cache;$})
        .with_content(%r{^\tauto younger;$})
    end
  end

  context 'with a key whose first line is followed by more lines' do
    let(:params) { { servers: servers, key_content: sensitive("#{KEY64}\nsecond line\n") } }

    it { is_expected.to compile.with_all_deps }
  end

  context 'on a node that is not one of its servers' do
    let(:facts) { ClustersyncFacts.debian('elsewhere') }
    let(:params) { { servers: servers, key_content: KEY64 } }

    it { is_expected.to compile.with_all_deps }
    it { is_expected.not_to contain_file('/etc/csync2_uploads.cfg') }
    it { is_expected.not_to contain_file('/etc/csync2_uploads.key') }
  end

  context 'with a serverset that no source uses' do
    let(:title) { 'spare' }
    let(:params) { { servers: servers, key_content: KEY64 } }
    let(:pre_condition) do
      "class { 'clustersync': sources => { '/var/uploads' => 'uploads' }, serversets => { 'uploads' => { 'servers' => ['foo.example.net', 'bar.example.net'], 'key_source' => '/k' } } }"
    end

    it { is_expected.to compile.with_all_deps }
    it { is_expected.not_to contain_file('/etc/csync2_spare.cfg') }
  end

  describe 'failures' do
    {
      'both key_source and key_content' => [{ key_source: '/root/k', key_content: KEY64 },
                                            %r{Clustersync::Serverset\[uploads\]: key_source and key_content are mutually exclusive}],
      'neither key_source nor key_content' => [{}, %r{Clustersync::Serverset\[uploads\]: one of key_source and key_content is required}],
      'a key shorter than 32 characters' => [{ key_content: 'abc' }, %r{parameter 'key_content' expects}],
      'a key with CRLF' => [{ key_content: "#{KEY64}\r\n" }, %r{parameter 'key_content' expects}],
      'a key with a character csync2 refuses' => [{ key_content: "#{KEY64}-" }, %r{parameter 'key_content' expects}],
      'a relative key_source' => [{ key_source: 'keys/k' }, %r{parameter 'key_source' expects}],
      'an unknown auto' => [{ key_source: '/k', auto: 'sometimes' }, %r{parameter 'auto' expects a match for Clustersync::Auto}],
      'a server with a space' => [{ key_source: '/k', servers: ['foo bar'] }, %r{parameter 'servers' index 0 expects a match for Clustersync::Server}],
      'no servers' => [{ key_source: '/k', servers: [] }, %r{parameter 'servers' expects size to be at least 1}],
      'an empty exclude pattern' => [{ key_source: '/k', exclude: [''] }, %r{parameter 'exclude' index 0 expects}],
    }.each do |what, (params, message)|
      context "with #{what}" do
        let(:params) { { servers: servers }.merge(params) }

        it { is_expected.to compile.and_raise_error(message) }
      end
    end

    context 'with a duplicate server the helper rejects' do
      let(:params) { { servers: ['foo.example.net', 'FOO.example.net'], key_source: '/k' } }

      it { is_expected.to compile.and_raise_error(%r{Class\[Clustersync\]: serversets\.uploads\.servers}) }
    end

    context 'with a title csync2 refuses' do
      let(:title) { 'up_loads' }
      let(:params) { { servers: servers, key_source: '/k' } }

      it { is_expected.to compile.and_raise_error(%r{Clustersync::Serverset\[up_loads\]: the title is csync2's config name and must match \[a-z0-9\]\+}) }
    end

    context 'without the class' do
      let(:pre_condition) { '' }
      let(:params) { { servers: servers, key_source: '/k' } }

      it { is_expected.to compile.and_raise_error(%r{Clustersync::Serverset\[uploads\]: declare class clustersync too}) }
    end

    context 'with a key_content that would leak in the message' do
      let(:params) { { servers: servers, key_content: 'tooshortbutsecret' } }

      it { is_expected.to compile.and_raise_error(%r{\A(?!.*tooshortbutsecret).*parameter 'key_content' expects}m) }
    end
  end
end
