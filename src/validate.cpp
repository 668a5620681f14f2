#include "validate.hpp"

// Message style, shared with parse.cpp and pinned by the tests: the path names the parameter,
// the message starts with the offending value, quoted, then says what was expected:
//   serversets.uploads.auto: "sometimes" is not one of none, first, younger, ...
//   sources["srv/x"]: "srv/x" is not a normalised absolute path: it does not start with /
// Findings about a whole serverset or about the key (a secret) describe instead of quoting.

#include <boost/regex.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "csync2_rules.hpp"
#include "net.hpp"
#include "param_path.hpp"
#include "paths.hpp"
#include "text.hpp"

namespace clustersync {
namespace {

const char* const kHostNameRule = "RFC 1123: dot-separated labels of 1 to 63 letters, digits and hyphens";
const char* const kAutoValues[] = {"none", "first", "younger", "older", "bigger", "smaller", "left", "right"};
/// The most servers a serverset may list: each member runs one push lane per peer.
constexpr std::size_t kMaxServers = 1000;
/// The most host, include and exclude lines one csync2 group may hold: csync2 2.0's parser
/// fails with "memory exhausted" near 5,000 (its grammar stacks every line of a group).
constexpr std::size_t kMaxGroupStatements = 4000;
/// Above this many declared serversets a message stops listing them.
constexpr std::size_t kMaxListedServersets = 10;

/// Why `value` cannot be a directory or file path of the layout or logdir, or nothing.
/// Unlike sources, these paths are joined with file names, so a trailing slash is refused.
std::optional<std::string> strict_path_problem(const std::string& value) {
    if (auto problem = path_problem(value)) return problem;
    if (value.back() == '/') return std::string("it ends with /");
    return std::nullopt;
}

/// Collects findings in the order the checks run, which follows the README's schema table.
class Checker {
public:
    std::vector<Diagnostic> run(const Model& m) {
        if (m.node && !is_host_name(*m.node))
            error("node", quote(*m.node) + " is not a valid host name (" + kHostNameRule + ")");
        path("layout.csync2_dir", m.layout.csync2_dir);
        path("layout.lsyncd_config", m.layout.lsyncd_config);
        command("layout.csync2_bin", m.layout.csync2_bin);
        sources(m);
        path("logdir", m.logdir);
        posix_name("logdir_owner", m.logdir_owner, "user");
        posix_name("logdir_group", m.logdir_group, "group");
        mode("logdir_mode", m.logdir_mode);
        number("csync_port", m.csync_port, 1, 65535, "is not a port: expected an integer from 1 to 65535");
        if (m.csync_only_from) only_from("csync_only_from", *m.csync_only_from);
        seconds("lsyncd_delay", m.lsyncd_delay, 86400,
                "is not a delay: expected seconds from 0 to 86400, with at most 3 decimals (e.g. 0.2)");
        if (m.csync_tempdir) tempdir("csync_tempdir", *m.csync_tempdir, m);
        std::map<std::string, std::size_t> used;  // serverset -> sources naming it
        for (const auto& source : m.sources) ++used[source.second];
        for (const auto& entry : m.serversets) serverset(member_path("serversets", entry.first), entry.second, used);
        return std::move(out_);
    }

private:
    void error(const std::string& p, const std::string& message) { out_.push_back({Severity::Error, p, message}); }
    void warning(const std::string& p, const std::string& message) {
        out_.push_back({Severity::Warning, p, message});
    }

    /// A program the listener runs as root: xinetd's `server` and systemd's ExecStart split
    /// words at white space and systemd expands % and $, so only plain path characters pass,
    /// and the value stays one path (never a program plus arguments).
    void command(const std::string& p, const std::string& value) {
        if (auto problem = strict_path_problem(value)) {
            error(p, quote(value) + " is not a normalised absolute path: " + *problem);
            return;
        }
        const auto bad = std::find_if(value.begin(), value.end(), [](unsigned char c) {
            return !(std::isalnum(c) || c == '/' || c == '.' || c == '_' || c == '-' || c == '+');
        });
        if (bad == value.end()) return;
        // The whole character (the model is valid UTF-8), never a lone byte of one.
        const auto lead = static_cast<unsigned char>(*bad);
        const std::size_t width = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
        const std::string character(bad, bad + std::min(static_cast<std::ptrdiff_t>(width), value.end() - bad));
        error(p, quote(value) + " is not a program path: " +
                     (std::isspace(lead) ? std::string("it contains white space") : "it contains " + quote(character)) +
                         "; expected the path of the csync2 program alone (letters, digits, / . _ + -), no arguments");
    }

    void path(const std::string& p, const std::string& value) {
        if (auto problem = strict_path_problem(value))
            error(p, quote(value) + " is not a normalised absolute path: " + *problem);
    }

    void posix_name(const std::string& p, const std::string& value, const char* kind) {
        // The portable shadow-utils rule; 32 is the utmp limit useradd enforces.
        static const boost::regex re(R"([a-z_][a-z0-9_-]*\$?)");
        if (value.size() > 32 || !boost::regex_match(value, re))
            error(p, quote(value) + " is not a POSIX " + kind +
                         " name: expected up to 32 characters of a-z, 0-9, _ and -, starting with a-z or _ "
                         "(a trailing $ allowed)");
    }

    void mode(const std::string& p, const std::string& value) {
        static const boost::regex re(R"([0-7]{3,4})");
        if (!boost::regex_match(value, re))
            error(p, quote(value) + " is not an octal mode: expected 3 or 4 octal digits, such as \"0755\"");
    }

    void number(const std::string& p, const std::string& value, unsigned long min, unsigned long max,
                const char* expected) {
        static const boost::regex re(R"([0-9]{1,6})");
        if (!boost::regex_match(value, re) || std::stoul(value) < min || std::stoul(value) > max)
            error(p, quote(value) + " " + expected);
    }

    /// Seconds with at most three decimals (lsyncd counts in 10 ms clock ticks), up to max.
    void seconds(const std::string& p, const std::string& value, unsigned long max, const char* expected) {
        static const boost::regex re(R"(([0-9]{1,6})(\.[0-9]{1,3})?)");
        boost::smatch parts;
        if (boost::regex_match(value, parts, re)) {
            const unsigned long whole = std::stoul(parts[1].str());
            const bool no_fraction = parts[2].str().find_first_not_of(".0") == std::string::npos;
            if (whole < max || (whole == max && no_fraction)) return;
        }
        error(p, quote(value) + " " + expected);
    }

    void only_from(const std::string& p, const std::string& value) {
        std::size_t entry = 0, start = 0;
        while (start < value.size()) {
            if (value[start] == ' ') {
                ++start;
                continue;
            }
            std::size_t end = value.find(' ', start);
            if (end == std::string::npos) end = value.size();
            const std::string token = value.substr(start, end - start);
            ++entry;
            if (auto problem = address_or_block_problem(token))
                error(p, "entry " + std::to_string(entry) + ", " + quote(token) + ": " + *problem);
            start = end;
        }
        if (entry == 0)
            error(p, quote(value) +
                         " lists no address: expected space-separated IPv4/IPv6 addresses and CIDR blocks "
                         "(leave it out to accept any address)");
    }

    /// csync2's tempdir: a directory of its own (the module makes it root-only). Within a source
    /// its scratch files would be watched and synced, so that serverset goes without it.
    void tempdir(const std::string& p, const std::string& value, const Model& m) {
        if (auto problem = strict_path_problem(value)) {
            error(p, quote(value) + " is not a normalised absolute path: " + *problem);
            return;
        }
        for (const char* shared : {"/tmp", "/var/tmp", "/dev/shm", "/run"}) {
            if (value == shared) {
                error(p, quote(value) +
                             " is shared with other users: csync2 needs a directory of its own (the module "
                             "makes it root-only, 0700), such as " + quote(kDefaultTempdir));
                return;
            }
        }
        for (const auto& source : m.sources) {
            if (path_problem(source.first)) continue;  // reported under sources
            if (lies_within(value, normalise_path(source.first)))
                warning(p, quote(value) + " lies within " + quote(source.first) + ", a source of serverset " +
                               quote(source.second) +
                               ": that serverset's csync2 keeps its scratch files beside each file, where lsyncd "
                               "sees them; choose a directory outside every source");
        }
    }

    void sources(const Model& m) {
        std::string declared;
        if (m.serversets.empty()) {
            declared = ", and no serverset is declared";
        } else if (m.serversets.size() <= kMaxListedServersets) {
            for (const auto& s : m.serversets) declared += (declared.empty() ? ", expected one of " : ", ") + s.first;
        }
        // Normalised path -> the source key first seen with it; valid paths only.
        std::map<std::string, const std::pair<const std::string, std::string>*> seen;
        for (const auto& source : m.sources) {
            auto p = [&] { return member_path("sources", source.first); };
            if (auto problem = path_problem(source.first)) {
                error(p(), quote(source.first) + " is not a normalised absolute path: " + *problem);
            } else if (normalise_path(source.first) == "/") {
                // csync2 reads `include /;` but then finds no file under it: nothing would sync.
                error(p(), quote(source.first) +
                               " is the root directory: csync2 cannot sync it; name the directories to sync");
            } else {
                auto inserted = seen.emplace(normalise_path(source.first), &source);
                if (!inserted.second)
                    error(p(), quote(source.first) + " names the same directory as " +
                                   quote(inserted.first->second->first));
            }
            if (!m.serversets.count(source.second))
                error(p(), quote(source.second) + " is not a declared serverset" + declared);
        }
        // A source inside another serverset's source: both csync2 groups would claim its files.
        // Sorted with '/' first, a directory's descendants follow it at once, so one pass with
        // a stack of open directories finds each source's nearest enclosing source: linear in
        // the paths' total length after the sort, whatever their depth.
        std::vector<const std::pair<const std::string, const std::pair<const std::string, std::string>*>*> order;
        for (const auto& entry : seen) order.push_back(&entry);
        std::sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
            return std::lexicographical_compare(a->first.begin(), a->first.end(), b->first.begin(), b->first.end(),
                                                [](char x, char y) {
                                                    auto rank = [](char c) {
                                                        return c == '/' ? 0 : static_cast<unsigned char>(c) + 1;
                                                    };
                                                    return rank(x) < rank(y);
                                                });
        });
        std::vector<const std::pair<const std::string, const std::pair<const std::string, std::string>*>*> open;
        for (const auto* entry : order) {
            while (!open.empty() && !lies_within(entry->first, open.back()->first)) open.pop_back();
            if (!open.empty()) {
                const auto& inner = *entry->second;
                const auto& outer = *open.back()->second;
                if (outer.second != inner.second)
                    error(member_path("sources", inner.first),
                          quote(inner.first) + " lies inside " + quote(outer.first) + ", a source of serverset " +
                              quote(outer.second) + ": two serversets would sync the same files");
            }
            open.push_back(entry);
        }
    }

    void serverset(const std::string& p, const Serverset& s, const std::map<std::string, std::size_t>& used) {
        if (!is_csync2_config_name(s.name))
            error(p, quote(s.name) +
                         " is not a serverset name: expected lower-case letters and digits only "
                         "([a-z0-9]+, csync2's rule for config names)");
        if (!used.count(s.name)) warning(p, "no source names serverset " + quote(s.name) + ": it syncs nothing");
        servers(member_path(p, "servers"), s.servers);
        const auto sources = used.count(s.name) ? used.at(s.name) : 0;
        const std::size_t statements = s.servers.size() + s.exclude.size() + sources;
        if (statements > kMaxGroupStatements)
            error(p, std::to_string(s.servers.size()) + " servers, " + std::to_string(s.exclude.size()) +
                         " excludes and " + std::to_string(sources) + " sources make " + std::to_string(statements) +
                         " lines of one csync2 group, more than " + std::to_string(kMaxGroupStatements) +
                         " (csync2 2.0 fails with \"memory exhausted\" near 5,000)");
        for (std::size_t i = 0; i < s.exclude.size(); ++i) pattern(element_path(member_path(p, "exclude"), i), s.exclude[i]);
        if (std::none_of(std::begin(kAutoValues), std::end(kAutoValues),
                         [&](const char* v) { return s.auto_resolve == v; })) {
            error(member_path(p, "auto"), quote(s.auto_resolve) + " is not one of " + join(kAutoValues, ", "));
        }
        const bool has_content = s.key_content_kind != KeyContent::Absent;
        if (s.key_source && has_content)
            error(p, "key_source and key_content are both given, expected exactly one");
        if (!s.key_source && !has_content)
            error(p, "neither key_source nor key_content is given, expected exactly one");
        if (s.key_source) key_source(member_path(p, "key_source"), *s.key_source);
        if (s.key_content_kind == KeyContent::Inline) key_content(member_path(p, "key_content"), s.key_content);
    }

    void servers(const std::string& p, const std::vector<std::string>& list) {
        if (list.empty())
            warning(p, "no servers: a serverset needs at least 2 to sync anything");
        else if (list.size() == 1)
            warning(p, "only 1 server: a serverset needs at least 2 to sync anything");
        if (list.size() > kMaxServers)
            error(p, std::to_string(list.size()) + " servers, more than " + std::to_string(kMaxServers) +
                         " (each member runs a push lane per peer)");
        std::map<std::string, std::size_t> hosts;  // lower-cased host name -> first index
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string& server = list[i];
            const std::string ep = element_path(p, i);
            const std::size_t at = server.find('@');
            const std::string host = server.substr(0, at);
            const std::string prefix = at == std::string::npos ? "" : quote(server) + ": ";
            bool ok = true;
            if (!is_host_name(host)) {
                error(ep, prefix + quote(host) + " is not a valid host name (" + kHostNameRule + ")");
                ok = false;
            }
            if (at != std::string::npos) {
                const std::string address = server.substr(at + 1);
                if (!is_ipv4(address) && !is_ipv6(address) && !is_host_name(address))
                    error(ep, prefix + quote(address) + " is not an IPv4 address, IPv6 address or host name");
            }
            if (!ok) continue;
            auto inserted = hosts.emplace(ascii_lower(host), i);
            if (!inserted.second)
                error(ep, quote(server) + " is the same host as " + element_path(p, inserted.first->second) + ", " +
                              quote(list[inserted.first->second]) + " (csync2 compares host names lower-cased)");
        }
    }

    void pattern(const std::string& p, const std::string& value) {
        std::string problem;
        if (value.empty())
            problem = "it is empty";
        else if (std::any_of(value.begin(), value.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
            problem = "it contains a control character";
        else if (value.find('"') != std::string::npos)
            problem = "it contains \", which a csync2 config cannot write";
        else if (value.front() == '%')
            problem = "it starts with %, which csync2 reads as a prefix name (%name%), not a glob";
        else if (value.size() > kMaxPathLength)
            problem = "it is " + std::to_string(value.size()) + " bytes long, longer than " +
                      std::to_string(kMaxPathLength) + " (PATH_MAX less the NUL and a /)";
        if (!problem.empty()) error(p, quote(value) + " is not a writable csync2 pattern: " + problem);
    }

    void key_source(const std::string& p, const std::string& value) {
        static const boost::regex puppet_re(R"(puppet:///[^/[:space:][:cntrl:]][^[:space:][:cntrl:]]*)");
        if (boost::regex_match(value, puppet_re)) return;
        const std::string file_scheme = "file://";
        const bool is_url = value.compare(0, file_scheme.size(), file_scheme) == 0;
        if (!is_url && (value.empty() || value.front() != '/')) {
            error(p, quote(value) + " is not a key source: expected puppet:///..., file:///... or an absolute path");
            return;
        }
        if (auto problem = strict_path_problem(is_url ? value.substr(file_scheme.size()) : value))
            error(p, quote(value) + " is not a key source: its path is not a normalised absolute path: " + *problem);
    }

    /// csync2's key rule. The key is a secret: its messages give lengths and positions only.
    void key_content(const std::string& p, const std::string& value) {
        for (const auto& problem : csync2_key_problems(value)) error(p, problem);
    }

    std::vector<Diagnostic> out_;
};

}  // namespace

std::vector<Diagnostic> validate(const Model& model) { return Checker().run(model); }

}  // namespace clustersync
