#pragma once
// Reading an existing csync2 config file back: the groups with their hosts, key files, includes
// and excludes. `doctor` needs them to judge a node; csync2 itself stays the authority on whether
// the file parses (doctor runs it for that), so this reader is lenient and only extracts.

#include <string>
#include <vector>

namespace clustersync {

/// One name of a `host` statement.
struct Csync2Host {
    std::string name;     ///< as written (csync2 compares it lower-cased)
    std::string address;  ///< the part after `@`, empty when none
    bool slave = false;   ///< written in parentheses: receives only
};

/// One `group NAME { ... }` block.
struct Csync2Group {
    std::string name;
    std::vector<Csync2Host> hosts;
    std::vector<std::string> keys;      ///< key file paths (csync2 wants exactly one)
    std::vector<std::string> includes;  ///< include patterns, in order
    std::vector<std::string> excludes;  ///< exclude patterns, in order
};

/// What read_csync2_config() found: the groups, and the places it could not follow
/// ("line 4: expected ';' after host, got end of file").
struct Csync2Config {
    std::vector<Csync2Group> groups;
    std::vector<std::string> tempdirs;  ///< `tempdir DIR;` statements, in order (csync2 uses the last)
    std::vector<std::string> problems;
};

/// Extracts the groups of a csync2 config text following csync2 2.0's grammar: unquoted words,
/// "quoted strings" (no escapes, may span lines), `#` comments at the start of a token, and
/// `host a b@addr (c);`, and the top-level `tempdir`. Statements it does not need (action blocks,
/// prefix, nossl, ...) are skipped.
Csync2Config read_csync2_config(const std::string& text);

/// csync2's membership rule: `node` lower-cased equals a host name of the group lower-cased.
bool is_member(const Csync2Group& group, const std::string& node);

/// The name csync2 gives a host as a peer: the address of `NAME@ADDRESS`, else the host name
/// lower-cased. It is csync2's `dirty.peername`, what `-P` takes, and the peer lsyncd's push
/// lanes report on.
std::string csync2_peer_name(const Csync2Host& host);

/// The peers of `node`: the hosts of every group it is a member of other than itself, each
/// once (by lower-cased host name), in the order of the file.
std::vector<Csync2Host> member_peers(const Csync2Config& config, const std::string& node);

}  // namespace clustersync
