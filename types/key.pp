# @summary A csync2 pre-shared key: csync2 reads only the first line, which must hold at least
#   32 characters of `[A-Za-z0-9._]` (CRLF line ends are refused). `csync2 -k FILE` writes one.
type Clustersync::Key = Pattern[/\A[A-Za-z0-9._]{32,}(?m:\n.*)?\z/]
