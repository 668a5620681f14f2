#pragma once

#include <string>

namespace clustersync {

/// `value` between double quotes with backslash, double quote, \n, \r and \t escaped C-style,
/// and every other control character written with `control_format` (a printf format taking the
/// byte as an unsigned int). Shared by the JSON-like quoting of messages and Lua literals.
std::string escape_quoted(const std::string& value, const char* control_format);

}  // namespace clustersync
