#include "doctor.hpp"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>
#include <ctime>
#include <set>
#include <sstream>

#include "csync2_rules.hpp"
#include "json_write.hpp"
#include "text.hpp"

namespace clustersync {
namespace {

std::string first_line_with(const std::string& text, const std::vector<std::string>& markers) {
    for (const auto& line : lines_of(text))
        for (const auto& m : markers)
            if (line.find(m) != std::string::npos) return line;
    return "";
}

std::string first_nonempty_line(const std::string& text) {
    for (const auto& line : lines_of(text))
        if (line.find_first_not_of(" \t\r") != std::string::npos) return line;
    return "";
}

std::string octal_mode(unsigned mode) {
    std::ostringstream o;
    o << '0' << std::oct << (mode & 07777);
    return o.str();
}

/// csync2's own words when it refused the config file, or "" when it accepted it (a run that
/// stopped at "not a member" has parsed the file: membership is judged separately).
std::string parse_refusal(const CheckRun& run) {
    if (!run.skipped.empty() || !run.result.started) return "";
    return first_line_with(run.result.err + run.result.out, {"Near line", "Config error", "Can not open config", "syntax error"});
}

std::vector<const Csync2Group*> member_groups(const ServersetState& s, const std::string& node) {
    std::vector<const Csync2Group*> groups;
    for (const auto& g : s.config.groups)
        if (is_member(g, node)) groups.push_back(&g);
    return groups;
}

std::string join_host_names(const Csync2Group& g) {
    std::vector<std::string> names;
    for (const auto& h : g.hosts) names.push_back(ascii_lower(h.name));
    return names.empty() ? "none" : join(names, ", ");
}

bool is_literal_directory_pattern(const std::string& include) {
    return !include.empty() && include[0] == '/' && include.find_first_of("*?[%") == std::string::npos;
}

class Report {
public:
    void ok(const char* check, const std::string& subject, const std::string& message) {
        findings_.push_back({FindingStatus::Ok, check, subject, message, ""});
    }
    void warn(const char* check, const std::string& subject, const std::string& message, const std::string& fix) {
        findings_.push_back({FindingStatus::Warning, check, subject, message, fix});
    }
    void error(const char* check, const std::string& subject, const std::string& message, const std::string& fix) {
        findings_.push_back({FindingStatus::Error, check, subject, message, fix});
    }
    std::vector<Finding> take() { return std::move(findings_); }

private:
    std::vector<Finding> findings_;
};

void check_keys(const ServersetState& s, const std::vector<const Csync2Group*>& groups, Report& r) {
    for (const auto* g : groups)
        if (g->keys.empty())
            r.error("key", s.name, "group " + g->name + " in " + s.config_path + " names no key file",
                    "add `key /path/to/key;` to the group (the module writes it from key_source or key_content)");
    for (const auto& k : s.keys) {
        const std::string regenerate = "create a new key with `csync2 -k " + k.path +
                                       "` and install the same file on every member (or fix key_source/key_content)";
        if (!k.status.exists) {
            r.error("key", s.name, "key file " + k.path + " is missing", regenerate);
            continue;
        }
        bool good = true;
        if (!k.readable) {
            // read_error names the file and the system's reason: "cannot read PATH: Permission denied".
            r.error("key", s.name, k.read_error.empty() ? "key file " + k.path + " cannot be read" : k.read_error,
                    "run doctor as root; csync2 runs as root");
            good = false;
        }
        if (k.status.uid != 0) {
            r.error("key", s.name, "key file " + k.path + " is owned by uid " + std::to_string(k.status.uid) + ", not root",
                    "chown root:root " + k.path);
            good = false;
        }
        if (k.status.mode & 077) {
            r.error("key", s.name,
                    "key file " + k.path + " is readable or writable by group or others (mode " + octal_mode(k.status.mode) + ")",
                    "chmod 0600 " + k.path + ", and replace the key: others may have read it");
            good = false;
        }
        if (k.readable && !k.text_problems.empty()) {
            r.error("key", s.name, "key file " + k.path + " is malformed: " + join(k.text_problems, "; "), regenerate);
            good = false;
        }
        if (good) r.ok("key", s.name, "key file " + k.path + " is present, private and well-formed");
    }
}

/// A push may wait this long for the peer's lock (its listener runs under `flock -w 120`): one
/// that runs longer is held by a listener that accepted the connection and does not answer.
constexpr std::int64_t kStuckPushSeconds = 120;
/// Failed pushes in a row before a failing lane is an error: one or two are a busy database or a
/// session refused while the peer restarted, and the lane retries them within seconds.
constexpr long kFailuresBeforeError = 3;

std::string waiting_phrase(const std::optional<long>& n) {
    if (!n) return "entries waiting for it: unknown";
    if (*n == 0) return "nothing waits for it";
    if (*n == 1) return "1 entry waits for it";
    return std::to_string(*n) + " entries wait for it";
}

std::string time_phrase(const std::optional<std::int64_t>& seconds) { return seconds ? iso_utc(*seconds) : "an unknown time"; }

/// What lsyncd's lane and csync2's database say about one peer, judged against doctor's clock
/// and its own probe of the peer. Lanes are judged only while lsyncd runs: a stopped lsyncd's
/// file is stale, and the lsyncd finding already says it does not run.
void check_peer_pushes(const NodeState& state, const ServersetState& s, const PeerState& p, Report& r) {
    const PeerPushes pushes =
        merge_peer_pushes(p.name, p.target, s.lanes ? s.lanes->lanes : std::vector<Lane>{}, s.waiting);
    const std::string subject = s.name + "/" + p.name;
    const std::string who = "peer " + p.name + (p.target == ascii_lower(p.name) ? "" : " (" + p.target + ")") +
                            " of serverset " + s.name;
    const std::string waits = waiting_phrase(pushes.waiting);
    const bool backlog = pushes.waiting && *pushes.waiting > 0;
    const std::string by_hand = "`csync2 -C " + s.name + " -u -P " + p.target + "` pushes them by hand";
    if (state.lsyncd.empty()) {
        if (backlog)
            r.warn("push", subject, who + ": " + waits + " and lsyncd is not running: nothing pushes them",
                   "start lsyncd (see the lsyncd finding); meanwhile " + by_hand);
        return;
    }
    if (!pushes.lane) {
        if (s.lanes)
            r.warn("push", subject,
                   who + ": lsyncd's lanes report nothing on it (" + s.lanes_path + " has no well-formed line for " +
                       p.target + "; " + waits + ")",
                   "restart lsyncd so it runs its current config (the Puppet agent restarts it when it changes the config)");
        else if (backlog)
            r.warn("push", subject, who + ": " + waits + " and no lane of lsyncd reports on it",
                   "see the lanes finding above; " + by_hand);
        return;
    }
    const Lane& lane = *pushes.lane;
    if (lane.pushing_since && state.now - *lane.pushing_since > kStuckPushSeconds) {
        r.error("push", subject,
                who + ": a push to it has been running since " + iso_utc(*lane.pushing_since) +
                    ": its listener accepts connections but does not answer (frozen, overloaded); " + waits,
                "on " + p.name + ", look at the csync2 listener's sessions (ps, load, disk space, syslog); the push "
                "ends, and the lane pushes again, once the listener answers or stops accepting connections");
        return;
    }
    const std::string port = std::to_string(state.port);
    switch (lane.state) {
        case LaneState::Unreachable: {
            const std::string message = who + ": unreachable since " + time_phrase(lane.since) + " (" + waits + ")";
            const std::string fix = "check that its listener runs and that port " + port + " is reachable from here";
            if (p.error)
                r.error("push", subject, message, fix);
            else
                r.warn("push", subject,
                       message + "; it answers doctor now, so the lane catches up at its next probe (within 5 s)",
                       "run doctor again in a few seconds; if this stays, lsyncd's probe (bash's /dev/tcp under timeout) "
                       "fails where doctor's succeeds: " + fix);
            break;
        }
        case LaneState::Failing: {
            const std::string attempts =
                std::to_string(lane.failures) + (lane.failures == 1 ? " failed attempt" : " failed attempts");
            const std::string message = who + ": failing since " + time_phrase(lane.since) + " (" + attempts + ", " + waits +
                                        "): pushes fail though it answers: a conflict or a refused session";
            const std::string fix = "csync2 -C " + s.name + " -M lists what stays dirty; a file changed here and on the peer "
                                    "is a conflict: `csync2 -C " + s.name + " -f PATH` on the member whose version wins; "
                                    "the peer's syslog says why it refused a session (key, csync_only_from, host name)";
            if (lane.failures >= kFailuresBeforeError)
                r.error("push", subject, message, fix);
            else
                r.warn("push", subject, message + "; the lane retries it within seconds", fix);
            break;
        }
        case LaneState::Up:
            r.ok("push", subject,
                 who + ": up since " + time_phrase(lane.since) + ", last successful push " + time_phrase(lane.last_ok) +
                     " (" + waits + ")");
            break;
        case LaneState::Unknown:
            r.ok("push", subject, who + ": lsyncd's lane has not finished a push yet (" + waits + ")");
            break;
    }
}

/// lsyncd's report on the push lanes of one group, then each peer's pushes.
void check_pushes(const NodeState& state, const ServersetState& s, Report& r) {
    if (s.peers.empty()) return;
    if (!state.lsyncd.empty()) {
        if (!s.lanes && s.lanes_exist)
            r.warn("lanes", s.name, "cannot read " + s.lanes_path + ", where lsyncd's push lanes report", "run doctor as root");
        else if (!s.lanes)
            r.warn("lanes", s.name,
                   "no " + s.lanes_path + ": lsyncd's push lanes have not reported yet, or lsyncd runs a config older "
                   "than this module version",
                   "if lsyncd has just started, run doctor again in a few seconds; else run the Puppet agent (it writes "
                   "the current lsyncd config and restarts lsyncd)");
        else
            for (const auto& problem : s.lanes->problems)
                r.warn("lanes", s.name, problem,
                       "lsyncd rewrites the file at every push; if it stays malformed, restart lsyncd");
    }
    for (const auto& p : s.peers) check_peer_pushes(state, s, p, r);
}

void check_sync(const ServersetState& s, const std::string& node, Report& r) {
    const CheckRun& run = s.sync_check;
    if (!run.skipped.empty()) return;  // the reason is already a finding of its own
    const std::string retry = "csync2 -C " + s.name + " -T -v shows the details";
    if (!run.result.started) {
        r.warn("sync", s.name, "could not run csync2 -T: " + run.result.error, retry);
    } else if (run.result.timed_out) {
        r.warn("sync", s.name, "csync2 -T did not finish in time; the comparison is unknown", retry);
    } else if (run.result.exit_code == 2) {
        r.ok("sync", s.name, "in sync with every peer (csync2 -T)");
    } else if (run.result.exit_code == 0) {
        // -T exits 0 when it found differences; it prints one line per differing file and peer.
        std::vector<std::string> lines = lines_of(run.result.out);
        lines.erase(std::remove(lines.begin(), lines.end(), std::string()), lines.end());
        std::string message = "differs from its peers (csync2 -T: " + std::to_string(lines.size()) + " differences";
        if (!lines.empty()) message += ", first: " + lines.front();
        message += ")";
        r.error("sync", s.name, message,
                "on a member that has the right files run `csync2 -C " + s.name + " -TUXI` then `csync2 -C " + s.name +
                    " -u` (a new member gets nothing until then); on " + node + " itself `csync2 -C " + s.name +
                    " -x` pushes its own changes");
    } else {
        std::string why = first_line_with(run.result.err, {"ERROR", "Error", "error"});
        if (why.empty()) why = first_nonempty_line(run.result.err + run.result.out);
        r.error("sync", s.name, "csync2 -T could not compare with the peers (exit " + std::to_string(run.result.exit_code) + "): " + why,
                "fix the peer findings above; " + retry);
    }
}

/// Whose the private directories are: the state directory holds the node's lock (any user who
/// can open it can take it, and every check and listener session then waits), csync2's
/// database directory every synced file's name. Both must be root's alone.
void check_private(const NodeState& state, Report& r) {
    auto shared = [](const PathStatus& p) { return p.exists && (p.uid != 0 || (p.mode & 077) != 0); };
    auto described = [](const std::string& dir, const PathStatus& p) {
        return dir + " is " + (p.uid != 0 ? "owned by uid " + std::to_string(p.uid) : "root's") + " with mode " +
               octal_mode(p.mode);
    };
    bool problem = false;
    if (state.state_dir_status && shared(*state.state_dir_status)) {
        r.error("private", state.state_dir,
                described(state.state_dir, *state.state_dir_status) +
                    ": another local user can open the node's lock in it and stall every check and listener session",
                "chown root:root " + state.state_dir + " && chmod 0700 " + state.state_dir +
                    " (the Puppet agent does so)");
        problem = true;
    }
    const std::string& db = state.csync2.database_dir;
    if (state.database_dir_status && shared(*state.database_dir_status)) {
        r.warn("private", db,
               described(db, *state.database_dir_status) +
                   ": every local user can list the synced files' names in csync2's databases",
               "chown root:root " + db + " && chmod 0700 " + db + " (the Puppet agent does so)");
        problem = true;
    }
    if (!problem && (state.state_dir_status || state.database_dir_status))
        r.ok("private", "", "the node's lock and csync2's databases are root's alone");
}

/// csync2's tempdir: it must exist (else csync2 silently writes its scratch files beside each file,
/// where lsyncd sees them), be root's alone (it holds the content of files in transit), and on
/// the sources' filesystem for csync2 to rename a received file into place.
void check_tempdir(const NodeState& state, const ServersetState& s, Report& r) {
    if (!s.tempdir || s.config.tempdirs.empty()) return;
    const std::string dir = s.config.tempdirs.back();
    const PathStatus& t = *s.tempdir;
    if (!t.exists || !t.is_directory) {
        r.warn("tempdir", s.name,
               "csync2's tempdir " + dir + (t.exists ? " is not a directory" : " does not exist") +
                   ": csync2 writes its scratch files beside each file instead, where lsyncd sees every one",
               "run the Puppet agent (the module creates it), or: install -d -m 0700 -o root " + dir);
        return;
    }
    if (t.uid != 0 || (t.mode & 077) != 0) {
        r.warn("tempdir", s.name,
               dir + " is " + (t.uid != 0 ? "owned by uid " + std::to_string(t.uid) : "root's") + " with mode " +
                   octal_mode(t.mode) + ": it holds the content of files in transit",
               "chown root " + dir + " && chmod 0700 " + dir);
        return;
    }
    std::vector<std::string> elsewhere;
    for (const auto& src : state.sources)
        if (src.serverset == s.name && src.status.exists &&
            (src.status.dev_major != t.dev_major || src.status.dev_minor != t.dev_minor))
            elsewhere.push_back(src.path);
    if (!elsewhere.empty()) {
        r.warn("tempdir", s.name,
               dir + " is on another filesystem than " + join(elsewhere, ", ") +
                   ": csync2 cannot rename a received file into place there, so it truncates and copies it",
               "if that matters, set the class's csync_tempdir to a directory on the same filesystem as the sources");
        return;
    }
    r.ok("tempdir", s.name, "csync2's scratch files go to " + dir + " (root, 0700, the sources' filesystem)");
}

/// The module's index on csync2's `file` table: without it every csync2 run (each lsyncd batch
/// runs two or three) reads every path csync2 knows to count them.
void check_count_index(const ServersetState& s, Report& r) {
    if (!s.count_index) return;
    if (!*s.count_index) {
        r.warn("database", s.name,
               s.database + " has no clustersync_count index: every csync2 run reads every path it has recorded "
                            "(csync2 counts its file table at start), which costs CPU per change as the tree grows",
               "run the Puppet agent (the module adds it unless csync_db_index is false), or: sqlite3 -cmd '.timeout 60000' " + s.database +
                   " 'CREATE INDEX IF NOT EXISTS clustersync_count ON file(0)'");
        return;
    }
    r.ok("database", s.name, s.database + " has the clustersync_count index (csync2's count at start reads row ids only)");
}

void check_serverset(const NodeState& state, const ServersetState& s, Report& r) {
    if (!s.config_readable) {
        r.error("config", s.name, "cannot read " + s.config_path, "run doctor as root; check the file's permissions");
        return;
    }
    const std::string refusal = parse_refusal(s.parse_check);
    if (!refusal.empty()) {
        r.error("config", s.name, "csync2 refuses " + s.config_path + ": " + refusal,
                "correct the file (Puppet writes it: check the serverset's parameters and run the agent again); "
                "`csync2 -C " + s.name + " -M` repeats the message");
    } else if (s.parse_check.skipped.empty() && !s.parse_check.result.started) {
        r.warn("config", s.name, "could not run csync2 to check " + s.config_path + ": " + s.parse_check.result.error,
               "install csync2 or put it on PATH");
    } else if (s.parse_check.skipped.empty()) {
        r.ok("config", s.name, "csync2 accepts " + s.config_path);
    }

    if (s.config.groups.empty()) {
        r.error("membership", s.name, s.config_path + " defines no group", "declare the serverset with its servers");
        return;
    }
    const auto groups = member_groups(s, state.node);
    if (groups.empty()) {
        std::vector<std::string> hosts;
        for (const auto& g : s.config.groups) hosts.push_back(join_host_names(g));
        r.error("membership", s.name,
                "this host (" + state.node + ") is not a member: the hosts are " + join(hosts, "; ") +
                    " (csync2 compares the lower-cased host name exactly; an FQDN never matches a short name)",
                "make the names agree: list \"" + state.node + "\" in the serverset's servers, or set the host name "
                "to the listed one, or run csync2 (listener included) and doctor with -N/--node NAME");
        return;
    }
    std::vector<std::string> names;
    for (const auto* g : groups) names.push_back(g->name);
    r.ok("membership", s.name, state.node + " is a member of group " + join(names, ", "));

    check_keys(s, groups, r);

    for (const auto& p : s.peers) {
        const std::string where = p.target + ":" + std::to_string(state.port);
        if (p.error)
            r.error("peer", s.name + "/" + p.name, "listener at " + where + " is unreachable: " + *p.error,
                    "start the csync2 listener on " + p.name + " (xinetd's csync2 service, or csync2 -ii), and check the "
                    "address, port " + std::to_string(state.port) + ", firewalls and csync_only_from");
        else
            r.ok("peer", s.name + "/" + p.name, "listener at " + where + " accepts connections");
    }

    check_pushes(state, s, r);

    check_sync(s, state.node, r);

    check_tempdir(state, s, r);

    check_count_index(s, r);

    if (s.dirty && *s.dirty > 0)
        r.warn("dirty", s.name, std::to_string(*s.dirty) + " files wait to be pushed",
               "`csync2 -C " + s.name + " -u` retries them; if they stay, `csync2 -C " + s.name +
                   " -M` lists them (identical files marked dirty on two members need `auto` or `csync2 -f`)");
}

void check_lsyncd(const NodeState& state, Report& r) {
    if (state.lsyncd_path.empty()) {
        r.error("lsyncd", "", "lsyncd is not installed", "install it (apt-get install lsyncd, or the module's package step)");
    } else if (state.lsyncd.empty()) {
        r.error("lsyncd", "", "lsyncd is not running: changes are not pushed",
                "start it (service lsyncd start, or lsyncd /etc/lsyncd/lsyncd.conf.lua); its log tells why it stopped "
                "(\"out of inotify watches\" means the watch limit below)");
    } else {
        std::vector<std::string> pid_list;
        for (const auto& p : state.lsyncd) pid_list.push_back(std::to_string(p.pid));
        const std::string pids = join(pid_list, ", ");
        if (state.lsyncd.size() > 1)
            r.warn("lsyncd", "", "several lsyncd processes run (pids " + pids + "): each change is pushed more than once",
                   "stop all but the one the service manager started");
        else
            r.ok("lsyncd", "", "lsyncd runs (pid " + pids + ")");
    }

    for (const auto& src : state.sources) {
        if (!src.status.exists || !src.status.is_directory) {
            r.error("watching", src.path, std::string(src.status.exists ? "is not a directory" : "does not exist") +
                                               " (a source of serverset " + src.serverset + ")",
                    "create the directory (the module expects a file resource for every source), then restart lsyncd");
            continue;
        }
        if (state.lsyncd.empty()) continue;  // already an error above
        if (!src.watched)
            r.warn("watching", src.path, "cannot tell whether lsyncd watches it (its /proc/PID/fdinfo is unreadable)",
                   "run doctor as root");
        else if (!*src.watched)
            r.error("watching", src.path, "lsyncd does not watch it (serverset " + src.serverset + ")",
                    "check that lsyncd's config has a sync for this source, then restart lsyncd");
        else
            r.ok("watching", src.path, "lsyncd watches it");
    }

    long needed = 0;
    for (const auto& src : state.sources) needed += src.directories;
    if (!state.watch_limit) {
        r.warn("watches", "", "cannot read fs.inotify.max_user_watches", "check that /proc/sys is mounted");
        return;
    }
    const long limit = *state.watch_limit;
    const std::string counts = std::to_string(needed) + " directories under the sources need one inotify watch each; "
                               "the limit is " + std::to_string(limit);
    const std::string fix = "raise it: sysctl -w fs.inotify.max_user_watches=" + std::to_string(std::max(2 * needed, 65536L)) +
                            " and keep it in /etc/sysctl.d/ (in a container, the user namespace's user.max_inotify_watches "
                            "counts too)";
    if (needed > limit)
        r.error("watches", "", counts + ": lsyncd stops with \"out of inotify watches\"", fix);
    else if (needed * 10 > limit * 8)
        r.warn("watches", "", counts + ": less than 20% headroom", fix);
    else
        r.ok("watches", "", counts);
}

}  // namespace

std::vector<Finding> evaluate(const NodeState& state) {
    Report r;
    if (state.csync2.path.empty())
        r.error("csync2", "", "csync2 is not installed", "install it (apt-get install csync2)");
    else
        r.ok("csync2", "", state.csync2.path + (state.csync2.version.empty() ? "" : " " + state.csync2.version) +
                               ", config directory " + state.csync2.config_dir);

    const std::string lock = state.csync2.config_dir + "/" + kCsync2LockFileName;
    if (state.lock_file)
        r.error("lock", "", lock + " exists: csync2 refuses to run",
                "remove it once you are sure no maintenance needs it: rm " + lock);
    else
        r.ok("lock", "", "no " + lock);
    check_private(state, r);

    if (state.serversets.empty())
        r.error("serversets", "",
                "no " + csync2_config_file_name("NAME") + " in " + state.csync2.config_dir + ": this node syncs nothing",
                "declare the clustersync class and its serversets for this node and run the agent (or give --config-dir)");

    for (const auto& s : state.serversets) check_serverset(state, s, r);
    check_lsyncd(state, r);
    return r.take();
}

bool has_errors(const std::vector<Finding>& findings) {
    return std::any_of(findings.begin(), findings.end(), [](const Finding& f) { return f.status == FindingStatus::Error; });
}

namespace {

const char* status_word(FindingStatus s) {
    switch (s) {
        case FindingStatus::Ok: return "ok";
        case FindingStatus::Warning: return "warning";
        case FindingStatus::Error: return "error";
    }
    return "";
}

std::pair<long, long> tally(const std::vector<Finding>& findings) {
    long errors = 0, warnings = 0;
    for (const auto& f : findings) {
        if (f.status == FindingStatus::Error) ++errors;
        if (f.status == FindingStatus::Warning) ++warnings;
    }
    return {errors, warnings};
}

std::string pad(std::string s, std::size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

}  // namespace

std::string format_text(const std::string& node, const std::vector<Finding>& findings) {
    std::string out;
    for (const auto& f : findings) {
        const char* word = f.status == FindingStatus::Ok ? "ok" : f.status == FindingStatus::Warning ? "WARN" : "ERROR";
        out += pad(word, 6) + pad(f.check, 11) + (f.subject.empty() ? "" : f.subject + ": ") + f.message + "\n";
        if (!f.fix.empty()) out += pad("", 6) + pad("", 11) + "fix: " + f.fix + "\n";
    }
    const auto [errors, warnings] = tally(findings);
    const std::string warned = std::to_string(warnings) + (warnings == 1 ? " warning" : " warnings");
    if (errors == 0)
        out += node + ": healthy" + (warnings ? " (" + warned + ")" : "") + "\n";
    else
        out += node + ": " + std::to_string(errors) + (errors == 1 ? " error, " : " errors, ") + warned + "\n";
    return out;
}

std::string format_json(const std::string& node, const std::vector<Finding>& findings) {
    rapidjson::StringBuffer buffer;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
    w.SetIndent(' ', 2);
    const auto [errors, warnings] = tally(findings);
    w.StartObject();
    write_json_member(w, "node", node);
    w.Key("healthy");
    w.Bool(errors == 0);
    w.Key("errors");
    w.Int64(errors);
    w.Key("warnings");
    w.Int64(warnings);
    w.Key("findings");
    w.StartArray();
    for (const auto& f : findings) {
        w.StartObject();
        w.Key("status");
        w.String(status_word(f.status));
        write_json_member(w, "check", f.check);
        write_json_member(w, "subject", f.subject);
        write_json_member(w, "message", f.message);
        write_json_member(w, "fix", f.fix);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

std::vector<std::string> csync2_command(const NodeState& s, const DoctorOptions& o, const std::string& name) {
    std::vector<std::string> args{s.csync2.path, "-C", name};
    if (s.node_given) args.insert(args.end(), {"-N", s.node});
    if (!o.database_dir.empty()) args.insert(args.end(), {"-D", o.database_dir});
    if (o.port_given) args.insert(args.end(), {"-p", std::to_string(o.port)});
    return args;
}

std::string parse_check_skip_reason(const NodeState& s) {
    if (s.csync2.path.empty()) return "csync2 is not installed";
    if (s.lock_file) return std::string(kCsync2LockFileName) + " exists";
    return "";
}

std::string sync_check_skip_reason(const ServersetState& s, const std::string& node) {
    if (!s.config_readable || member_groups(s, node).empty()) return "not a member";
    if (!s.parse_check.result.started || !parse_refusal(s.parse_check).empty()) return "csync2 refuses the config";
    // -T would only wait for the same timeouts.
    if (!s.peers.empty() && std::all_of(s.peers.begin(), s.peers.end(), [](const PeerState& p) { return p.error.has_value(); }))
        return "no peer is reachable";
    return "";
}

KeyState judge_key(const std::string& path, const PathStatus& status, const Result<std::string>& content) {
    KeyState k;
    k.path = path;
    k.status = status;
    k.readable = content.has_value();
    if (content)
        k.text_problems = csync2_key_problems(*content);
    else if (status.exists)
        k.read_error = content.error();
    return k;
}

std::vector<std::string> member_key_paths(const ServersetState& s, const std::string& node) {
    std::vector<std::string> paths;
    std::set<std::string> seen;
    for (const auto* g : member_groups(s, node))
        for (const auto& path : g->keys)
            if (seen.insert(path).second) paths.push_back(path);
    return paths;
}

std::vector<SourceState> lsyncd_sources(const std::vector<ServersetState>& serversets, const std::string& node) {
    std::vector<SourceState> sources;
    std::set<std::string> seen;
    for (const auto& s : serversets)
        for (const auto* g : member_groups(s, node))
            for (const auto& inc : g->includes)
                if (is_literal_directory_pattern(inc) && seen.insert(inc).second) {
                    SourceState src;
                    src.path = inc;
                    src.serverset = s.name;
                    sources.push_back(std::move(src));
                }
    std::sort(sources.begin(), sources.end(), [](const SourceState& a, const SourceState& b) { return a.path < b.path; });
    return sources;
}

std::optional<bool> is_watched(const PathStatus& dir, const std::vector<LsyncdProcess>& lsyncd) {
    bool readable = false;
    for (const auto& p : lsyncd) {
        if (!p.watches_readable) continue;
        readable = true;
        for (const auto& w : p.watches)
            if (w.inode == dir.inode && (w.kernel_dev >> 20) == dir.dev_major && (w.kernel_dev & 0xfffff) == dir.dev_minor)
                return true;
    }
    if (!readable) return std::nullopt;
    return false;
}

long directory_count_bound(const std::optional<long>& watch_limit) {
    return watch_limit ? *watch_limit + 1 : 10'000'000L;
}

NodeState inspect_node(const DoctorOptions& o) {
    NodeState s;
    s.node = o.node.empty() ? local_host_name() : ascii_lower(o.node);
    s.node_given = !o.node.empty();
    s.csync2 = locate_csync2(o.config_dir, o.database_dir);
    s.port = o.port;
    s.lock_file = stat_path(s.csync2.config_dir + "/" + kCsync2LockFileName).exists;
    s.state_dir = o.state_dir;
    s.state_dir_status = stat_path(o.state_dir);
    if (!s.csync2.database_dir.empty()) s.database_dir_status = stat_path(s.csync2.database_dir);
    std::vector<std::pair<std::string, std::string>> env;
    if (!o.config_dir.empty()) env.emplace_back("CSYNC2_SYSTEM_DIR", o.config_dir);

    for (const auto& name : serverset_names(list_directory(s.csync2.config_dir))) {
        ServersetState ss;
        ss.name = name;
        ss.config_path = s.csync2.config_dir + "/" + csync2_config_file_name(name);
        const auto text = read_text_file(ss.config_path);
        ss.config_readable = text.has_value();
        if (text) ss.config = read_csync2_config(*text);

        // The key is read only to judge its form; it goes out of scope here and is never printed.
        for (const auto& path : member_key_paths(ss, s.node))
            ss.keys.push_back(judge_key(path, stat_path(path), read_text_file(path, 4096)));
        for (const auto& h : member_peers(ss.config, s.node)) {
            PeerState p{h.name, csync2_peer_name(h), std::nullopt};
            if (const Status reached = tcp_probe(p.target, o.port, o.connect_timeout_ms); !reached) p.error = reached.error();
            ss.peers.push_back(std::move(p));
        }
        std::sort(ss.peers.begin(), ss.peers.end(), [](const PeerState& a, const PeerState& b) { return a.name < b.name; });

        ss.parse_check.skipped = parse_check_skip_reason(s);
        if (!ss.parse_check.skipped.empty()) {
            ss.sync_check.skipped = ss.parse_check.skipped;
        } else {
            auto m = csync2_command(s, o, name);
            m.push_back("-M");
            ss.parse_check.result = run_command(m, env, 20000);
            ss.sync_check.skipped = sync_check_skip_reason(ss, s.node);
            if (ss.sync_check.skipped.empty()) {
                auto t = csync2_command(s, o, name);
                t.push_back("-T");
                ss.sync_check.result = run_command(t, env, o.sync_timeout_ms);
            }
        }
        if (!ss.config.tempdirs.empty()) ss.tempdir = stat_path(ss.config.tempdirs.back());
        ss.database = s.csync2.database_dir + "/" + csync2_database_file_name(s.node, name);
        if (const auto counts = count_dirty(ss.database)) {
            ss.dirty = counts->files;
            ss.waiting = counts->entries_by_peer;
        }
        ss.lanes_path = lanes_path(o.state_dir, name);
        if (!ss.peers.empty()) {
            ss.lanes_exist = stat_path(ss.lanes_path).exists;
            if (const auto report = read_text_file(ss.lanes_path)) ss.lanes = parse_lanes(ss.lanes_path, *report);
        }
        ss.count_index = has_count_index(ss.database).optional();
        s.serversets.push_back(std::move(ss));
    }

    s.lsyncd_path = find_program("lsyncd");
    s.lsyncd = find_lsyncd_processes();
    s.now = static_cast<std::int64_t>(std::time(nullptr));
    s.watch_limit = inotify_watch_limit();
    s.sources = lsyncd_sources(s.serversets, s.node);
    for (auto& src : s.sources) {
        src.status = stat_path(src.path);
        if (src.status.is_directory) src.directories = count_directories(src.path, directory_count_bound(s.watch_limit));
        src.watched = is_watched(src.status, s.lsyncd);
    }
    return s;
}

}  // namespace clustersync
