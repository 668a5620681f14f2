# @summary A file mode as an octal string (`'0755'` or `'755'`).
type Clustersync::Mode = Pattern[/\A0?[0-7]{3}\z/]
