#include "lua.hpp"

#include "escape.hpp"

namespace clustersync {

std::string lua_string(const std::string& value) {
    // Always three digits: Lua reads up to three, so a digit after the escape ("\0011") cannot
    // be swallowed into it.
    return escape_quoted(value, "\\%03u");
}

}  // namespace clustersync
