#include "param_path.hpp"

#include <algorithm>

#include "diagnostic.hpp"

namespace clustersync {

std::string member_path(const std::string& parent, const std::string& key) {
    const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](unsigned char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!plain) return parent + "[" + quote(key) + "]";
    return parent.empty() ? key : parent + "." + key;
}

std::string element_path(const std::string& parent, std::size_t index) {
    return parent + "[" + std::to_string(index) + "]";
}

}  // namespace clustersync
