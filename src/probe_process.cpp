#include "probe_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "probe_fs.hpp"
#include "result.hpp"

extern char** environ;

namespace clustersync {
namespace {

/// Owns a spawned child: one that was not waited for is killed and reaped on destruction.
class ChildProcess {
public:
    explicit ChildProcess(pid_t pid) : pid_(pid) {}
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ~ChildProcess() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        wait();
    }

    void kill() { ::kill(pid_, SIGKILL); }

    /// Waits for the child to end; its exit status, or -1 when a signal ended it.
    int wait() {
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        pid_ = 0;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

private:
    pid_t pid_;
};

/// A pipe whose ends are each owned.
struct Pipe {
    UniqueFd read;
    UniqueFd write;
};

Result<Pipe> make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return Result<Pipe>::failure(errno_text(errno));
    return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

/// The process's environment with `extra` added, each of its names replacing an inherited one.
std::vector<std::string> environment_with(const std::vector<std::pair<std::string, std::string>>& extra) {
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        const std::string entry = *e;
        const std::string key = entry.substr(0, entry.find('='));
        const bool overridden = std::any_of(extra.begin(), extra.end(), [&](const auto& kv) { return kv.first == key; });
        if (!overridden) env.push_back(entry);
    }
    for (const auto& kv : extra) env.push_back(kv.first + "=" + kv.second);
    return env;
}

/// Pointers to the strings, null-terminated, for posix_spawn.
std::vector<char*> c_strings(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv,
                          const std::vector<std::pair<std::string, std::string>>& extra_env, int timeout_ms) {
    CommandResult result;
    if (argv.empty()) {
        result.error = "no command";
        return result;
    }
    std::vector<std::string> env_strings = environment_with(extra_env);
    std::vector<std::string> argv_copy = argv;
    const auto envp = c_strings(env_strings);
    const auto args = c_strings(argv_copy);

    auto out_pipe = make_pipe();
    if (!out_pipe) {
        result.error = out_pipe.error();
        return result;
    }
    auto err_pipe = make_pipe();
    if (!err_pipe) {
        result.error = err_pipe.error();
        return result;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe->write.get(), 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe->write.get(), 2);
    pid_t pid = 0;
    const int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    // The child holds its own copies: the parent's write ends must close, or reads never end.
    out_pipe->write.reset();
    err_pipe->write.reset();
    if (rc != 0) {
        result.error = errno_text(rc);
        return result;
    }
    ChildProcess child(pid);
    result.started = true;

    constexpr std::size_t kMaxOutput = 1 << 20;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    UniqueFd* streams[2] = {&out_pipe->read, &err_pipe->read};
    std::string* sinks[2] = {&result.out, &result.err};
    while (*streams[0] || *streams[1]) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            result.timed_out = true;
            child.kill();
            break;
        }
        pollfd fds[2] = {{streams[0]->get(), POLLIN, 0}, {streams[1]->get(), POLLIN, 0}};  // -1: ignored by poll
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
                streams[i]->reset();
            }
        }
    }
    out_pipe->read.reset();
    err_pipe->read.reset();
    const int exit_code = child.wait();
    if (!result.timed_out) result.exit_code = exit_code;
    return result;
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

}  // namespace clustersync
