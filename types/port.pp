# @summary The csync2 listener's TCP port: an integer or a numeric string, as the original module accepted both.
type Clustersync::Port = Variant[Integer[1, 65535], Pattern[/\A[1-9][0-9]{0,4}\z/]]
