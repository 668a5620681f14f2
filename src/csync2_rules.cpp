#include "csync2_rules.hpp"

#include <algorithm>

#include "text.hpp"

namespace clustersync {
namespace {

constexpr std::string_view kConfigPrefix = "csync2_";
constexpr std::string_view kConfigSuffix = ".cfg";

bool is_key_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
}

}  // namespace

const std::vector<std::string_view>& csync2_keywords() {
    // csync2 2.0's cfgfile_scanner.l: 24 literal words. `do-local-only` and `no-cygwin-lowercase`
    // are keywords too, although this project never writes them.
    static const std::vector<std::string_view> kKeywords = [] {
        std::vector<std::string_view> words = {
            "action",  "auto",         "backup-directory", "backup-generations", "compare", "config",
            "database", "do-local",    "do-local-only",    "exclude",            "exec",    "group",
            "host",    "ignore",       "include",          "key",                "lock-timeout", "logfile",
            "no-cygwin-lowercase",     "nossl",            "on",                 "pattern", "prefix",
            "tempdir"};
        std::sort(words.begin(), words.end());
        return words;
    }();
    return kKeywords;
}

bool is_csync2_keyword(std::string_view word) {
    const auto& words = csync2_keywords();
    return std::binary_search(words.begin(), words.end(), word);
}

bool is_csync2_config_name(std::string_view name) {
    return !name.empty() &&
           std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

std::string ascii_lower(std::string text) {
    for (auto& c : text)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return text;
}

std::vector<std::string> csync2_key_problems(const std::string& content) {
    std::vector<std::string> problems;
    std::string line = content.substr(0, content.find('\n'));
    if (!line.empty() && line.back() == '\r') {
        problems.push_back("the key's first line ends with CRLF, which csync2 rejects: expected a Unix line end");
        line.pop_back();
    }
    const auto bad = std::find_if(line.begin(), line.end(), [](char c) { return !is_key_char(c); });
    if (bad != line.end())
        problems.push_back("the key has a character csync2 does not allow at position " +
                           std::to_string(bad - line.begin() + 1) + " of " + std::to_string(line.size()) +
                           ": expected only A-Z, a-z, 0-9, . and _");
    if (line.size() < kMinKeyLength)
        problems.push_back("the key is " + std::to_string(line.size()) + " characters long, expected at least " +
                           std::to_string(kMinKeyLength) + " (csync2 -k writes 64)");
    return problems;
}

std::string csync2_config_file_name(const std::string& name) {
    return std::string(kConfigPrefix) + name + std::string(kConfigSuffix);
}

std::string csync2_key_file_name(const std::string& name) { return std::string(kConfigPrefix) + name + ".key"; }

std::string csync2_database_file_name(const std::string& node, const std::string& name) {
    return ascii_lower(node) + "_" + name + ".db3";
}

std::vector<std::string> serverset_names(const std::vector<std::string>& file_names) {
    std::vector<std::string> names;
    for (const auto& f : file_names) {
        if (f.size() <= kConfigPrefix.size() + kConfigSuffix.size() || !starts_with(f, kConfigPrefix) ||
            !ends_with(f, kConfigSuffix))
            continue;
        const std::string name = f.substr(kConfigPrefix.size(), f.size() - kConfigPrefix.size() - kConfigSuffix.size());
        if (is_csync2_config_name(name)) names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace clustersync
