#pragma once
// Names of parameters in diagnostics: `serversets.uploads.servers[2]`, `sources["/var/up loads"]`.

#include <cstddef>
#include <string>

namespace clustersync {

/// The path of member `key` of the object at `parent` (empty parent: the document root).
/// A key of letters, digits and `_` is written `.key`; any other key as `["key"]`, quoted with
/// quote(), so a path, a dot or a control character in a key cannot make the path ambiguous.
std::string member_path(const std::string& parent, const std::string& key);

/// The path of element `index` (0-based) of the array at `parent`: `parent[index]`.
std::string element_path(const std::string& parent, std::size_t index);

}  // namespace clustersync
