#include "diagnostic.hpp"

#include <algorithm>

#include "escape.hpp"

namespace clustersync {

std::string to_string(const Diagnostic& d) { return d.path.empty() ? d.message : d.path + ": " + d.message; }

bool has_errors(const std::vector<Diagnostic>& ds) {
    return std::any_of(ds.begin(), ds.end(), [](const Diagnostic& d) { return d.severity == Severity::Error; });
}

std::string quote(const std::string& value) { return escape_quoted(value, "\\u%04x"); }

}  // namespace clustersync
