# @summary Seconds lsyncd gathers events before one csync2 run: 0 to 86400, at most 3 decimals.
type Clustersync::Delay = Variant[Integer[0, 86400], Float[0.0, 86400.0], Pattern[/\A[0-9]{1,5}(\.[0-9]{1,3})?\z/]]
