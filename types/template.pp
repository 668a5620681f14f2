# @summary A template name as `template()` (ending in `.erb`) or `epp()` (any other) takes it:
#   `module/file.erb` or `module/file.epp`.
type Clustersync::Template = Pattern[/\A[a-z][a-z0-9_]*\/\S+\z/]
