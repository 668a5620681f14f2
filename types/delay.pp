# @summary Seconds lsyncd gathers events before one csync2 run.
type Clustersync::Delay = Variant[Integer[0, 86400], Pattern[/\A[0-9]{1,5}\z/]]
