# @summary A serverset name: also csync2's config name (`csync2 -C NAME`), which csync2 limits to `[a-z0-9]+`.
type Clustersync::Name = Pattern[/\A[a-z0-9]+\z/]
