# @summary Addresses and CIDR blocks the csync2 listener accepts, separated by spaces (as xinetd's `only_from`).
#
# For example `'10.0.100.0/24 10.0.200.0/24'`.
type Clustersync::OnlyFrom = Pattern[/\A[0-9A-Fa-f.:\/]+(?: +[0-9A-Fa-f.:\/]+)*\z/]
