#pragma once
// lsyncd's push lanes as `facts` and `doctor` see them. lsyncd pushes each csync2 group to each
// peer in a lane of its own (src/lsyncd_action.lua) and writes the lanes' state to
// <state_dir>/<group>.lanes; csync2's database says how many entries wait for each peer.
// Everything here is pure: probe_fs.hpp reads the file, probe_csync2db.hpp the database.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace clustersync {

/// What a lane last found out about its peer (lsyncd_action.lua's decide.lane_done).
enum class LaneState {
    Unknown,      ///< no push has ended yet
    Up,           ///< the last push succeeded
    Unreachable,  ///< the peer did not answer a TCP probe within 1 s
    Failing,      ///< the peer answered, but csync2's push failed (a conflict, a refused session, a busy database)
};

/// The word the .lanes file uses for a state: "unknown", "up", "unreachable", "failing".
const char* lane_state_name(LaneState state);

/// One line of a .lanes file: lsyncd's pushes of one group to one peer. Times are seconds since
/// the epoch; none where the file says "-".
struct Lane {
    std::string peer;  ///< csync2's name of the peer (csync2_peer_name(): its dirty.peername)
    std::string name;  ///< its host name
    LaneState state = LaneState::Unknown;
    std::optional<std::int64_t> since;          ///< when it entered `state`
    std::optional<std::int64_t> last_ok;        ///< the last successful push
    std::optional<std::int64_t> pushing_since;  ///< the start of the push running now
    long failures = 0;                          ///< consecutive failed attempts
};

/// What parse_lanes() read: every well-formed line, and one problem per line it could not read.
struct LanesReport {
    std::vector<Lane> lanes;            ///< in the file's order
    std::vector<std::string> problems;  ///< "PATH:LINE: what is wrong, with the value"
};

/// Reads the text of a .lanes file (`path` only names it in problems): "#" comment lines, then
/// one line per peer of seven tab-separated fields: peer, name, state, since, last_ok,
/// pushing_since, failures. A malformed line is left out and named with every problem it has;
/// past 10 problems, one more says how many lines were left out besides.
LanesReport parse_lanes(const std::string& path, const std::string& text);

/// The .lanes file of a csync2 group: <state_dir>/<group>.lanes.
std::string lanes_path(const std::string& state_dir, const std::string& group);

/// Seconds since the epoch as ISO 8601 UTC: 1796242613 -> "2026-12-02T20:16:53Z".
std::string iso_utc(std::int64_t seconds);

/// One peer of a serverset with what lsyncd's lane and csync2's database say about it.
struct PeerPushes {
    std::string name;              ///< host name
    std::string peer;              ///< csync2's name of it
    std::optional<Lane> lane;      ///< none: no lane reports on it (no file, or no line for it)
    std::optional<long> waiting;   ///< csync2 dirty entries for it; none: the database is unknown
};

/// Joins a peer with its lane (matched on csync2's peer name) and its dirty entries: `waiting`
/// is 0 when the database is known and has none for it, none when `entries_by_peer` is none.
PeerPushes merge_peer_pushes(const std::string& name, const std::string& peer, const std::vector<Lane>& lanes,
                             const std::optional<std::map<std::string, long>>& entries_by_peer);

}  // namespace clustersync
