#pragma once
// Running programs: csync2's checks, the version of csync2 and lsyncd. No shell; each child is
// owned by a ChildProcess, so none is left behind unwaited, whatever path a run takes.

#include <string>
#include <utility>
#include <vector>

namespace clustersync {

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

}  // namespace clustersync
