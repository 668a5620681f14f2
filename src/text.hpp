#pragma once
// Small text helpers shared by the parsers of what the node shows and by the messages.

#include <string>
#include <string_view>
#include <vector>

namespace clustersync {

/// `s` without leading and trailing spaces, tabs, CRs and LFs.
std::string trim(std::string_view s);

/// Whether `s` starts with `prefix`.
bool starts_with(std::string_view s, std::string_view prefix);

/// Whether `s` ends with `suffix`.
bool ends_with(std::string_view s, std::string_view suffix);

/// The lines of `text` without their '\n' (a last line without one counts; no empty last line).
std::vector<std::string> lines_of(const std::string& text);

/// The items with `separator` between them ("a, b, c"); empty for no items.
template <typename Items>
std::string join(const Items& items, std::string_view separator) {
    std::string out;
    bool first = true;
    for (const auto& item : items) {
        if (!first) out += separator;
        out += item;
        first = false;
    }
    return out;
}

}  // namespace clustersync
