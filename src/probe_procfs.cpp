#include "probe_procfs.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>

#include "csync2_rules.hpp"
#include "probe_fs.hpp"
#include "text.hpp"

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

/// The NUL-separated arguments of /proc/PID/cmdline.
std::vector<std::string> split_cmdline(const std::string& cmdline) {
    std::vector<std::string> argv;
    std::string arg;
    for (char c : cmdline) {
        if (c == '\0') {
            argv.push_back(arg);
            arg.clear();
        } else {
            arg += c;
        }
    }
    if (!arg.empty()) argv.push_back(arg);
    return argv;
}

/// The inotify watches of process directory `dir` (/proc/PID); watches_readable is false when
/// its fdinfo, or one inotify descriptor's, cannot be read.
void read_watches(const std::string& dir, LsyncdProcess& p) {
    Directory fdinfo(dir + "/fdinfo");
    if (!fdinfo) return;
    p.watches_readable = true;
    while (const dirent* f = fdinfo.next()) {
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
}

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

bool on_this_node(const std::string& own_uts, const std::string& uts, int link_errno) {
    if (own_uts.empty()) return true;  // this kernel shows no namespaces: every process is local
    if (!uts.empty()) return uts == own_uts;
    return link_errno != ENOENT;
}

std::string local_host_name() {
    char buf[HOST_NAME_MAX + 1] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "";
    return ascii_lower(buf);
}

std::vector<LsyncdProcess> find_lsyncd_processes() {
    std::vector<LsyncdProcess> found;
    const std::string own_uts = link_target("/proc/self/ns/uts");
    Directory proc("/proc");
    while (const dirent* e = proc.next()) {
        if (!all_digits(e->d_name)) continue;
        const std::string dir = std::string("/proc/") + e->d_name;
        const auto comm = read_text_file(dir + "/comm", 64);
        if (!comm || trim(*comm) != "lsyncd") continue;
        errno = 0;
        const std::string uts = link_target(dir + "/ns/uts");
        if (!on_this_node(own_uts, uts, errno)) continue;
        LsyncdProcess p;
        p.pid = std::atoi(e->d_name);
        if (const auto cmdline = read_text_file(dir + "/cmdline", 65536)) p.argv = split_cmdline(*cmdline);
        read_watches(dir, p);
        found.push_back(std::move(p));
    }
    std::sort(found.begin(), found.end(), [](const LsyncdProcess& a, const LsyncdProcess& b) { return a.pid < b.pid; });
    return found;
}

std::optional<long> inotify_watch_limit() {
    const auto global = read_long_file("/proc/sys/fs/inotify/max_user_watches");
    const auto ns = read_long_file("/proc/sys/user/max_inotify_watches");
    if (global && ns) return std::min(*global, *ns);
    return global ? global : ns;
}

}  // namespace clustersync
