#include "lua.hpp"

#include <cstdio>

namespace clustersync {

std::string lua_string(const std::string& value) {
    std::string out;
    out.reserve(value.size() + 2);
    out += '"';
    for (unsigned char c : value) {
        switch (c) {
            case '\\': out += "\\\\"; break;
            case '"': out += "\\\""; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    // Always three digits: Lua reads up to three, so a digit after the escape
                    // ("\0011") cannot be swallowed into it.
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\%03u", static_cast<unsigned>(c));
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    out += '"';
    return out;
}

}  // namespace clustersync
