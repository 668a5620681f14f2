# @summary A template name: `module/file.erb` (rendered by `template()`) or `module/file.epp` (by `epp()`).
type Clustersync::Template = Pattern[/\A[a-z][a-z0-9_]*\/\S+\z/]
