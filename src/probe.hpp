#pragma once
// Reading the node: host name, files, processes, csync2's sqlite databases, the network.
// This is the only I/O layer under `facts` and `doctor`; what it returns is plain data that
// facts.cpp and doctor.cpp judge and format with pure functions. The parse_* helpers here
// are pure too, so the formats they read are pinned by unit tests.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace clustersync {

// ---- pure parsers of what the node shows -------------------------------------------------

/// One inotify watch as /proc/PID/fdinfo/FD shows it: the watched inode and its device as
/// the kernel numbers it (major << 20 | minor, not the st_dev encoding).
struct InotifyWatch {
    std::uint64_t inode = 0;
    std::uint64_t kernel_dev = 0;
};

/// The `inotify wd:...` lines of one fdinfo file (other lines are ignored).
std::vector<InotifyWatch> parse_fdinfo_watches(const std::string& fdinfo);

/// What csync2's usage text (printed for any unknown option) tells about the build.
struct Csync2Build {
    std::string version;       ///< "Version: 2.0" -> "2.0"; empty when not found
    std::string system_dir;    ///< "Defaults to /etc." under CSYNC2_SYSTEM_DIR -> "/etc"
    std::string database_dir;  ///< "default: /var/lib/csync2" under -D -> "/var/lib/csync2"
};

/// Reads the version, compiled-in config directory and database directory from csync2's usage text.
Csync2Build parse_csync2_usage(const std::string& usage);

/// "Version: 2.2.3" -> "2.2.3" (lsyncd --version); empty when the text has no such line.
std::string parse_version_line(const std::string& text);

/// csync2's config directory for an OS when csync2 cannot tell: /etc/csync2 when /etc/os-release's
/// ID or ID_LIKE names the RHEL, Fedora or SUSE family, else /etc (Debian, Ubuntu).
std::string csync2_dir_for_os_release(const std::string& os_release);

// ---- the node --------------------------------------------------------------------------

/// gethostname() lower-cased: the name csync2 compares with its `host` lines.
std::string local_host_name();

/// The whole file, or nothing when it cannot be read. Reads at most max_bytes.
std::optional<std::string> read_text_file(const std::string& path, std::size_t max_bytes = 1 << 20);

/// The file names (not paths) in a directory, sorted; empty when it cannot be read.
std::vector<std::string> list_directory(const std::string& dir);

/// The first executable named `name` in $PATH, then in /usr/sbin:/usr/bin:/sbin:/bin (Facter's
/// PATH may lack sbin); empty when none.
std::string find_program(const std::string& name);

/// What one run of a program did.
struct CommandResult {
    bool started = false;    ///< false: it could not be run at all (see error)
    bool timed_out = false;  ///< killed after the time limit
    int exit_code = -1;      ///< exit status, or -1 when killed or not started
    std::string out;
    std::string err;
    std::string error;  ///< why it could not be started
};

/// Runs argv (no shell) with extra environment variables, stdin from /dev/null, and kills it
/// after timeout_ms. Output beyond 1 MiB per stream is dropped.
CommandResult run_command(const std::vector<std::string>& argv,
                          const std::vector<std::pair<std::string, std::string>>& extra_env, int timeout_ms);

/// The combined stdout and stderr of `program args...`, run with a 2 s limit, remembered in
/// cache_dir (empty: no cache) and reused while the program file keeps its inode, size and
/// modification time: a version never changes without the binary changing, and each run of a
/// program costs several milliseconds that Facter pays on every agent run.
std::string program_output(const std::string& program, const std::vector<std::string>& args, const std::string& cache_dir);

/// A running lsyncd that belongs to this node.
struct LsyncdProcess {
    int pid = 0;
    std::vector<std::string> argv;
    bool watches_readable = false;           ///< its fdinfo could be read
    std::vector<InotifyWatch> watches;       ///< every inotify watch it holds
};

/// Every lsyncd process in this process's UTS namespace (that is, on this node: test servers
/// made with namespaces share one /proc), with its inotify watches. Sorted by pid.
std::vector<LsyncdProcess> find_lsyncd_processes();

/// The inotify watch limit that applies to this process: the smaller of
/// fs.inotify.max_user_watches and the user namespace's user.max_inotify_watches.
std::optional<long> inotify_watch_limit();

/// What the `dirty` table of one csync2 database holds: one entry per file and peer.
struct DirtyCounts {
    long files = 0;                               ///< distinct files waiting to be pushed
    std::map<std::string, long> entries_by_peer;  ///< entries per dirty.peername (csync2_peer_name())
};

/// Counts the `dirty` table of a csync2 sqlite database, opened read-only: distinct files, and
/// entries per peer (`SELECT peername, count(*) FROM dirty GROUP BY peername`), in one read
/// transaction so the two agree. Nothing (with `error` set) when the file is missing or cannot
/// be read. With a cache_dir, the counts are remembered and reused while the database file keeps
/// its inode, size and modification time (sqlite rewrites the file on every commit) and no
/// write-ahead log holds commits not yet in it, so an idle node pays nothing for them.
std::optional<DirtyCounts> count_dirty(const std::string& db_path, std::string& error, const std::string& cache_dir = "");

/// The index the module adds to each csync2 database (`CREATE INDEX clustersync_count ON file(0)`):
/// csync2 2.0 counts the rows of its `file` table on every run (its schema check), and sqlite
/// counts them through the smallest index; csync2's own holds every path, this one only the row
/// ids. Whether `db_path` has it; nothing (with `error` set) when it cannot be read.
std::optional<bool> has_count_index(const std::string& db_path, std::string& error);

/// What stat() tells doctor about a path.
struct PathStatus {
    bool exists = false;
    bool is_directory = false;
    unsigned uid = 0;
    unsigned mode = 0;  ///< permission bits
    std::uint64_t inode = 0;
    unsigned dev_major = 0;
    unsigned dev_minor = 0;
};

/// stat() of a path, following symlinks.
PathStatus stat_path(const std::string& path);

/// Directories at and under root, not following symlinks, counting at most `limit`
/// (the walk stops there, so a huge tree stays cheap).
long count_directories(const std::string& root, long limit);

/// Where csync2 is and where it keeps its files on this node.
struct Csync2Setup {
    std::string path;          ///< the executable; empty when csync2 is not installed
    std::string version;       ///< from its usage text; empty when unknown
    std::string config_dir;    ///< ETCDIR: where csync2_NAME.cfg and csync2.lock live
    std::string database_dir;  ///< where <host>_<NAME>.db3 live
};

/// Finds csync2 and its directories. config_dir: the given one, else $CSYNC2_SYSTEM_DIR, else
/// the one compiled into csync2 (read from its usage text, which costs one short run), else the
/// OS family's (/etc/os-release). database_dir: the given one, else csync2's default.
/// cache_dir: see program_output().
Csync2Setup locate_csync2(const std::string& config_dir, const std::string& database_dir, const std::string& cache_dir = "");

/// Opens a TCP connection to host:port and closes it; nothing on success, else why it failed
/// ("connection refused", "timed out after 1000 ms", "cannot resolve ..."). Tries every address.
std::optional<std::string> tcp_probe(const std::string& host, unsigned port, int timeout_ms);

}  // namespace clustersync
