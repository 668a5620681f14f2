// doctor: reading csync2 config files back, the key rule, every evaluation rule on made-up node
// states, and both report formats.
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "csync2_cfg.hpp"
#include "csync2_rules.hpp"
#include "doctor.hpp"

using namespace clustersync;

// ---- csync2 config reader ---------------------------------------------------------------

TEST_CASE("read_csync2_config extracts hosts, keys, includes and excludes of a module-style file", "[doctor]") {
    const std::string text = R"(# Managed by Puppet: clustersync::serverset[uploads]
nossl * *;
tempdir /var/lib/csync2/tmp;
group uploads {
  host node1@198.18.0.1;
  host Node2@198.18.0.2 node3;
  host (backup1);
  key /etc/csync2_uploads.key;
  include /var/uploads;
  include "/srv/with space" /srv/second;
  exclude *.tmp ".*.XXXXXX";
  auto younger;
  action {
    pattern /var/uploads/*;
    exec "logger -t csync2 %% changed";
    logfile "/var/log/csync2_action.log";
    do-local;
  }
  backup-directory /var/backups/csync2;
  backup-generations 3;
}
)";
    const auto cfg = read_csync2_config(text);
    CHECK(cfg.problems.empty());
    REQUIRE(cfg.groups.size() == 1);
    const auto& g = cfg.groups[0];
    CHECK(g.name == "uploads");
    REQUIRE(g.hosts.size() == 4);
    CHECK(g.hosts[0].name == "node1");
    CHECK(g.hosts[0].address == "198.18.0.1");
    CHECK_FALSE(g.hosts[0].slave);
    CHECK(g.hosts[1].name == "Node2");
    CHECK(g.hosts[1].address == "198.18.0.2");
    CHECK(g.hosts[2].name == "node3");
    CHECK(g.hosts[2].address.empty());
    CHECK(g.hosts[3].name == "backup1");
    CHECK(g.hosts[3].slave);
    CHECK(g.keys == std::vector<std::string>{"/etc/csync2_uploads.key"});
    CHECK(g.includes == std::vector<std::string>{"/var/uploads", "/srv/with space", "/srv/second"});
    CHECK(g.excludes == std::vector<std::string>{"*.tmp", ".*.XXXXXX"});
    CHECK(cfg.tempdirs == std::vector<std::string>{"/var/lib/csync2/tmp"});
}

TEST_CASE("read_csync2_config: several groups, prefix blocks, '#' comments even inside a word", "[doctor]") {
    const std::string text =
        "prefix www {\n  on node1: /srv/www;\n  on *: /var/www;\n}\n"
        "group a { host x; key /k# csync2 reads the key file /k\n; include %www%/html; }\n"
        "group b { host y@fd00::2; # a comment ; host z;\n key \"/etc/b key\"; }\n";
    const auto cfg = read_csync2_config(text);
    CHECK(cfg.problems.empty());
    REQUIRE(cfg.groups.size() == 2);
    CHECK(cfg.groups[0].keys == std::vector<std::string>{"/k"});
    CHECK(cfg.groups[0].includes == std::vector<std::string>{"%www%/html"});
    REQUIRE(cfg.groups[1].hosts.size() == 1);
    CHECK(cfg.groups[1].hosts[0].address == "fd00::2");
    CHECK(cfg.groups[1].keys == std::vector<std::string>{"/etc/b key"});
}

TEST_CASE("read_csync2_config names the line where it cannot follow the file", "[doctor]") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"group a {\n  host x\n  key /k;\n}\n", "line 3: expected ';' after host, got \"key\""},
        {"group a {\n  host x;\n", "line 3: group a is not closed with '}'"},
        {"group { host x; }", "line 1: expected a group name, got '{'"},
        {"group a host x;", "line 1: expected '{' after group a, got \"host\""},
        {"group a { include /x }", "line 1: expected ';' after include, got '}'"},
        {"}\n", "line 1: unexpected '}' at top level"},
        {"group a { host x@; }", "line 1: expected an address after x@, got ';'"},
        // Every keyword of csync2 2.0's scanner ends a host list, also those the module never writes.
        {"group a {\n  host x\n  do-local-only;\n}\n", "line 3: expected ';' after host, got \"do-local-only\""},
        {"group a {\n  host x\n  no-cygwin-lowercase;\n}\n", "line 3: expected ';' after host, got \"no-cygwin-lowercase\""},
    };
    for (const auto& [text, problem] : cases) {
        INFO(text);
        const auto cfg = read_csync2_config(text);
        REQUIRE(!cfg.problems.empty());
        CHECK(cfg.problems.front() == problem);
    }
}

TEST_CASE("member_peers lists the other hosts of the node's groups once, with csync2's name for each", "[doctor]") {
    const auto cfg = read_csync2_config(
        "group a { host node1 Node2@198.18.0.2 Node3; }\n"
        "group b { host node1 node3 node4@fd00::4; }\n"
        "group c { host node5 node6; }\n");
    const auto peers = member_peers(cfg, "NODE1");
    std::vector<std::string> seen;
    for (const auto& h : peers) seen.push_back(h.name + " -> " + csync2_peer_name(h));
    // csync2 records a peer written NAME@ADDRESS under its address, any other under its lower-cased name.
    CHECK(seen == std::vector<std::string>{"Node2 -> 198.18.0.2", "Node3 -> node3", "node4 -> fd00::4"});
    CHECK(member_peers(cfg, "node9").empty());
}

TEST_CASE("is_member follows csync2: lower-cased exact match, an FQDN never matches a short name", "[doctor]") {
    const auto cfg = read_csync2_config("group g { host Node1@10.0.0.1 web.example.net (Backup); }");
    REQUIRE(cfg.groups.size() == 1);
    const auto& g = cfg.groups[0];
    CHECK(is_member(g, "node1"));
    CHECK(is_member(g, "NODE1"));
    CHECK(is_member(g, "web.example.net"));
    CHECK(is_member(g, "backup"));
    CHECK_FALSE(is_member(g, "web"));
    CHECK_FALSE(is_member(g, "node1.example.net"));
    CHECK_FALSE(is_member(g, "10.0.0.1"));
}

// ---- evaluation rules --------------------------------------------------------------------

namespace {

CommandResult exited(int code, const std::string& out = "", const std::string& err = "") {
    CommandResult r;
    r.started = true;
    r.exit_code = code;
    r.out = out;
    r.err = err;
    return r;
}

/// A node that is healthy in every respect; each test breaks one thing.
NodeState healthy_node() {
    NodeState s;
    s.node = "node1";
    s.csync2 = {"/usr/sbin/csync2", "2.0", "/etc", "/var/lib/csync2"};
    s.port = 30865;
    ServersetState ss;
    ss.name = "uploads";
    ss.config_path = "/etc/csync2_uploads.cfg";
    ss.config_readable = true;
    ss.config = read_csync2_config(
        "tempdir /var/lib/csync2/clustersync-tmp;\n"
        "group uploads { host node1@198.18.0.1 node2@198.18.0.2; key /etc/csync2_uploads.key; include /var/uploads; }");
    PathStatus tempdir;
    tempdir.exists = tempdir.is_directory = true;
    tempdir.mode = 0700;
    tempdir.dev_major = 8;
    tempdir.dev_minor = 1;
    ss.tempdir = tempdir;
    KeyState key;
    key.path = "/etc/csync2_uploads.key";
    key.status.exists = true;
    key.status.uid = 0;
    key.status.mode = 0600;
    key.readable = true;
    ss.keys.push_back(key);
    ss.peers.push_back({"node2", "198.18.0.2", std::nullopt});
    ss.parse_check.result = exited(2);  // -M with nothing dirty
    ss.sync_check.result = exited(2);   // -T: in sync
    ss.dirty = 0;
    ss.database = "/var/lib/csync2/node1_uploads.db3";
    ss.count_index = true;
    ss.waiting = std::map<std::string, long>{};
    ss.lanes_path = "/var/lib/clustersync/uploads.lanes";
    ss.lanes_exist = true;
    ss.lanes = parse_lanes(ss.lanes_path, "198.18.0.2\tnode2\tup\t1796242613\t1796242621\t-\t0\n");
    s.serversets.push_back(ss);
    s.lsyncd_path = "/usr/bin/lsyncd";
    LsyncdProcess p;
    p.pid = 4242;
    p.watches_readable = true;
    s.lsyncd.push_back(p);
    SourceState src;
    src.path = "/var/uploads";
    src.serverset = "uploads";
    src.status.exists = true;
    src.status.is_directory = true;
    src.status.dev_major = 8;
    src.status.dev_minor = 1;
    src.directories = 120;
    src.watched = true;
    s.sources.push_back(src);
    s.watch_limit = 8192;
    s.now = 1796242800;  // 2026-12-02T20:20:00Z
    return s;
}

std::vector<Finding> with_status(const std::vector<Finding>& fs, FindingStatus status) {
    std::vector<Finding> out;
    std::copy_if(fs.begin(), fs.end(), std::back_inserter(out), [&](const Finding& f) { return f.status == status; });
    return out;
}

/// The one problem a test expects: exactly one non-ok finding, with this check and status.
Finding only_problem(const NodeState& state, const std::string& check, FindingStatus status) {
    const auto fs = evaluate(state);
    auto problems = with_status(fs, FindingStatus::Error);
    const auto warnings = with_status(fs, FindingStatus::Warning);
    problems.insert(problems.end(), warnings.begin(), warnings.end());
    INFO(format_text(state.node, fs));
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].check == check);
    CHECK(problems[0].status == status);
    CHECK_FALSE(problems[0].fix.empty());
    return problems[0];
}

}  // namespace

TEST_CASE("evaluate: a healthy node has only ok findings, one per check", "[doctor]") {
    const auto fs = evaluate(healthy_node());
    CHECK_FALSE(has_errors(fs));
    std::vector<std::string> checks;
    for (const auto& f : fs) {
        CHECK(f.status == FindingStatus::Ok);
        CHECK(f.fix.empty());
        checks.push_back(f.check);
    }
    CHECK(checks == std::vector<std::string>{"csync2", "lock", "config", "membership", "key", "peer", "push", "sync",
                                             "tempdir", "database", "lsyncd", "watching", "watches"});
}

TEST_CASE("evaluate: a host name that is not a member is named with the hosts it could be", "[doctor]") {
    auto s = healthy_node();
    s.node = "node1.example.net";
    s.serversets[0].keys.clear();  // inspect_node reads keys and peers of member groups only
    s.serversets[0].peers.clear();
    s.serversets[0].sync_check.skipped = "not a member";
    const auto f = only_problem(s, "membership", FindingStatus::Error);
    CHECK(f.subject == "uploads");
    CHECK(f.message ==
          "this host (node1.example.net) is not a member: the hosts are node1, node2 (csync2 compares the lower-cased "
          "host name exactly; an FQDN never matches a short name)");
    CHECK(f.fix.find("--node") != std::string::npos);
}

TEST_CASE("evaluate: key file problems are each named, the key never is", "[doctor]") {
    SECTION("missing") {
        auto s = healthy_node();
        s.serversets[0].keys[0].status = PathStatus{};
        s.serversets[0].keys[0].readable = false;
        const auto f = only_problem(s, "key", FindingStatus::Error);
        CHECK(f.message == "key file /etc/csync2_uploads.key is missing");
        CHECK(f.fix.find("csync2 -k /etc/csync2_uploads.key") != std::string::npos);
    }
    SECTION("readable by others") {
        auto s = healthy_node();
        s.serversets[0].keys[0].status.mode = 0644;
        const auto f = only_problem(s, "key", FindingStatus::Error);
        CHECK(f.message == "key file /etc/csync2_uploads.key is readable or writable by group or others (mode 0644)");
        CHECK(f.fix.find("chmod 0600 /etc/csync2_uploads.key") == 0);
    }
    SECTION("not owned by root") {
        auto s = healthy_node();
        s.serversets[0].keys[0].status.uid = 1000;
        const auto f = only_problem(s, "key", FindingStatus::Error);
        CHECK(f.message == "key file /etc/csync2_uploads.key is owned by uid 1000, not root");
    }
    SECTION("unreadable, with the system's reason") {
        auto s = healthy_node();
        s.serversets[0].keys[0] = judge_key("/etc/csync2_uploads.key", s.serversets[0].keys[0].status,
                                            Result<std::string>::failure("cannot read /etc/csync2_uploads.key: Permission denied"));
        const auto f = only_problem(s, "key", FindingStatus::Error);
        CHECK(f.message == "cannot read /etc/csync2_uploads.key: Permission denied");
    }
    SECTION("malformed") {
        auto s = healthy_node();
        s.serversets[0].keys[0].text_problems = csync2_key_problems("short key\r\n");
        const auto f = only_problem(s, "key", FindingStatus::Error);
        CHECK(f.message ==
              "key file /etc/csync2_uploads.key is malformed: the key's first line ends with CRLF, which csync2 rejects: "
              "expected a Unix line end; the key has a character csync2 does not allow at position 6 of 9: expected only "
              "A-Z, a-z, 0-9, . and _; the key is 9 characters long, expected at least 32 (csync2 -k writes 64)");
    }
    SECTION("no key statement") {
        auto s = healthy_node();
        s.serversets[0].config = read_csync2_config("group uploads { host node1 node2; include /var/uploads; }");
        s.serversets[0].keys.clear();
        const auto f = only_problem(s, "key", FindingStatus::Error);
        CHECK(f.message == "group uploads in /etc/csync2_uploads.cfg names no key file");
    }
}

TEST_CASE("evaluate: csync2 refusing the config is an error with csync2's own words", "[doctor]") {
    auto s = healthy_node();
    s.serversets[0].parse_check.result = exited(1, "", "Near line 4: syntax error\n");
    s.serversets[0].sync_check = {"csync2 refuses the config", {}};
    const auto f = only_problem(s, "config", FindingStatus::Error);
    CHECK(f.message == "csync2 refuses /etc/csync2_uploads.cfg: Near line 4: syntax error");
}

TEST_CASE("evaluate: csync2 stopping at 'not a member' has parsed the file", "[doctor]") {
    auto s = healthy_node();
    s.serversets[0].parse_check.result = exited(1, "", "This host (node1) is not a member of any configured group.\n");
    const auto fs = evaluate(s);
    CHECK_FALSE(has_errors(fs));
}

TEST_CASE("evaluate: an unreachable peer names its address and port", "[doctor]") {
    auto s = healthy_node();
    s.serversets[0].peers[0].error = "timed out after 1000 ms";
    s.serversets[0].sync_check.result = exited(1, "", "ERROR: Connection to remote host `198.18.0.2' failed.\nFinished with 1 errors.\n");
    const auto fs = evaluate(s);
    const auto errors = with_status(fs, FindingStatus::Error);
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].check == "peer");
    CHECK(errors[0].subject == "uploads/node2");
    CHECK(errors[0].message == "listener at 198.18.0.2:30865 is unreachable: timed out after 1000 ms");
    CHECK(errors[1].check == "sync");
    CHECK(errors[1].message ==
          "csync2 -T could not compare with the peers (exit 1): ERROR: Connection to remote host `198.18.0.2' failed.");
}

TEST_CASE("evaluate: csync2 -T exit codes are read the csync2 way (0 = differences, 2 = in sync)", "[doctor]") {
    auto s = healthy_node();
    s.serversets[0].sync_check.result = exited(0, "L\tnode1\tnode2\t/var/uploads/a\nR\tnode1\tnode2\t/var/uploads/b\n");
    const auto f = only_problem(s, "sync", FindingStatus::Error);
    CHECK(f.message == "differs from its peers (csync2 -T: 2 differences, first: L\tnode1\tnode2\t/var/uploads/a)");
    CHECK(f.fix.find("csync2 -C uploads -TUXI") != std::string::npos);

    s.serversets[0].sync_check.result.timed_out = true;
    s.serversets[0].sync_check.result.exit_code = -1;
    only_problem(s, "sync", FindingStatus::Warning);
}

TEST_CASE("evaluate: files left dirty are a warning, not an error", "[doctor]") {
    auto s = healthy_node();
    s.serversets[0].dirty = 7;
    const auto f = only_problem(s, "dirty", FindingStatus::Warning);
    CHECK(f.message == "7 files wait to be pushed");
    CHECK_FALSE(has_errors(evaluate(s)));
}

namespace {

const std::string kLanes = "/var/lib/clustersync/uploads.lanes";

void set_lanes(NodeState& s, const std::string& lines) {
    s.serversets[0].lanes_exist = true;
    s.serversets[0].lanes = parse_lanes(kLanes, lines);
}

void set_waiting(NodeState& s, long n) { s.serversets[0].waiting = std::map<std::string, long>{{"198.18.0.2", n}}; }

/// The findings about lsyncd's lanes and the pushes to each peer, in order.
std::vector<Finding> push_findings(const NodeState& s) {
    std::vector<Finding> out;
    for (const auto& f : evaluate(s))
        if (f.check == "lanes" || f.check == "push") out.push_back(f);
    return out;
}

const std::string kWho = "peer node2 (198.18.0.2) of serverset uploads: ";
const std::string kUnreachableFix = "check that its listener runs and that port 30865 is reachable from here";
const std::string kFailingFix =
    "csync2 -C uploads -M lists what stays dirty; a file changed here and on the peer is a conflict: `csync2 -C uploads "
    "-f PATH` on the member whose version wins; the peer's syslog says why it refused a session (key, csync_only_from, "
    "host name)";
const std::string kByHand = "`csync2 -C uploads -u -P 198.18.0.2` pushes them by hand";

}  // namespace

TEST_CASE("evaluate: each peer's pushes, from lsyncd's lane, the entries waiting for it and doctor's clock", "[doctor]") {
    using S = FindingStatus;
    struct Case {
        const char* what;
        std::function<void(NodeState&)> change;
        std::vector<Finding> expected;
    };
    const std::vector<Case> cases = {
        {"up, nothing waits", [](NodeState&) {},
         {{S::Ok, "push", "uploads/node2",
           kWho + "up since 2026-12-02T20:16:53Z, last successful push 2026-12-02T20:17:01Z (nothing waits for it)", ""}}},
        {"up with entries waiting: the lane is pushing them, no alarm", [](NodeState& s) { set_waiting(s, 12); },
         {{S::Ok, "push", "uploads/node2",
           kWho + "up since 2026-12-02T20:16:53Z, last successful push 2026-12-02T20:17:01Z (12 entries wait for it)", ""}}},
        {"no push ended yet",
         [](NodeState& s) {
             set_lanes(s, "198.18.0.2\tnode2\tunknown\t-\t-\t1796242790\t0\n");
             set_waiting(s, 1);
         },
         {{S::Ok, "push", "uploads/node2", kWho + "lsyncd's lane has not finished a push yet (1 entry waits for it)", ""}}},
        {"unreachable, and doctor cannot reach it either",
         [](NodeState& s) {
             set_lanes(s, "198.18.0.2\tnode2\tunreachable\t1796242614\t1796242500\t-\t8\n");
             set_waiting(s, 8);
             s.serversets[0].peers[0].error = "timed out after 1000 ms";
         },
         {{S::Error, "push", "uploads/node2", kWho + "unreachable since 2026-12-02T20:16:54Z (8 entries wait for it)",
           kUnreachableFix}}},
        {"unreachable, but it answers doctor now",
         [](NodeState& s) {
             set_lanes(s, "198.18.0.2\tnode2\tunreachable\t1796242614\t-\t-\t8\n");
             set_waiting(s, 8);
         },
         {{S::Warning, "push", "uploads/node2",
           kWho + "unreachable since 2026-12-02T20:16:54Z (8 entries wait for it); it answers doctor now, so the lane "
                  "catches up at its next probe (within 5 s)",
           "run doctor again in a few seconds; if this stays, lsyncd's probe (bash's /dev/tcp under timeout) fails where "
           "doctor's succeeds: " + kUnreachableFix}}},
        {"failing, again and again",
         [](NodeState& s) {
             set_lanes(s, "198.18.0.2\tnode2\tfailing\t1796242614\t1796242500\t-\t5\n");
             set_waiting(s, 3);
         },
         {{S::Error, "push", "uploads/node2",
           kWho + "failing since 2026-12-02T20:16:54Z (5 failed attempts, 3 entries wait for it): pushes fail though it "
                  "answers: a conflict or a refused session",
           kFailingFix}}},
        {"failing once: a busy database passes, so only a warning",
         [](NodeState& s) {
             set_lanes(s, "198.18.0.2\tnode2\tfailing\t1796242795\t1796242500\t-\t1\n");
             set_waiting(s, 3);
         },
         {{S::Warning, "push", "uploads/node2",
           kWho + "failing since 2026-12-02T20:19:55Z (1 failed attempt, 3 entries wait for it): pushes fail though it "
                  "answers: a conflict or a refused session; the lane retries it within seconds",
           kFailingFix}}},
        {"a push running for more than 120 s",
         [](NodeState& s) { set_lanes(s, "198.18.0.2\tnode2\tup\t1796242613\t1796242621\t1796242679\t0\n"); },
         {{S::Error, "push", "uploads/node2",
           kWho + "a push to it has been running since 2026-12-02T20:17:59Z: its listener accepts connections but does "
                  "not answer (frozen, overloaded); nothing waits for it",
           "on node2, look at the csync2 listener's sessions (ps, load, disk space, syslog); the push ends, and the lane "
           "pushes again, once the listener answers or stops accepting connections"}}},
        {"a push running for exactly 120 s: it may be waiting for the peer's lock",
         [](NodeState& s) { set_lanes(s, "198.18.0.2\tnode2\tup\t1796242613\t1796242621\t1796242680\t0\n"); },
         {{S::Ok, "push", "uploads/node2",
           kWho + "up since 2026-12-02T20:16:53Z, last successful push 2026-12-02T20:17:01Z (nothing waits for it)", ""}}},
        {"entries wait and lsyncd is not running",
         [](NodeState& s) {
             s.lsyncd.clear();
             s.sources[0].watched.reset();
             set_waiting(s, 4);
         },
         {{S::Warning, "push", "uploads/node2", kWho + "4 entries wait for it and lsyncd is not running: nothing pushes them",
           "start lsyncd (see the lsyncd finding); meanwhile " + kByHand}}},
        {"lsyncd is not running: its stale lanes are not judged",
         [](NodeState& s) {
             s.lsyncd.clear();
             s.sources[0].watched.reset();
             set_lanes(s, "198.18.0.2\tnode2\tfailing\t1796242614\t-\t1796242000\t9\n");
         },
         {}},
        {"no lanes file, entries wait",
         [](NodeState& s) {
             s.serversets[0].lanes.reset();
             s.serversets[0].lanes_exist = false;
             set_waiting(s, 4);
         },
         {{S::Warning, "lanes", "uploads",
           "no " + kLanes + ": lsyncd's push lanes have not reported yet, or lsyncd runs a config older than this module version",
           "if lsyncd has just started, run doctor again in a few seconds; else run the Puppet agent (it writes the current "
           "lsyncd config and restarts lsyncd)"},
          {S::Warning, "push", "uploads/node2", kWho + "4 entries wait for it and no lane of lsyncd reports on it",
           "see the lanes finding above; " + kByHand}}},
        {"no lanes file, nothing waits: only the file is reported",
         [](NodeState& s) {
             s.serversets[0].lanes.reset();
             s.serversets[0].lanes_exist = false;
         },
         {{S::Warning, "lanes", "uploads",
           "no " + kLanes + ": lsyncd's push lanes have not reported yet, or lsyncd runs a config older than this module version",
           "if lsyncd has just started, run doctor again in a few seconds; else run the Puppet agent (it writes the current "
           "lsyncd config and restarts lsyncd)"}}},
        {"an unreadable lanes file",
         [](NodeState& s) { s.serversets[0].lanes.reset(); },
         {{S::Warning, "lanes", "uploads", "cannot read " + kLanes + ", where lsyncd's push lanes report", "run doctor as root"}}},
        {"the file has no line for the peer (lsyncd runs an older config)",
         [](NodeState& s) { set_lanes(s, "198.18.0.9\tnode9\tup\t1796242613\t1796242621\t-\t0\n"); },
         {{S::Warning, "push", "uploads/node2",
           kWho + "lsyncd's lanes report nothing on it (" + kLanes + " has no well-formed line for 198.18.0.2; nothing waits for it)",
           "restart lsyncd so it runs its current config (the Puppet agent restarts it when it changes the config)"}}},
        {"a malformed line is named with its file and line",
         [](NodeState& s) {
             set_lanes(s, "# header\n198.18.0.2\tnode2\tsideways\t1796242613\t1796242621\t-\t0\n");
             set_waiting(s, 2);
         },
         {{S::Warning, "lanes", "uploads",
           kLanes + ":2: state \"sideways\" is not one of unknown, up, unreachable, failing",
           "lsyncd rewrites the file at every push; if it stays malformed, restart lsyncd"},
          {S::Warning, "push", "uploads/node2",
           kWho + "lsyncd's lanes report nothing on it (" + kLanes + " has no well-formed line for 198.18.0.2; 2 entries wait for it)",
           "restart lsyncd so it runs its current config (the Puppet agent restarts it when it changes the config)"}}},
        {"the database is unknown",
         [](NodeState& s) { s.serversets[0].waiting.reset(); },
         {{S::Ok, "push", "uploads/node2",
           kWho + "up since 2026-12-02T20:16:53Z, last successful push 2026-12-02T20:17:01Z (entries waiting for it: unknown)",
           ""}}},
        {"a peer without an address is named once",
         [](NodeState& s) {
             s.serversets[0].peers[0].target = "node2";
             set_lanes(s, "node2\tnode2\tunreachable\t1796242614\t-\t-\t8\n");
             s.serversets[0].waiting = std::map<std::string, long>{{"node2", 8}};
             s.serversets[0].peers[0].error = "Connection refused";
         },
         {{S::Error, "push", "uploads/node2",
           "peer node2 of serverset uploads: unreachable since 2026-12-02T20:16:54Z (8 entries wait for it)", kUnreachableFix}}},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        auto s = healthy_node();
        c.change(s);
        const auto found = push_findings(s);
        INFO(format_text(s.node, found));
        REQUIRE(found.size() == c.expected.size());
        for (std::size_t i = 0; i < found.size(); ++i) {
            CHECK(found[i].status == c.expected[i].status);
            CHECK(found[i].check == c.expected[i].check);
            CHECK(found[i].subject == c.expected[i].subject);
            CHECK(found[i].message == c.expected[i].message);
            CHECK(found[i].fix == c.expected[i].fix);
        }
    }
}

TEST_CASE("evaluate: a push finding comes right after the peer findings of its serverset", "[doctor]") {
    auto s = healthy_node();
    set_lanes(s, "198.18.0.2\tnode2\tunreachable\t1796242614\t-\t-\t8\n");
    s.serversets[0].peers[0].error = "timed out after 1000 ms";
    s.serversets[0].sync_check = {"no peer is reachable", {}};
    const auto text = format_text(s.node, evaluate(s));
    CHECK(text.find("ERROR peer       uploads/node2: listener at 198.18.0.2:30865 is unreachable: timed out after 1000 ms\n"
                    "                 fix: start the csync2 listener on node2") != std::string::npos);
    CHECK(text.find("\nERROR push       uploads/node2: peer node2 (198.18.0.2) of serverset uploads: unreachable since "
                    "2026-12-02T20:16:54Z (nothing waits for it)\n"
                    "                 fix: check that its listener runs and that port 30865 is reachable from here\n"
                    "ok    tempdir ") != std::string::npos);
    CHECK(text.substr(text.rfind("node1:")) == "node1: 2 errors, 0 warnings\n");
}

TEST_CASE("evaluate: csync2's tempdir missing, shared, or on another filesystem than a source", "[doctor]") {
    const std::string dir = "/var/lib/csync2/clustersync-tmp";
    SECTION("missing: scratch files go beside each file") {
        auto s = healthy_node();
        s.serversets[0].tempdir = PathStatus{};
        const auto f = only_problem(s, "tempdir", FindingStatus::Warning);
        CHECK(f.message == "csync2's tempdir " + dir +
                               " does not exist: csync2 writes its scratch files beside each file instead, where lsyncd "
                               "sees every one");
        CHECK(f.fix == "run the Puppet agent (the module creates it), or: install -d -m 0700 -o root " + dir);
    }
    SECTION("a file, not a directory") {
        auto s = healthy_node();
        s.serversets[0].tempdir->is_directory = false;
        CHECK(only_problem(s, "tempdir", FindingStatus::Warning).message.find(dir + " is not a directory") !=
              std::string::npos);
    }
    SECTION("readable by others") {
        auto s = healthy_node();
        s.serversets[0].tempdir->mode = 0755;
        CHECK(only_problem(s, "tempdir", FindingStatus::Warning).message ==
              dir + " is root's with mode 0755: it holds the content of files in transit");
    }
    SECTION("owned by another user") {
        auto s = healthy_node();
        s.serversets[0].tempdir->uid = 33;
        const auto f = only_problem(s, "tempdir", FindingStatus::Warning);
        CHECK(f.message == dir + " is owned by uid 33 with mode 0700: it holds the content of files in transit");
        CHECK(f.fix == "chown root " + dir + " && chmod 0700 " + dir);
    }
    SECTION("on another filesystem than a source") {
        auto s = healthy_node();
        s.sources[0].status.dev_minor = 2;
        CHECK(only_problem(s, "tempdir", FindingStatus::Warning).message ==
              dir + " is on another filesystem than /var/uploads: csync2 cannot rename a received file into place "
                    "there, so it truncates and copies it");
    }
    SECTION("no tempdir in the config: nothing to judge") {
        auto s = healthy_node();
        s.serversets[0].tempdir.reset();
        for (const auto& f : evaluate(s)) CHECK(f.check != "tempdir");
    }
}

TEST_CASE("evaluate: a csync2 database without the module's index is a warning with the statement that adds it", "[doctor]") {
    const std::string db = "/var/lib/csync2/node1_uploads.db3";
    SECTION("missing") {
        auto s = healthy_node();
        s.serversets[0].count_index = false;
        const auto f = only_problem(s, "database", FindingStatus::Warning);
        CHECK(f.subject == "uploads");
        CHECK(f.message.rfind(db + " has no clustersync_count index: every csync2 run reads every path", 0) == 0);
        CHECK(f.fix.find("sqlite3 -cmd '.timeout 60000' " + db + " 'CREATE INDEX IF NOT EXISTS clustersync_count ON file(0)'") !=
              std::string::npos);
    }
    SECTION("no database (csync2 never ran) or unreadable: nothing to judge") {
        auto s = healthy_node();
        s.serversets[0].count_index.reset();
        for (const auto& f : evaluate(s)) CHECK(f.check != "database");
    }
}

TEST_CASE("evaluate: a lock file stops csync2 and is reported", "[doctor]") {
    auto s = healthy_node();
    s.lock_file = true;
    s.serversets[0].parse_check = {"csync2.lock exists", {}};
    s.serversets[0].sync_check = {"csync2.lock exists", {}};
    const auto f = only_problem(s, "lock", FindingStatus::Error);
    CHECK(f.message == "/etc/csync2.lock exists: csync2 refuses to run");
    CHECK(f.fix.find("rm /etc/csync2.lock") != std::string::npos);
}

TEST_CASE("evaluate: lsyncd not running, or not watching a source", "[doctor]") {
    SECTION("not running") {
        auto s = healthy_node();
        s.lsyncd.clear();
        s.sources[0].watched.reset();
        const auto f = only_problem(s, "lsyncd", FindingStatus::Error);
        CHECK(f.message == "lsyncd is not running: changes are not pushed");
    }
    SECTION("not installed") {
        auto s = healthy_node();
        s.lsyncd_path.clear();
        s.lsyncd.clear();
        CHECK(only_problem(s, "lsyncd", FindingStatus::Error).message == "lsyncd is not installed");
    }
    SECTION("two of them") {
        auto s = healthy_node();
        s.lsyncd.push_back(s.lsyncd[0]);
        s.lsyncd[1].pid = 4343;
        CHECK(only_problem(s, "lsyncd", FindingStatus::Warning).message ==
              "several lsyncd processes run (pids 4242, 4343): each change is pushed more than once");
    }
    SECTION("source not watched") {
        auto s = healthy_node();
        s.sources[0].watched = false;
        const auto f = only_problem(s, "watching", FindingStatus::Error);
        CHECK(f.subject == "/var/uploads");
        CHECK(f.message == "lsyncd does not watch it (serverset uploads)");
    }
    SECTION("source missing") {
        auto s = healthy_node();
        s.sources[0].status = PathStatus{};
        s.sources[0].directories = 0;
        CHECK(only_problem(s, "watching", FindingStatus::Error).message == "does not exist (a source of serverset uploads)");
    }
    SECTION("watches unreadable") {
        auto s = healthy_node();
        s.sources[0].watched.reset();
        only_problem(s, "watching", FindingStatus::Warning);
    }
}

TEST_CASE("evaluate: too few inotify watches, and too little headroom", "[doctor]") {
    auto s = healthy_node();
    s.watch_limit = 100;
    auto f = only_problem(s, "watches", FindingStatus::Error);
    CHECK(f.message ==
          "120 directories under the sources need one inotify watch each; the limit is 100: lsyncd stops with \"out of "
          "inotify watches\"");
    CHECK(f.fix.find("sysctl -w fs.inotify.max_user_watches=65536") != std::string::npos);

    s.watch_limit = 140;
    f = only_problem(s, "watches", FindingStatus::Warning);
    CHECK(f.message == "120 directories under the sources need one inotify watch each; the limit is 140: less than 20% headroom");

    s.watch_limit = 150;
    CHECK(with_status(evaluate(s), FindingStatus::Warning).empty());
}

TEST_CASE("evaluate: no csync2, no serversets", "[doctor]") {
    auto s = healthy_node();
    s.serversets.clear();
    s.sources.clear();
    auto f = only_problem(s, "serversets", FindingStatus::Error);
    CHECK(f.message == "no csync2_NAME.cfg in /etc: this node syncs nothing");

    s = healthy_node();
    s.csync2.path.clear();
    s.serversets[0].parse_check = {"csync2 is not installed", {}};
    s.serversets[0].sync_check = {"csync2 is not installed", {}};
    f = only_problem(s, "csync2", FindingStatus::Error);
    CHECK(f.message == "csync2 is not installed");
}

// ---- report formats ----------------------------------------------------------------------

namespace {

std::vector<Finding> sample_findings() {
    return {
        {FindingStatus::Ok, "lock", "", "no /etc/csync2.lock", ""},
        {FindingStatus::Error, "peer", "uploads/node2", "listener at 198.18.0.2:30865 is unreachable: Connection refused",
         "start the listener"},
        {FindingStatus::Warning, "dirty", "uploads", "7 files wait to be pushed", "csync2 -C uploads -u"},
    };
}

}  // namespace

TEST_CASE("format_text: one line per finding, a fix line under each problem, a summary", "[doctor]") {
    CHECK(format_text("node1", sample_findings()) ==
          "ok    lock       no /etc/csync2.lock\n"
          "ERROR peer       uploads/node2: listener at 198.18.0.2:30865 is unreachable: Connection refused\n"
          "                 fix: start the listener\n"
          "WARN  dirty      uploads: 7 files wait to be pushed\n"
          "                 fix: csync2 -C uploads -u\n"
          "node1: 1 error, 1 warning\n");
    auto fs = sample_findings();
    fs.erase(fs.begin() + 1);
    CHECK(format_text("node1", fs).substr(format_text("node1", fs).rfind("node1:")) == "node1: healthy (1 warning)\n");
    CHECK(format_text("node1", {fs[0]}) == "ok    lock       no /etc/csync2.lock\nnode1: healthy\n");
}

TEST_CASE("format_json: counts, healthy flag and every finding", "[doctor]") {
    CHECK(format_json("node1", sample_findings()) == R"json({
  "node": "node1",
  "healthy": false,
  "errors": 1,
  "warnings": 1,
  "findings": [
    {
      "status": "ok",
      "check": "lock",
      "subject": "",
      "message": "no /etc/csync2.lock",
      "fix": ""
    },
    {
      "status": "error",
      "check": "peer",
      "subject": "uploads/node2",
      "message": "listener at 198.18.0.2:30865 is unreachable: Connection refused",
      "fix": "start the listener"
    },
    {
      "status": "warning",
      "check": "dirty",
      "subject": "uploads",
      "message": "7 files wait to be pushed",
      "fix": "csync2 -C uploads -u"
    }
  ]
}
)json");
}

// ---- command line ------------------------------------------------------------------------

TEST_CASE("doctor on a node without any serverset reports it and exits 1", "[doctor]") {
    char dir_template[] = "/tmp/clustersync-test-doctor.XXXXXX";
    REQUIRE(mkdtemp(dir_template));
    const std::string dir = dir_template;
    for (const bool json : {false, true}) {
        std::vector<std::string> args{"clustersync-helper", "doctor", "--config-dir", dir, "--node", "Node1"};
        if (json) args.push_back("--json");
        std::vector<const char*> argv;
        for (const auto& a : args) argv.push_back(a.c_str());
        std::istringstream in;
        std::ostringstream out, err;
        CHECK(run(static_cast<int>(argv.size()), argv.data(), in, out, err) == 1);
        CHECK(err.str().empty());
        const std::string wanted = "no csync2_NAME.cfg in " + dir + ": this node syncs nothing";
        CHECK(out.str().find(wanted) != std::string::npos);
        CHECK(out.str().find(json ? "\"node\": \"node1\"" : "node1: ") != std::string::npos);
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("doctor rejects a port outside 1..65535 as a usage error", "[doctor]") {
    const char* argv[] = {"clustersync-helper", "doctor", "--port", "70000"};
    std::istringstream in;
    std::ostringstream out, err;
    CHECK(run(4, argv, in, out, err) == 2);
}

TEST_CASE("evaluate: the state directory and csync2's databases must be root's alone", "[doctor][hostile]") {
    PathStatus private_dir;
    private_dir.exists = private_dir.is_directory = true;
    private_dir.mode = 0700;
    SECTION("both root's and 0700: one ok line") {
        auto s = healthy_node();
        s.state_dir = "/var/lib/clustersync";
        s.state_dir_status = private_dir;
        s.database_dir_status = private_dir;
        std::size_t seen = 0;
        for (const auto& f : evaluate(s))
            if (f.check == "private") {
                ++seen;
                CHECK(f.status == FindingStatus::Ok);
            }
        CHECK(seen == 1);
    }
    SECTION("a state directory others can enter is an error: the lock in it would be theirs to take") {
        auto s = healthy_node();
        s.state_dir = "/var/lib/clustersync";
        s.state_dir_status = private_dir;
        s.state_dir_status->mode = 0755;
        const auto f = only_problem(s, "private", FindingStatus::Error);
        CHECK(f.message == "/var/lib/clustersync is root's with mode 0755: another local user can open the node's lock "
                           "in it and stall every check and listener session");
        CHECK(f.fix == "chown root:root /var/lib/clustersync && chmod 0700 /var/lib/clustersync (the Puppet agent does so)");
    }
    SECTION("a database directory others can read is a warning") {
        auto s = healthy_node();
        s.database_dir_status = private_dir;
        s.database_dir_status->uid = 1000;
        const auto f = only_problem(s, "private", FindingStatus::Warning);
        CHECK(f.message.rfind(s.csync2.database_dir + " is owned by uid 1000 with mode 0700: every local user", 0) == 0);
    }
}

// ---- what inspect_node decides -----------------------------------------------------------

TEST_CASE("csync2_command passes -N, -D and -p only when the user gave them", "[doctor]") {
    auto s = healthy_node();
    DoctorOptions o;
    CHECK(csync2_command(s, o, "uploads") == std::vector<std::string>{"/usr/sbin/csync2", "-C", "uploads"});
    s.node_given = true;
    o.database_dir = "/srv/db";
    o.port = 7777;
    o.port_given = true;
    CHECK(csync2_command(s, o, "uploads") ==
          std::vector<std::string>{"/usr/sbin/csync2", "-C", "uploads", "-N", "node1", "-D", "/srv/db", "-p", "7777"});
}

TEST_CASE("parse_check_skip_reason: csync2 runs unless it is missing or locked", "[doctor]") {
    auto s = healthy_node();
    CHECK(parse_check_skip_reason(s).empty());
    s.lock_file = true;
    CHECK(parse_check_skip_reason(s) == "csync2.lock exists");
    s.csync2.path.clear();
    CHECK(parse_check_skip_reason(s) == "csync2 is not installed");
}

TEST_CASE("sync_check_skip_reason: -T runs only for a member whose config csync2 accepts and a peer answers", "[doctor]") {
    const auto healthy = healthy_node().serversets[0];
    CHECK(sync_check_skip_reason(healthy, "node1").empty());
    CHECK(sync_check_skip_reason(healthy, "node9") == "not a member");
    auto unreadable = healthy;
    unreadable.config_readable = false;
    CHECK(sync_check_skip_reason(unreadable, "node1") == "not a member");
    auto refused = healthy;
    refused.parse_check.result = exited(1, "", "Near line 3: syntax error\n");
    CHECK(sync_check_skip_reason(refused, "node1") == "csync2 refuses the config");
    auto not_started = healthy;
    not_started.parse_check.result = CommandResult{};
    CHECK(sync_check_skip_reason(not_started, "node1") == "csync2 refuses the config");
    auto unreachable = healthy;
    unreachable.peers[0].error = "Connection refused";
    CHECK(sync_check_skip_reason(unreachable, "node1") == "no peer is reachable");
    unreachable.peers.push_back({"node3", "node3", std::nullopt});
    CHECK(sync_check_skip_reason(unreachable, "node1").empty());
}

TEST_CASE("judge_key keeps what is wrong with a key, never the key", "[doctor]") {
    PathStatus present;
    present.exists = true;
    const std::string key(64, 'k');
    const auto good = judge_key("/k", present, Result<std::string>(key + "\n"));
    CHECK(good.readable);
    CHECK(good.read_error.empty());
    CHECK(good.text_problems.empty());
    const auto bad = judge_key("/k", present, Result<std::string>("short"));
    CHECK(bad.text_problems == csync2_key_problems("short"));
    const auto denied = judge_key("/k", present, Result<std::string>::failure("cannot read /k: Permission denied"));
    CHECK_FALSE(denied.readable);
    CHECK(denied.read_error == "cannot read /k: Permission denied");
    const auto missing = judge_key("/k", PathStatus{}, Result<std::string>::failure("cannot read /k: No such file or directory"));
    CHECK_FALSE(missing.readable);
    CHECK(missing.read_error.empty());  // "missing" says it all
}

TEST_CASE("member_key_paths and lsyncd_sources: the node's groups only, each path once", "[doctor]") {
    ServersetState a;
    a.name = "a";
    a.config = read_csync2_config(
        "group a1 { host node1 node2; key /k1; include /srv/a; include /srv/*.d; include %www%/x; }\n"
        "group a2 { host node1; key /k1; key /k2; include /srv/a; include relative; }\n"
        "group a3 { host node3; key /k3; include /srv/other; }\n");
    ServersetState b;
    b.name = "b";
    b.config = read_csync2_config("group b { host NODE1; key /k1; include /srv/b; include /srv/a; }\n");
    CHECK(member_key_paths(a, "node1") == std::vector<std::string>{"/k1", "/k2"});
    CHECK(member_key_paths(a, "node3") == std::vector<std::string>{"/k3"});
    const auto sources = lsyncd_sources({a, b}, "node1");
    REQUIRE(sources.size() == 2);
    CHECK(sources[0].path == "/srv/a");
    CHECK(sources[0].serverset == "a");
    CHECK(sources[1].path == "/srv/b");
    CHECK(sources[1].serverset == "b");
}

TEST_CASE("is_watched matches inode and the kernel's device numbering", "[doctor]") {
    PathStatus dir;
    dir.inode = 0xa720b3;
    dir.dev_major = 8;
    dir.dev_minor = 1;
    LsyncdProcess p;
    p.watches_readable = true;
    p.watches = {{0xa720b3, (8u << 20) | 2}, {0x1234, (8u << 20) | 1}};
    CHECK(is_watched(dir, {p}) == false);
    p.watches.push_back({0xa720b3, (8u << 20) | 1});
    CHECK(is_watched(dir, {p}) == true);
    p.watches_readable = false;
    CHECK_FALSE(is_watched(dir, {p}).has_value());
    CHECK_FALSE(is_watched(dir, {}).has_value());
}

TEST_CASE("directory_count_bound counts one past the watch limit", "[doctor]") {
    CHECK(directory_count_bound(8192) == 8193);
    CHECK(directory_count_bound(std::nullopt) == 10'000'000L);
}
