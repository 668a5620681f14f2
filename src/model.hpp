#pragma once
// The JSON model as plain structs. parse.cpp fills them; nothing here does I/O.
// Values are kept as given (after JSON type checks); validate.cpp judges them and
// plan.cpp (plan_node) merges and normalises them for one node.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace clustersync {

/// The class's default `csync_tempdir`: a directory of csync2's own, outside every watched tree.
inline constexpr const char* kDefaultTempdir = "/var/lib/csync2/clustersync-tmp";

/// Where lsyncd keeps the state of its push lanes (one file per group, read by `facts` and
/// `doctor`) and the empty directory the lanes watch; root-only.
inline constexpr const char* kStateDir = "/var/lib/clustersync";

/// Where files live on the node's OS family (defaults: Debian).
struct Layout {
    std::string csync2_dir = "/etc";                           ///< csync2's compiled-in ETCDIR
    std::string lsyncd_config = "/etc/lsyncd/lsyncd.conf.lua";  ///< file the lsyncd service reads
    std::string csync2_bin = "/usr/sbin/csync2";                ///< csync2 executable lsyncd spawns
};

/// Whether and how a serverset's key was given.
enum class KeyContent {
    Absent,    ///< key_content not given
    Inline,    ///< key_content holds the key itself (only when run by hand)
    External,  ///< key_content: true; the caller writes the key file and keeps the secret out of the model
};

/// One `clustersync::serverset`: a csync2 group, named after the serverset.
struct Serverset {
    std::string name;                       ///< title; also the csync2 config name (-C NAME)
    std::vector<std::string> servers;       ///< "host" or "host@address", as given
    std::vector<std::string> exclude;       ///< csync2 exclude patterns, as given
    std::string auto_resolve = "none";      ///< csync2 `auto` conflict strategy
    std::optional<std::string> key_source;  ///< puppet:///, file:// URL or absolute path
    KeyContent key_content_kind = KeyContent::Absent;
    std::string key_content;                ///< the secret when key_content_kind == Inline; never printed
};

/// The whole model: the class parameters, the serversets and the node to render for.
struct Model {
    std::optional<std::string> node;  ///< csync2 host name of the node to render for (render needs it)
    /// Run csync2 with -N node. Only when the csync2 name is not the host name: with -N, csync2
    /// also binds its outgoing connections to the address that name resolves to.
    bool node_name_flag = false;
    Layout layout;
    std::map<std::string, std::string> sources;  ///< path as given -> serverset name
    std::string logdir = "/var/log/lsyncd";
    std::string logdir_owner = "root";
    std::string logdir_group = "root";
    std::string logdir_mode = "0755";
    std::string csync_port = "30865";         ///< JSON integer or string, kept as text
    std::optional<std::string> csync_only_from;  ///< space-separated addresses/CIDR blocks; absent = any
    std::string lsyncd_delay = "0.2";         ///< seconds lsyncd gathers events before one csync2 run
    /// csync2's `tempdir`: where it writes its scratch files instead of beside each file (none:
    /// csync2's default, beside the file, where the watcher sees them).
    std::optional<std::string> csync_tempdir = std::string(kDefaultTempdir);
    bool ssl = false;                         ///< false renders `nossl * *;`
    std::map<std::string, Serverset> serversets;  ///< by name
};

}  // namespace clustersync
