# @summary A host name as csync2 compares it with its own (RFC 1123 labels of letters, digits and hyphens).
type Clustersync::Host = Pattern[/\A(?=.{1,253}\z)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\z/] # lint:ignore:140chars
