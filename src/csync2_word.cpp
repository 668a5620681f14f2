#include "csync2_word.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace clustersync {
namespace {

// Every literal the scanner matches before its word rule; an equal word becomes that token.
// "config" even switches the scanner into include-file mode.
constexpr std::array<std::string_view, 28> kTokens = {
    "{",          "}",        "nossl",      "ignore",           "database",           "group",
    "host",       "exclude",  "include",    "compare",          "key",                "auto",
    "action",     "pattern",  "exec",       "logfile",          "do-local",           "do-local-only",
    "prefix",     "on",       "lock-timeout", "tempdir",        "backup-directory",   "backup-generations",
    "no-cygwin-lowercase", "config", "(", ")"};

bool needs_quotes(const std::string& word) {
    if (word.empty()) return true;
    for (char c : word) {
        switch (c) {
            case ' ': case '\t': case '\r': case '\n':
            case '@': case ';': case '(': case ')': case '#': case '"':
                return true;
            default: break;
        }
    }
    if (word.back() == ':') return true;
    return std::find(kTokens.begin(), kTokens.end(), std::string_view(word)) != kTokens.end();
}

}  // namespace

std::string csync2_word(const std::string& word) {
    return needs_quotes(word) ? "\"" + word + "\"" : word;
}

std::string fnmatch_literal(const std::string& path) {
    std::string out;
    out.reserve(path.size());
    for (char c : path) {
        if (c == '\\' || c == '*' || c == '?' || c == '[') out += '\\';
        out += c;
    }
    return out;
}

}  // namespace clustersync
