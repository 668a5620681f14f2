#include "probe_csync2db.hpp"

#include <sqlite3.h>

#include <optional>

#include "probe_fs.hpp"
#include "text.hpp"

namespace clustersync {
namespace {

/// A prepared statement, finalized when it goes out of scope.
class Statement {
public:
    Statement(sqlite3* db, const char* sql) { ok_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) == SQLITE_OK; }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement() { sqlite3_finalize(stmt_); }

    /// SQLITE_ROW, SQLITE_DONE, or an error code (also when it could not be prepared).
    int step() { return ok_ ? sqlite3_step(stmt_) : SQLITE_ERROR; }
    long integer(int column) const { return static_cast<long>(sqlite3_column_int64(stmt_, column)); }
    std::string text(int column) const {
        const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
        return t ? t : "";
    }

private:
    sqlite3_stmt* stmt_ = nullptr;
    bool ok_ = false;
};

/// A database connection opened read-only, closed when it goes out of scope. csync2 may hold a
/// write lock for a whole run: a statement waits briefly, then gives up rather than stall Facter
/// or doctor. Mapping the file instead of reading it page by page halves the time of a count
/// over the whole of it.
class ReadOnlyDatabase {
public:
    ReadOnlyDatabase(const std::string& path, bool map_file) : path_(path) {
        // A failed open may still allocate a handle (it carries the message): the destructor closes it.
        if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
            error_ = "cannot open " + path + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory");
            return;
        }
        sqlite3_busy_timeout(db_, 200);
        if (map_file) exec("PRAGMA mmap_size=268435456");
    }
    ReadOnlyDatabase(const ReadOnlyDatabase&) = delete;
    ReadOnlyDatabase& operator=(const ReadOnlyDatabase&) = delete;
    ~ReadOnlyDatabase() { sqlite3_close(db_); }

    explicit operator bool() const { return error_.empty(); }
    /// Why it could not be opened.
    const std::string& open_error() const { return error_; }
    bool exec(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }
    Statement prepare(const char* sql) { return Statement(db_, sql); }
    /// "cannot read PATH: " and sqlite's last message.
    std::string read_error() const { return "cannot read " + path_ + ": " + sqlite3_errmsg(db_); }

private:
    std::string path_;
    sqlite3* db_ = nullptr;
    std::string error_;
};

Result<DirtyCounts> query_dirty(const std::string& db_path) {
    ReadOnlyDatabase db(db_path, true);
    if (!db) return Result<DirtyCounts>::failure(db.open_error());
    DirtyCounts counts;
    // One read transaction: both statements see the same commit.
    bool ok = db.exec("BEGIN");
    if (ok) {
        Statement files = db.prepare("SELECT COUNT(DISTINCT filename) FROM dirty");
        ok = files.step() == SQLITE_ROW;
        if (ok) counts.files = files.integer(0);
    }
    if (ok) {
        Statement peers = db.prepare("SELECT peername, count(*) FROM dirty GROUP BY peername");
        int rc = SQLITE_DONE;
        while ((rc = peers.step()) == SQLITE_ROW) counts.entries_by_peer[peers.text(0)] += peers.integer(1);
        ok = rc == SQLITE_DONE;
    }
    const std::string error = ok ? "" : db.read_error();
    db.exec("COMMIT");
    if (!ok) return Result<DirtyCounts>::failure(error);
    return counts;
}

/// The cached form of counts: "files\tN" then one "N\tPEER" line per peer. Nothing when a peer
/// name holds a line break (it could not be read back).
std::optional<std::string> cached_counts_text(const DirtyCounts& counts) {
    std::string text = "files\t" + std::to_string(counts.files) + "\n";
    for (const auto& [peer, n] : counts.entries_by_peer) {
        if (peer.find('\n') != std::string::npos) return std::nullopt;
        text += std::to_string(n) + "\t" + peer + "\n";
    }
    return text;
}

/// Reads cached_counts_text() back; nothing for anything else (a cache of an older version).
std::optional<DirtyCounts> read_cached_counts(const std::string& text) {
    const auto number = [](const std::string& digits) -> std::optional<long> {
        if (digits.empty() || digits.size() > 18 || digits.find_first_not_of("0123456789") != std::string::npos)
            return std::nullopt;
        return std::stol(digits);
    };
    const auto lines = lines_of(text);
    if (lines.empty() || !starts_with(lines[0], "files\t") || text.back() != '\n') return std::nullopt;
    DirtyCounts counts;
    const auto files = number(lines[0].substr(6));
    if (!files) return std::nullopt;
    counts.files = *files;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const auto tab = lines[i].find('\t');
        const auto n = tab == std::string::npos ? std::nullopt : number(lines[i].substr(0, tab));
        if (!n) return std::nullopt;
        counts.entries_by_peer[lines[i].substr(tab + 1)] = *n;
    }
    return counts;
}

}  // namespace

Result<DirtyCounts> count_dirty(const std::string& db_path, const std::string& cache_dir) {
    const std::string identity = file_identity(db_path);
    if (identity.empty())
        return Result<DirtyCounts>::failure("no database " + db_path +
                                            " (csync2 has not run for this serverset on this node)");
    // A hot journal means a transaction is under way: the file is about to change, so the
    // counts are neither taken from nor put into the cache. In write-ahead-log mode (the module's
    // csync_db_wal) commits go to the -wal file and reach the database file only at a
    // checkpoint: while that log holds anything, the file's identity says nothing.
    const bool cacheable =
        !cache_dir.empty() && file_identity(db_path + "-journal").empty() && !holds_data(db_path + "-wal");
    const std::string cache_file = cache_dir + "/" + base_name(db_path) + ".dirty";
    if (cacheable)
        if (const auto cached = read_cache(cache_file, identity))
            if (auto counts = read_cached_counts(*cached)) return *counts;
    auto counts = query_dirty(db_path);
    if (counts && cacheable && file_identity(db_path) == identity)
        if (const auto text = cached_counts_text(*counts)) write_cache(cache_dir, cache_file, identity, *text);
    return counts;
}

Result<bool> has_count_index(const std::string& db_path) {
    if (file_identity(db_path).empty()) return Result<bool>::failure("no database " + db_path);
    ReadOnlyDatabase db(db_path, false);
    if (!db) return Result<bool>::failure(db.open_error());
    Statement found = db.prepare(
        "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'clustersync_count' AND tbl_name = 'file'");
    if (found.step() != SQLITE_ROW) return Result<bool>::failure(db.read_error());
    return found.integer(0) > 0;
}

}  // namespace clustersync
