# @summary A csync2 pre-shared key: a first line of at least 32 characters of `[A-Za-z0-9._]`.
#
# csync2 reads only the first line and refuses CRLF line ends. `csync2 -k FILE` writes a key.
type Clustersync::Key = Pattern[/\A[A-Za-z0-9._]{32,}(?m:\n.*)?\z/]
