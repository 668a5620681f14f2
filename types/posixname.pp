# @summary A user or group name (the portable shadow-utils rule).
type Clustersync::PosixName = Pattern[/\A[a-z_][a-z0-9_-]{0,30}\$?\z/]
