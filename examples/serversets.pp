# Serversets given as the class's `serversets` hash (as Hiera would give them), mixed with a
# separately declared serverset; a systemd socket listener and SSL with one shared certificate.
# Services are left alone so the example also applies where systemd is not running.
file { ['/srv/www', '/srv/media']:
  ensure => directory,
}

class { 'clustersync':
  sources         => {
    '/srv/www'   => 'web',
    '/srv/media' => 'media',
  },
  serversets      => {
    'web' => {
      'servers'     => ['node1.example.net@10.0.100.1', 'node2.example.net@10.0.100.2'],
      'exclude'     => ['*.swp', '/srv/www/cache'],
      'auto'        => 'younger',
      'key_content' => Sensitive('webwebwebwebwebwebwebwebwebwebwebweb0123'),
    },
  },
  node_name       => 'node1.example.net',
  listener        => 'systemd',
  csync_only_from => '10.0.100.0/24',
  csync_port      => '30866',
  lsyncd_delay    => 2,
  ssl             => true,
  ssl_cert        => "-----BEGIN CERTIFICATE-----\nMIIBexample\n-----END CERTIFICATE-----\n",
  ssl_key         => Sensitive("-----BEGIN PRIVATE KEY-----\nMIIBexample\n-----END PRIVATE KEY-----\n"),
  manage_services => false,
}

clustersync::serverset { 'media':
  servers     => ['node1.example.net', 'node3.example.net'],
  key_content => Sensitive('mediamediamediamediamediamediamedia01234'),
}
