#include "csync2_cfg.hpp"

#include <cctype>
#include <cstddef>
#include <set>

#include "csync2_rules.hpp"

namespace clustersync {
namespace {

/// A token of csync2's config language. Punctuation tokens carry their one character as text.
struct Token {
    enum Kind { Word, Quoted, Punct, End } kind = End;
    std::string text;
    int line = 0;
};

bool is_punct(char c) { return c == '{' || c == '}' || c == ';' || c == '(' || c == ')' || c == '@'; }

bool is_word_char(char c) {
    return !std::isspace(static_cast<unsigned char>(c)) && !is_punct(c) && c != '#' && c != '"';
}

/// Splits the text into tokens the way cfgfile_scanner.l does for everything this reader needs.
/// A word may not end in ':' (that is the `on HOST:` separator of prefix blocks), so the colon
/// becomes a token of its own.
std::vector<Token> tokenize(const std::string& text) {
    std::vector<Token> tokens;
    int line = 1;
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == '\n') {
            ++line;
            ++i;
        } else if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
        } else if (c == '#') {
            // csync2's scanner starts a comment at any '#', also one inside a word ("/k#x" is "/k").
            while (i < text.size() && text[i] != '\n') ++i;
        } else if (c == '"') {
            const int start_line = line;
            std::size_t j = i + 1;
            std::string value;
            while (j < text.size() && text[j] != '"') {
                if (text[j] == '\n') ++line;
                value += text[j++];
            }
            tokens.push_back({Token::Quoted, value, start_line});
            i = j < text.size() ? j + 1 : j;
        } else if (is_punct(c)) {
            tokens.push_back({Token::Punct, std::string(1, c), line});
            ++i;
        } else {
            std::size_t j = i;
            while (j < text.size() && is_word_char(text[j])) ++j;
            std::string word = text.substr(i, j - i);
            if (word.size() > 1 && word.back() == ':') {
                word.pop_back();
                tokens.push_back({Token::Word, word, line});
                tokens.push_back({Token::Punct, ":", line});
            } else {
                tokens.push_back({Token::Word, word, line});
            }
            i = j;
        }
    }
    tokens.push_back({Token::End, "", line});
    return tokens;
}

class Reader {
public:
    explicit Reader(const std::string& text) : tokens_(tokenize(text)) {}

    Csync2Config read() {
        while (peek().kind != Token::End) {
            const Token t = next();
            if (is_word(t, "group")) {
                read_group();
            } else if (is_word(t, "tempdir")) {
                read_value(config_.tempdirs, "tempdir");
            } else if (t.kind == Token::Word) {
                skip_statement();
            } else {
                problem(t, "unexpected " + describe(t) + " at top level");
            }
        }
        return std::move(config_);
    }

private:
    const Token& peek() const { return tokens_[pos_]; }
    Token next() { return pos_ + 1 < tokens_.size() ? tokens_[pos_++] : tokens_[pos_]; }

    static bool is_word(const Token& t, const char* word) { return t.kind == Token::Word && t.text == word; }
    static bool is_punct(const Token& t, char c) { return t.kind == Token::Punct && t.text[0] == c; }
    static bool is_value(const Token& t) { return t.kind == Token::Word || t.kind == Token::Quoted; }

    static std::string describe(const Token& t) {
        switch (t.kind) {
            case Token::End: return "end of file";
            case Token::Punct: return "'" + t.text + "'";
            default: return "\"" + t.text + "\"";
        }
    }

    void problem(const Token& at, const std::string& what) {
        config_.problems.push_back("line " + std::to_string(at.line) + ": " + what);
    }

    /// Skips to the end of a statement: its ';', or a whole `{ ... }` block (action, prefix).
    void skip_statement() {
        while (peek().kind != Token::End) {
            const Token t = next();
            if (is_punct(t, ';')) return;
            if (is_punct(t, '{')) {
                skip_block();
                if (is_punct(peek(), ';')) next();
                return;
            }
            if (is_punct(t, '}')) {
                --pos_;  // the caller's block ends here
                return;
            }
        }
    }

    /// Skips the rest of a block whose '{' was just read.
    void skip_block() {
        int depth = 1;
        while (depth > 0 && peek().kind != Token::End) {
            const Token t = next();
            if (is_punct(t, '{')) ++depth;
            if (is_punct(t, '}')) --depth;
        }
    }

    void read_group() {
        Csync2Group group;
        const Token name = next();
        if (!is_value(name)) {
            problem(name, "expected a group name, got " + describe(name));
            return;
        }
        group.name = name.text;
        const Token open = next();
        if (!is_punct(open, '{')) {
            problem(open, "expected '{' after group " + group.name + ", got " + describe(open));
            return;
        }
        while (true) {
            const Token t = next();
            if (t.kind == Token::End) {
                problem(t, "group " + group.name + " is not closed with '}'");
                break;
            }
            if (is_punct(t, '}')) break;
            if (is_word(t, "host")) {
                read_hosts(group);
            } else if (is_word(t, "key")) {
                read_value(group.keys, "key");
            } else if (is_word(t, "include")) {
                read_value(group.includes, "include");
            } else if (is_word(t, "exclude")) {
                read_value(group.excludes, "exclude");
            } else {
                skip_statement();
            }
        }
        config_.groups.push_back(std::move(group));
    }

    void read_value(std::vector<std::string>& into, const char* what) {
        // csync2 accepts several patterns in one include/exclude statement.
        while (is_value(peek())) into.push_back(next().text);
        const Token end = next();
        if (!is_punct(end, ';')) problem(end, std::string("expected ';' after ") + what + ", got " + describe(end));
    }

    void read_hosts(Csync2Group& group) {
        bool slave = false;
        while (true) {
            const Token t = next();
            if (is_punct(t, ';')) return;
            if (is_punct(t, '(')) {
                slave = true;
            } else if (is_punct(t, ')')) {
                slave = false;
            } else if (is_value(t) && !(t.kind == Token::Word && is_csync2_keyword(t.text))) {
                Csync2Host host{t.text, "", slave};
                if (is_punct(peek(), '@')) {
                    next();
                    const Token address = next();
                    if (!is_value(address)) {
                        problem(address, "expected an address after " + t.text + "@, got " + describe(address));
                        return;
                    }
                    host.address = address.text;
                }
                group.hosts.push_back(std::move(host));
            } else {
                problem(t, "expected ';' after host, got " + describe(t));
                if (t.kind != Token::End) --pos_;  // let the group go on from the keyword or '}'
                return;
            }
        }
    }

    std::vector<Token> tokens_;
    std::size_t pos_ = 0;
    Csync2Config config_;
};

}  // namespace

Csync2Config read_csync2_config(const std::string& text) { return Reader(text).read(); }

bool is_member(const Csync2Group& group, const std::string& node) {
    const std::string wanted = ascii_lower(node);
    for (const auto& h : group.hosts)
        if (ascii_lower(h.name) == wanted) return true;
    return false;
}

std::string csync2_peer_name(const Csync2Host& host) { return host.address.empty() ? ascii_lower(host.name) : host.address; }

std::vector<Csync2Host> member_peers(const Csync2Config& config, const std::string& node) {
    const std::string self = ascii_lower(node);
    std::vector<Csync2Host> peers;
    std::set<std::string> seen;
    for (const auto& g : config.groups) {
        if (!is_member(g, node)) continue;
        for (const auto& h : g.hosts) {
            const std::string lower = ascii_lower(h.name);
            if (lower != self && seen.insert(lower).second) peers.push_back(h);
        }
    }
    return peers;
}

}  // namespace clustersync
