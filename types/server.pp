# @summary A member of a serverset: `hostname`, or `hostname@address` (the address peers connect to).
#
# The address is a host name, an IPv4 or an IPv6 address.
type Clustersync::Server = Pattern[/\A[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(?:@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*))?\z/] # lint:ignore:140chars
