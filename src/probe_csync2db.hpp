#pragma once
// csync2's SQLite databases (<node>_<serverset>.db3), opened read-only: what waits to be pushed,
// and whether the module's count index is there. The connection and each statement are owned
// by small types that finalize and close them on every path.

#include <map>
#include <string>

#include "result.hpp"

namespace clustersync {

/// What the `dirty` table of one csync2 database holds: one entry per file and peer.
struct DirtyCounts {
    long files = 0;                               ///< distinct files waiting to be pushed
    std::map<std::string, long> entries_by_peer;  ///< entries per dirty.peername (csync2_peer_name())
};

/// Counts the `dirty` table of a csync2 sqlite database, opened read-only: distinct files, and
/// entries per peer (`SELECT peername, count(*) FROM dirty GROUP BY peername`), in one read
/// transaction so the two agree; or why not (the file is missing or cannot be read). With a
/// cache_dir, the counts are remembered and reused while the database file keeps its inode, size
/// and modification time (sqlite rewrites the file on every commit) and no write-ahead log holds
/// commits not yet in it, so an idle node pays nothing for them.
Result<DirtyCounts> count_dirty(const std::string& db_path, const std::string& cache_dir = "");

/// The index the module adds to each csync2 database (`CREATE INDEX clustersync_count ON file(0)`):
/// csync2 2.0 counts the rows of its `file` table on every run (its schema check), and sqlite
/// counts them through the smallest index; csync2's own holds every path, this one only the row
/// ids. Whether `db_path` has it, or why that cannot be read.
Result<bool> has_count_index(const std::string& db_path);

}  // namespace clustersync
