# A member node: node_name makes this machine 'foo.example.net', so it gets the csync2 group
# and the lsyncd sync of serverset 'uploads', whose key is given inline as a Sensitive value.
file { '/var/uploads':
  ensure => directory,
}

class { 'clustersync':
  sources         => {
    '/var/uploads' => 'uploads',
  },
  csync_only_from => '10.0.100.0/24',
  node_name       => 'foo.example.net',
}

clustersync::serverset { 'uploads':
  servers     => [
    'foo.example.net@10.0.100.1',
    'bar.example.net@10.0.100.2',
  ],
  exclude     => ['*.tmp'],
  auto        => 'younger',
  key_content => Sensitive('0123456789abcdefghijABCDEFGHIJ.._0123456789abcdefghijABCDEFGHIJ'),
}
