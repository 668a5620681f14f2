# @summary csync2's automatic conflict resolution (`auto` in a group); `none` leaves conflicts to `csync2 -f`.
type Clustersync::Auto = Enum['none', 'first', 'younger', 'older', 'bigger', 'smaller', 'left', 'right']
