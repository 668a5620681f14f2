#pragma once
// `clustersync-helper doctor`: checks one node and says, for each problem, how to fix it.
// inspect_node() reads the node (through probe.hpp, and by running csync2), asking the pure
// functions declared below it what to read and run; evaluate() turns what it read into findings
// and the format_* functions print them. All but inspect_node are pure, so every rule is
// unit-tested on made-up node states.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "csync2_cfg.hpp"
#include "lanes.hpp"
#include "model.hpp"
#include "probe.hpp"
#include "result.hpp"

namespace clustersync {

/// What doctor is told on the command line.
struct DoctorOptions {
    std::string node;          ///< csync2 host name (-N); empty: gethostname() lower-cased
    std::string config_dir;    ///< csync2's config directory; empty: as csync2 finds it
    std::string database_dir;  ///< csync2's database directory (-D); empty: csync2's default
    unsigned port = 30865;     ///< the csync2 listener's port on every peer
    bool port_given = false;   ///< pass -p to csync2 only when the user chose a port
    int connect_timeout_ms = 1000;
    int sync_timeout_ms = 60000;  ///< for `csync2 -T`, which compares the whole tree with every peer
    std::string state_dir = kStateDir;  ///< where lsyncd's push lanes write <group>.lanes
};

/// A key file as doctor sees it. The key itself is never kept: only what is wrong with it.
struct KeyState {
    std::string path;
    PathStatus status;
    bool readable = false;
    std::string read_error;                  ///< why an existing key file cannot be read ("cannot read ...: Permission denied")
    std::vector<std::string> text_problems;  ///< csync2_key_problems() of its content
};

/// A peer of a serverset and whether its listener answered.
struct PeerState {
    std::string name;                  ///< host name as in the config
    std::string target;                ///< csync2's name of it (csync2_peer_name()), which doctor connected to
    std::optional<std::string> error;  ///< why the TCP connection failed; none when it worked
};

/// A csync2 run doctor made, or why it did not make it.
struct CheckRun {
    std::string skipped;  ///< non-empty: not run, and why
    CommandResult result;
};

/// One csync2_NAME.cfg on the node.
struct ServersetState {
    std::string name;
    std::string config_path;
    bool config_readable = false;
    Csync2Config config;
    std::vector<KeyState> keys;    ///< of the groups this node is a member of
    std::vector<PeerState> peers;  ///< of the groups this node is a member of, sorted by name
    CheckRun parse_check;          ///< `csync2 -C NAME -M`: does csync2 accept the file?
    CheckRun sync_check;           ///< `csync2 -C NAME -T`: is the tree in sync with the peers?
    std::optional<long> dirty;     ///< files waiting to be pushed
    std::optional<std::map<std::string, long>> waiting;  ///< dirty entries per peer (csync2's peer name)
    std::string lanes_path;              ///< where lsyncd's push lanes of this group report
    bool lanes_exist = false;            ///< that file exists (it may still be unreadable)
    std::optional<LanesReport> lanes;    ///< what it says; none: missing or unreadable
    std::optional<PathStatus> tempdir;  ///< csync2's tempdir (the config's last), when it names one
    std::string database;                ///< the serverset's csync2 database file
    std::optional<bool> count_index;     ///< it has the module's clustersync_count index; none: unreadable or missing
};

/// A directory lsyncd should watch (an include of a group this node is a member of).
struct SourceState {
    std::string path;
    std::string serverset;
    PathStatus status;
    long directories = 0;          ///< directories at and under it (counted up to a bound)
    std::optional<bool> watched;   ///< lsyncd holds a watch on it; none when that cannot be told
};

/// Everything doctor read from the node.
struct NodeState {
    std::string node;
    bool node_given = false;  ///< --node was used (so csync2 must be run with -N)
    Csync2Setup csync2;
    unsigned port = 30865;
    bool lock_file = false;
    std::string state_dir;                  ///< where the node's lock and the lanes' state live
    std::optional<PathStatus> state_dir_status;     ///< absent: not looked at
    std::optional<PathStatus> database_dir_status;  ///< csync2's database directory; absent: not looked at
    std::vector<ServersetState> serversets;  ///< sorted by name
    std::string lsyncd_path;                 ///< empty: lsyncd is not installed
    std::vector<LsyncdProcess> lsyncd;       ///< running on this node
    std::vector<SourceState> sources;        ///< sorted by path
    std::optional<long> watch_limit;
    std::int64_t now = 0;  ///< when doctor looked, in seconds since the epoch (to judge the lanes' times)
};

/// How bad a finding is. Errors make doctor exit 1; warnings are reported but do not fail.
enum class FindingStatus { Ok, Warning, Error };

/// One line of doctor's report.
struct Finding {
    FindingStatus status = FindingStatus::Ok;
    std::string check;    ///< stable id: csync2, serversets, lock, private, config, membership, key, peer, lanes,
                          ///< push, sync, tempdir, database, dirty, lsyncd, watching, watches
    std::string subject;  ///< what it is about: a serverset, "uploads/node2", a path; may be empty
    std::string message;
    std::string fix;      ///< what to do; empty for ok findings
};

/// Reads the node: csync2's files and databases, runs `csync2 -M` and `csync2 -T` per serverset,
/// connects to every peer's listener, reads lsyncd's .lanes files, scans /proc for lsyncd. What to
/// read and run is decided by the pure functions below; this one only does the reading.
NodeState inspect_node(const DoctorOptions& options);

// ---- what inspect_node decides, as pure functions ------------------------------------------

/// The csync2 command line for serverset `name`, carrying the options the user gave doctor
/// (-N only when --node was given, -D and -p only when chosen).
std::vector<std::string> csync2_command(const NodeState& state, const DoctorOptions& options, const std::string& name);

/// Why csync2 is not run at all on this node ("csync2 is not installed", "csync2.lock exists"),
/// or "" when it is.
std::string parse_check_skip_reason(const NodeState& state);

/// Why `csync2 -T` is not run for a serverset once `csync2 -M` ran ("not a member", "csync2
/// refuses the config", "no peer is reachable"), or "" when it is.
std::string sync_check_skip_reason(const ServersetState& serverset, const std::string& node);

/// A key file judged from its stat() and the result of reading it: never keeps the key.
KeyState judge_key(const std::string& path, const PathStatus& status, const Result<std::string>& content);

/// The key files of the groups `node` is a member of, each once, in the order of the file.
std::vector<std::string> member_key_paths(const ServersetState& serverset, const std::string& node);

/// The directories lsyncd should watch: each literal absolute include of a group `node` is a
/// member of (a pattern with * ? [ or a %prefix% is not one directory), once, sorted by path.
std::vector<SourceState> lsyncd_sources(const std::vector<ServersetState>& serversets, const std::string& node);

/// Whether an lsyncd holds a watch on the directory (same inode and device); none when no
/// lsyncd's watches could be read.
std::optional<bool> is_watched(const PathStatus& directory, const std::vector<LsyncdProcess>& lsyncd);

/// How many directories are worth counting under the sources: one more than the watch limit
/// (enough to tell it is exceeded), or ten million when the limit is unknown.
long directory_count_bound(const std::optional<long>& watch_limit);

/// Judges a node state. Findings come in a fixed order: global checks, then per serverset
/// (sorted), then lsyncd and inotify.
std::vector<Finding> evaluate(const NodeState& state);

/// True when a finding is an error (doctor's exit status is 1 then).
bool has_errors(const std::vector<Finding>& findings);

/// Readable report: one line per finding ("ok", "WARN" or "ERROR", the check, the subject and the
/// message), a "fix:" line under each problem, and a summary line ("node1: healthy" when there is
/// no error, else "node1: 2 errors, 1 warning").
std::string format_text(const std::string& node, const std::vector<Finding>& findings);

/// The report for scripts: {"node":..., "healthy": no errors, "errors":N, "warnings":N,
/// "findings":[{"status":"ok|warning|error","check","subject","message","fix"}]}.
std::string format_json(const std::string& node, const std::vector<Finding>& findings);

}  // namespace clustersync
