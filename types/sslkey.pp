# @summary A PEM private key (the key of the certificate every member shares for csync2's SSL).
type Clustersync::SslKey = Pattern[/\A-----BEGIN (?:RSA |EC )?PRIVATE KEY-----\n(?m:.*)-----END (?:RSA |EC )?PRIVATE KEY-----\n?\z/]
