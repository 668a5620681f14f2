#include "csync2_word.hpp"

#include "csync2_rules.hpp"

namespace clustersync {
namespace {

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
    // The scanner's literal tokens: a bare word equal to one is that token, not a value.
    return word == "{" || word == "}" || is_csync2_keyword(word);
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
