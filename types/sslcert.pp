# @summary A PEM certificate (the one certificate every member shares for csync2's SSL).
type Clustersync::SslCert = Pattern[/\A-----BEGIN CERTIFICATE-----\n(?m:.*)-----END CERTIFICATE-----\n?\z/]
