#pragma once
// What the kernel tells about this node: its host name, the lsyncd processes in /proc with their
// inotify watches, and the inotify watch limit. parse_fdinfo_watches is pure, so the format it
// reads is pinned by unit tests.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace clustersync {

/// One inotify watch as /proc/PID/fdinfo/FD shows it: the watched inode and its device as
/// the kernel numbers it (major << 20 | minor, not the st_dev encoding).
struct InotifyWatch {
    std::uint64_t inode = 0;
    std::uint64_t kernel_dev = 0;
};

/// The `inotify wd:...` lines of one fdinfo file (other lines are ignored).
std::vector<InotifyWatch> parse_fdinfo_watches(const std::string& fdinfo);

/// Whether a process runs on this node, from its /proc/PID/ns/uts link (`uts`; empty when
/// readlink failed with `link_errno`) and this process's own (`own_uts`). Test servers made with
/// namespaces share one /proc: another UTS namespace is another server. A link that cannot be
/// read for lack of permission (a doctor not run as root) counts the process rather than hide
/// it; one that is gone (ENOENT: the process is exiting, its namespaces already released) does
/// not, nor does it hold watches any more.
bool on_this_node(const std::string& own_uts, const std::string& uts, int link_errno);

/// gethostname() lower-cased: the name csync2 compares with its `host` lines.
std::string local_host_name();

/// A running lsyncd that belongs to this node.
struct LsyncdProcess {
    int pid = 0;
    std::vector<std::string> argv;
    bool watches_readable = false;      ///< its fdinfo could be read
    std::vector<InotifyWatch> watches;  ///< every inotify watch it holds
};

/// Every lsyncd process in this process's UTS namespace (that is, on this node: test servers
/// made with namespaces share one /proc), with its inotify watches. Sorted by pid.
std::vector<LsyncdProcess> find_lsyncd_processes();

/// The inotify watch limit that applies to this process: the smaller of
/// fs.inotify.max_user_watches and the user namespace's user.max_inotify_watches.
std::optional<long> inotify_watch_limit();

}  // namespace clustersync
