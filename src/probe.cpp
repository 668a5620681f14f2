#include "probe.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "csync2_rules.hpp"
#include "text.hpp"

extern char** environ;

namespace clustersync {
namespace {

/// The hexadecimal value after `key` in a fdinfo line ("ino:" -> a720b3), or nothing.
std::optional<std::uint64_t> hex_field(const std::string& line, const std::string& key) {
    const auto at = line.find(" " + key);
    if (at == std::string::npos) return std::nullopt;
    const char* start = line.c_str() + at + 1 + key.size();
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(start, &end, 16);
    if (end == start || errno != 0) return std::nullopt;
    return static_cast<std::uint64_t>(v);
}

std::optional<long> read_long_file(const std::string& path) {
    const auto text = read_text_file(path, 64);
    if (!text) return std::nullopt;
    const std::string t = trim(*text);
    char* end = nullptr;
    errno = 0;
    const long v = std::strtol(t.c_str(), &end, 10);
    if (t.empty() || *end != '\0' || errno != 0) return std::nullopt;
    return v;
}

bool all_digits(const char* s) {
    if (!*s) return false;
    for (; *s; ++s)
        if (*s < '0' || *s > '9') return false;
    return true;
}

std::string link_target(const std::string& path) {
    char buf[256];
    const ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

/// What identifies one version of a file: path, inode, size and modification time to the
/// nanosecond. Empty when the file is missing.
std::string file_identity(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return "";
    return path + "\t" + std::to_string(st.st_ino) + " " + std::to_string(st.st_size) + " " +
           std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

/// Whether `path` exists and is not empty.
bool holds_data(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && st.st_size > 0;
}

/// The value stored in cache_file for `identity` (its first line), or nothing.
std::optional<std::string> read_cache(const std::string& cache_file, const std::string& identity) {
    const auto cached = read_text_file(cache_file);
    if (!cached || !starts_with(*cached, identity + "\n")) return std::nullopt;
    return cached->substr(identity.size() + 1);
}

/// Stores value under identity. Written next to the target and renamed, so a concurrent run never
/// reads half a file; a cache that cannot be written only costs speed.
void write_cache(const std::string& cache_dir, const std::string& cache_file, const std::string& identity,
                 const std::string& value) {
    ::mkdir(cache_dir.c_str(), 0755);
    const std::string tmp = cache_file + "." + std::to_string(::getpid());
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (f << identity << "\n" << value && f.flush()) {
        f.close();
        if (::rename(tmp.c_str(), cache_file.c_str()) != 0) ::unlink(tmp.c_str());
    } else {
        ::unlink(tmp.c_str());
    }
}

std::string base_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

}  // namespace

std::vector<InotifyWatch> parse_fdinfo_watches(const std::string& fdinfo) {
    std::vector<InotifyWatch> watches;
    for (const auto& line : lines_of(fdinfo)) {
        if (!starts_with(line, "inotify wd:")) continue;
        const auto ino = hex_field(line, "ino:");
        const auto dev = hex_field(line, "sdev:");
        if (ino && dev) watches.push_back({*ino, *dev});
    }
    return watches;
}

Csync2Build parse_csync2_usage(const std::string& usage) {
    Csync2Build build;
    const auto lines = lines_of(usage);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string line = trim(lines[i]);
        if (build.version.empty() && starts_with(line, "Version:")) build.version = trim(line.substr(8));
        // Each directory is given a line or two below the option or variable it belongs to.
        for (std::size_t j = i + 1; j < lines.size() && j <= i + 3; ++j) {
            const std::string following = trim(lines[j]);
            if (line == "CSYNC2_SYSTEM_DIR" && starts_with(following, "Defaults to ")) {
                std::string dir = trim(following.substr(12));
                if (!dir.empty() && dir.back() == '.') dir.pop_back();
                build.system_dir = dir;
            }
            if (starts_with(line, "-D database-dir") && starts_with(following, "default: "))
                build.database_dir = trim(following.substr(9));
        }
    }
    return build;
}

std::string parse_version_line(const std::string& text) {
    for (const auto& raw : lines_of(text)) {
        const std::string line = trim(raw);
        if (starts_with(line, "Version:")) return trim(line.substr(8));
    }
    return "";
}

std::string csync2_dir_for_os_release(const std::string& os_release) {
    static const char* const kFamilies[] = {"rhel", "fedora", "centos", "suse", "opensuse", "sles"};
    for (const auto& raw : lines_of(os_release)) {
        const std::string line = trim(raw);
        std::string value;
        if (starts_with(line, "ID="))
            value = line.substr(3);
        else if (starts_with(line, "ID_LIKE="))
            value = line.substr(8);
        else
            continue;
        value.erase(std::remove(value.begin(), value.end(), '"'), value.end());
        value.erase(std::remove(value.begin(), value.end(), '\''), value.end());
        std::istringstream words(value);
        for (std::string word; words >> word;) {
            // "opensuse-leap", "opensuse-tumbleweed": the family is the part before the dash.
            const std::string family = word.substr(0, word.find('-'));
            for (const char* f : kFamilies)
                if (family == f) return "/etc/csync2";
        }
    }
    return "/etc";
}

std::string local_host_name() {
    char buf[HOST_NAME_MAX + 1] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "";
    return ascii_lower(buf);
}

std::optional<std::string> read_text_file(const std::string& path, std::size_t max_bytes) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    std::string text;
    char buf[8192];
    while (text.size() < max_bytes) {
        const ssize_t n = ::read(fd, buf, std::min(sizeof buf, max_bytes - text.size()));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            ::close(fd);
            return std::nullopt;
        }
        if (n == 0) break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return text;
}

std::vector<std::string> list_directory(const std::string& dir) {
    std::vector<std::string> names;
    DIR* d = ::opendir(dir.c_str());
    if (!d) return names;
    while (const dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

std::string find_program(const std::string& name) {
    std::string search;
    if (const char* path = std::getenv("PATH")) search = std::string(path) + ":";
    search += "/usr/sbin:/usr/bin:/sbin:/bin";
    std::istringstream dirs(search);
    for (std::string dir; std::getline(dirs, dir, ':');) {
        if (dir.empty() || dir[0] != '/') continue;  // a relative PATH entry depends on the cwd: skip it
        const std::string candidate = dir + "/" + name;
        struct stat st {};
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
            return candidate;
    }
    return "";
}

CommandResult run_command(const std::vector<std::string>& argv,
                          const std::vector<std::pair<std::string, std::string>>& extra_env, int timeout_ms) {
    CommandResult result;
    if (argv.empty()) {
        result.error = "no command";
        return result;
    }
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e) {
        const std::string entry = *e;
        const std::string key = entry.substr(0, entry.find('='));
        const bool overridden = std::any_of(extra_env.begin(), extra_env.end(), [&](const auto& kv) { return kv.first == key; });
        if (!overridden) env_strings.push_back(entry);
    }
    for (const auto& kv : extra_env) env_strings.push_back(kv.first + "=" + kv.second);
    std::vector<char*> envp, args;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_copy = argv;
    for (auto& s : argv_copy) args.push_back(s.data());
    args.push_back(nullptr);

    int out_pipe[2], err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
        result.error = std::strerror(errno);
        return result;
    }
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
        result.error = std::strerror(errno);
        ::close(out_pipe[0]);
        ::close(out_pipe[1]);
        return result;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
    pid_t pid = 0;
    const int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    if (rc != 0) {
        result.error = std::strerror(rc);
        ::close(out_pipe[0]);
        ::close(err_pipe[0]);
        return result;
    }
    result.started = true;

    constexpr std::size_t kMaxOutput = 1 << 20;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    int open_streams = 2;
    while (open_streams > 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            result.timed_out = true;
            ::kill(pid, SIGKILL);
            break;
        }
        const int n = ::poll(fds, 2, static_cast<int>(left.count()));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char buf[8192];
            const ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
            if (got > 0) {
                if (sinks[i]->size() < kMaxOutput) sinks[i]->append(buf, static_cast<std::size_t>(got));
            } else if (got == 0 || errno != EINTR) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open_streams;
            }
        }
    }
    for (auto& f : fds)
        if (f.fd >= 0) ::close(f.fd);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!result.timed_out && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    return result;
}

std::vector<LsyncdProcess> find_lsyncd_processes() {
    std::vector<LsyncdProcess> found;
    const std::string own_uts = link_target("/proc/self/ns/uts");
    DIR* proc = ::opendir("/proc");
    if (!proc) return found;
    while (const dirent* e = ::readdir(proc)) {
        if (!all_digits(e->d_name)) continue;
        const std::string dir = std::string("/proc/") + e->d_name;
        const auto comm = read_text_file(dir + "/comm", 64);
        if (!comm || trim(*comm) != "lsyncd") continue;
        // Another UTS namespace is another (test) server sharing this /proc: not ours. When the
        // link cannot be read, the process is counted rather than hidden.
        const std::string uts = link_target(dir + "/ns/uts");
        if (!own_uts.empty() && !uts.empty() && uts != own_uts) continue;
        LsyncdProcess p;
        p.pid = std::atoi(e->d_name);
        if (const auto cmdline = read_text_file(dir + "/cmdline", 65536)) {
            std::string arg;
            for (char c : *cmdline) {
                if (c == '\0') {
                    p.argv.push_back(arg);
                    arg.clear();
                } else {
                    arg += c;
                }
            }
            if (!arg.empty()) p.argv.push_back(arg);
        }
        DIR* fdinfo = ::opendir((dir + "/fdinfo").c_str());
        if (fdinfo) {
            p.watches_readable = true;
            while (const dirent* f = ::readdir(fdinfo)) {
                if (!all_digits(f->d_name)) continue;
                // Only an inotify descriptor has watches; skipping the others saves a read each.
                if (link_target(dir + "/fd/" + f->d_name) != "anon_inode:inotify") continue;
                const auto info = read_text_file(dir + "/fdinfo/" + f->d_name, 64 << 20);
                if (!info) {
                    p.watches_readable = false;
                    continue;
                }
                const auto w = parse_fdinfo_watches(*info);
                p.watches.insert(p.watches.end(), w.begin(), w.end());
            }
            ::closedir(fdinfo);
        }
        found.push_back(std::move(p));
    }
    ::closedir(proc);
    std::sort(found.begin(), found.end(), [](const LsyncdProcess& a, const LsyncdProcess& b) { return a.pid < b.pid; });
    return found;
}

std::optional<long> inotify_watch_limit() {
    const auto global = read_long_file("/proc/sys/fs/inotify/max_user_watches");
    const auto ns = read_long_file("/proc/sys/user/max_inotify_watches");
    if (global && ns) return std::min(*global, *ns);
    return global ? global : ns;
}

namespace {

/// The sqlite database at `db_path`, opened read-only; nothing (with `error` set) when it cannot
/// be. csync2 may hold a write lock for a whole run: a statement waits briefly, then gives up
/// rather than stall Facter or doctor. Mapping the file instead of reading it page by page
/// halves the time of a count over the whole of it.
sqlite3* open_read_only(const std::string& db_path, bool map_file, std::string& error) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        error = "cannot open " + db_path + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return nullptr;
    }
    sqlite3_busy_timeout(db, 200);
    if (map_file) sqlite3_exec(db, "PRAGMA mmap_size=268435456", nullptr, nullptr, nullptr);
    return db;
}

/// The one integer `sql` yields from the database at `db_path`; nothing (with `error` set) when
/// it cannot be opened or read.
std::optional<long> query_integer(const std::string& db_path, const char* sql, std::string& error) {
    sqlite3* db = open_read_only(db_path, false, error);
    if (!db) return std::nullopt;
    sqlite3_stmt* stmt = nullptr;
    std::optional<long> value;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
        value = static_cast<long>(sqlite3_column_int64(stmt, 0));
    else
        error = "cannot read " + db_path + ": " + sqlite3_errmsg(db);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return value;
}

std::optional<DirtyCounts> query_dirty(const std::string& db_path, std::string& error) {
    sqlite3* db = open_read_only(db_path, true, error);
    if (!db) return std::nullopt;
    DirtyCounts counts;
    // One read transaction: both statements see the same commit.
    bool ok = sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_stmt* stmt = nullptr;
    ok = ok && sqlite3_prepare_v2(db, "SELECT COUNT(DISTINCT filename) FROM dirty", -1, &stmt, nullptr) == SQLITE_OK &&
         sqlite3_step(stmt) == SQLITE_ROW;
    if (ok) counts.files = static_cast<long>(sqlite3_column_int64(stmt, 0));
    sqlite3_finalize(stmt);
    stmt = nullptr;
    ok = ok && sqlite3_prepare_v2(db, "SELECT peername, count(*) FROM dirty GROUP BY peername", -1, &stmt, nullptr) ==
                   SQLITE_OK;
    int rc = SQLITE_DONE;
    while (ok && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const auto* peer = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        counts.entries_by_peer[peer ? peer : ""] += static_cast<long>(sqlite3_column_int64(stmt, 1));
    }
    ok = ok && rc == SQLITE_DONE;
    sqlite3_finalize(stmt);
    if (!ok) error = "cannot read " + db_path + ": " + sqlite3_errmsg(db);
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    if (!ok) return std::nullopt;
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

std::optional<DirtyCounts> count_dirty(const std::string& db_path, std::string& error, const std::string& cache_dir) {
    const std::string identity = file_identity(db_path);
    if (identity.empty()) {
        error = "no database " + db_path + " (csync2 has not run for this serverset on this node)";
        return std::nullopt;
    }
    // A hot journal means a transaction is under way: the file is about to change, so the
    // counts are neither taken from nor put into the cache. In write-ahead-log mode (the module's
    // csync_db_wal) commits go to the -wal file and reach the database file only at a
    // checkpoint: while that log holds anything, the file's identity says nothing.
    const bool cacheable =
        !cache_dir.empty() && file_identity(db_path + "-journal").empty() && !holds_data(db_path + "-wal");
    const std::string cache_file = cache_dir + "/" + base_name(db_path) + ".dirty";
    if (cacheable)
        if (const auto cached = read_cache(cache_file, identity))
            if (auto counts = read_cached_counts(*cached)) return counts;
    auto counts = query_dirty(db_path, error);
    if (counts && cacheable && file_identity(db_path) == identity)
        if (const auto text = cached_counts_text(*counts)) write_cache(cache_dir, cache_file, identity, *text);
    return counts;
}

std::optional<bool> has_count_index(const std::string& db_path, std::string& error) {
    if (file_identity(db_path).empty()) {
        error = "no database " + db_path;
        return std::nullopt;
    }
    const auto found = query_integer(
        db_path, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'clustersync_count' AND tbl_name = 'file'",
        error);
    if (!found) return std::nullopt;
    return *found > 0;
}

PathStatus stat_path(const std::string& path) {
    PathStatus s;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return s;
    s.exists = true;
    s.is_directory = S_ISDIR(st.st_mode);
    s.uid = st.st_uid;
    s.mode = st.st_mode & 07777;
    s.inode = st.st_ino;
    s.dev_major = major(st.st_dev);
    s.dev_minor = minor(st.st_dev);
    return s;
}

long count_directories(const std::string& root, long limit) {
    struct stat st {};
    if (::lstat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return 0;
    long count = 0;
    std::vector<std::string> pending{root};
    while (!pending.empty() && count < limit) {
        const std::string dir = std::move(pending.back());
        pending.pop_back();
        ++count;
        DIR* d = ::opendir(dir.c_str());
        if (!d) continue;
        while (const dirent* e = ::readdir(d)) {
            const std::string name = e->d_name;
            if (name == "." || name == "..") continue;
            const std::string child = dir + "/" + name;
            bool is_dir = e->d_type == DT_DIR;
            if (e->d_type == DT_UNKNOWN) is_dir = ::lstat(child.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
            if (is_dir) pending.push_back(child);
        }
        ::closedir(d);
    }
    return count;
}

std::string program_output(const std::string& program, const std::vector<std::string>& args, const std::string& cache_dir) {
    std::string identity = file_identity(program);
    for (const auto& a : args) identity += " " + a;
    const std::string cache_file = cache_dir + "/" + base_name(program) + ".output";
    const bool cacheable = !cache_dir.empty() && !file_identity(program).empty();
    if (cacheable)
        if (auto cached = read_cache(cache_file, identity)) return *cached;
    std::vector<std::string> argv{program};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto r = run_command(argv, {}, 2000);
    const std::string output = r.out + r.err;
    if (cacheable && r.started && !r.timed_out) write_cache(cache_dir, cache_file, identity, output);
    return output;
}

Csync2Setup locate_csync2(const std::string& config_dir, const std::string& database_dir, const std::string& cache_dir) {
    Csync2Setup setup;
    setup.path = find_program("csync2");
    Csync2Build build;
    if (!setup.path.empty()) {
        // csync2 has no version option: an unknown one (-V) prints the usage text, which holds
        // the version and both compiled-in directories, and exits at once.
        build = parse_csync2_usage(program_output(setup.path, {"-V"}, cache_dir));
    }
    setup.version = build.version;
    const char* env_dir = std::getenv("CSYNC2_SYSTEM_DIR");
    if (!config_dir.empty())
        setup.config_dir = config_dir;
    else if (env_dir && *env_dir)
        setup.config_dir = env_dir;
    else if (!build.system_dir.empty())
        setup.config_dir = build.system_dir;
    else
        setup.config_dir = csync2_dir_for_os_release(read_text_file("/etc/os-release", 65536).value_or(""));
    if (!database_dir.empty())
        setup.database_dir = database_dir;
    else
        setup.database_dir = build.database_dir.empty() ? "/var/lib/csync2" : build.database_dir;
    return setup;
}

std::optional<std::string> tcp_probe(const std::string& host, unsigned port, int timeout_ms) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* addrs = nullptr;
    const int gai = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &addrs);
    if (gai != 0) return "cannot resolve " + host + ": " + ::gai_strerror(gai);
    std::string last_error = "no address";
    for (addrinfo* a = addrs; a; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            last_error = std::strerror(errno);
            continue;
        }
        int err = 0;
        if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            err = errno;
            if (err == EINPROGRESS) {
                pollfd p{fd, POLLOUT, 0};
                const int n = ::poll(&p, 1, timeout_ms);
                if (n == 0) {
                    err = ETIMEDOUT;
                } else {
                    socklen_t len = sizeof err;
                    if (n < 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
                }
            }
        }
        ::close(fd);
        if (err == 0) {
            ::freeaddrinfo(addrs);
            return std::nullopt;
        }
        last_error = err == ETIMEDOUT ? "timed out after " + std::to_string(timeout_ms) + " ms" : std::strerror(err);
    }
    ::freeaddrinfo(addrs);
    return last_error;
}

}  // namespace clustersync
