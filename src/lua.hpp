#pragma once
// Writing data into Lua source text (lsyncd's config is a Lua program).

#include <string>

namespace clustersync {

/// The Lua string literal ("...", double quotes included) whose value is exactly `value`.
/// Backslash, double quote and every control character are escaped, so no byte of a path or
/// pattern can end the literal or change what the file means; bytes >= 0x80 (UTF-8) stay as
/// they are, because Lua strings are 8-bit clean.
std::string lua_string(const std::string& value);

}  // namespace clustersync
