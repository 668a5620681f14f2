#include "diagnostic.hpp"

#include <algorithm>

#include "escape.hpp"

namespace clustersync {

std::string to_string(const Diagnostic& d) { return d.path.empty() ? d.message : d.path + ": " + d.message; }

bool has_errors(const std::vector<Diagnostic>& ds) {
    return std::any_of(ds.begin(), ds.end(), [](const Diagnostic& d) { return d.severity == Severity::Error; });
}

std::string quote(const std::string& value) {
    // Longer than any value a valid model holds (paths stop at 4,095 bytes): a message shows
    // its start and its length, so hostile input cannot blow up a log line.
    constexpr std::size_t limit = 8192;
    if (value.size() <= limit) return escape_quoted(value, "\\u%04x");
    // 64 bytes, fewer when that would cut a UTF-8 character (never a lone byte of one).
    std::size_t shown = 64;
    while (shown > 0 && (static_cast<unsigned char>(value[shown]) & 0xC0) == 0x80) --shown;
    std::string head = escape_quoted(value.substr(0, shown), "\\u%04x");
    head.insert(head.size() - 1, "...");
    return head + " (" + std::to_string(value.size()) + " bytes)";
}

}  // namespace clustersync
