#pragma once
// `clustersync-helper facts`: what this node knows about its sync, as a Facter external fact.
// gather_facts() reads the node (through probe.hpp); render_facts_json() is pure.

#include <optional>
#include <string>
#include <vector>

#include "lanes.hpp"
#include "model.hpp"

namespace clustersync {

/// An installed program: where and which version.
struct ProgramFacts {
    bool found = false;
    std::string path;
    std::string version;  ///< empty when it could not be told
};

/// One serverset configured on this node (a csync2_NAME.cfg file).
struct ServersetFacts {
    std::string name;
    std::string config;          ///< path of its csync2 file
    std::optional<long> dirty;   ///< distinct files waiting to be pushed; none when unknown
    std::string dirty_error;     ///< why dirty is unknown
    std::vector<PeerPushes> peers;  ///< this node's peers in it (none when it is not a member), sorted by name
    std::string lanes_error;        ///< what is wrong with the group's .lanes file (missing, unreadable, malformed lines)
};

/// Everything `facts` reports.
struct Facts {
    std::string helper_version;
    std::string hostname;  ///< as csync2 compares it: gethostname() (or --node), lower-cased
    ProgramFacts csync2;
    std::string csync2_config_dir;
    std::string csync2_database_dir;
    std::vector<ServersetFacts> serversets;  ///< sorted by name
    ProgramFacts lsyncd;
    std::vector<int> lsyncd_pids;            ///< running lsyncd processes on this node
    std::optional<long> max_user_watches;    ///< the inotify watch limit that applies here
    std::optional<long> watches;             ///< inotify watches lsyncd holds; none when unreadable
};

/// Where `facts` looks; empty strings mean "find out".
struct FactsOptions {
    std::string node;          ///< csync2 host name (csync2 -N); default gethostname() lower-cased
    std::string config_dir;    ///< csync2's config directory
    std::string database_dir;  ///< csync2's database directory (csync2 -D)
    std::string cache_dir = "/var/cache/clustersync";  ///< program versions and dirty counts; empty: no cache
    std::string state_dir = kStateDir;                  ///< where lsyncd's push lanes write <group>.lanes
};

/// Reads the node: one pass over /proc, each csync2_NAME.cfg and its group's .lanes file (small
/// files that change all the time: not cached), and, only when the file changed since the cached
/// result, one count per csync2 database and two short program runs (csync2's usage text,
/// lsyncd --version).
Facts gather_facts(const FactsOptions& options);

/// The facts as Facter 4 reads an external executable fact: one JSON object under the single
/// top-level key "clustersync". Keys in a fixed order, no timestamps.
std::string render_facts_json(const Facts& facts);

}  // namespace clustersync
