// The lsyncd config: Lua string escaping and what the renderer puts around the fixed action.
// Whole files are pinned by the golden tests (test_render.cpp); the real lsyncd loads them in
// check_real.sh.
#include <catch2/catch.hpp>

#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "lua.hpp"
#include "render.hpp"

using namespace clustersync;

TEST_CASE("Lua string literals escape quote, backslash and control characters", "[lua]") {
    const std::pair<std::string, std::string> table[] = {
        {"/var/uploads", "\"/var/uploads\""},
        {"", "\"\""},
        {"with space", "\"with space\""},
        {"a\"b", "\"a\\\"b\""},
        {"a\\b", "\"a\\\\b\""},
        {"trailing\\", "\"trailing\\\\\""},
        {"a\nb", "\"a\\nb\""},
        {"a\rb", "\"a\\rb\""},
        {"a\tb", "\"a\\tb\""},
        {std::string("a\0b", 3), "\"a\\000b\""},
        {std::string("\x01" "1"), "\"\\0011\""},  // three digits, so the following '1' stays a '1'
        {"\x1f", "\"\\031\""},
        {"\x7f", "\"\\127\""},
        {"]]", "\"]]\""},  // only long brackets care; a quoted literal does not
        {"[[x]]", "\"[[x]]\""},
        {"--comment", "\"--comment\""},
        {"'single'", "\"'single'\""},
        {"éß日本", "\"éß日本\""},  // UTF-8 bytes pass through: Lua strings are 8-bit clean
    };
    for (const auto& [value, expected] : table) {
        INFO(value);
        CHECK(lua_string(value) == expected);
    }
}

namespace {

NodePlan plan_with(unsigned port, unsigned delay_ms) {
    NodePlan plan;
    plan.node = "web1";
    plan.logdir = "/var/log/lsyncd";
    plan.port = port;
    plan.lsyncd_delay_ms = delay_ms;
    GroupPlan a;
    a.name = "alpha";
    a.hosts = {{"web1", ""}, {"web2", "10.0.0.2"}, {"web3", ""}};
    a.includes = {"/srv/a", "/srv/b \"q\""};
    GroupPlan b;
    b.name = "beta";
    b.includes = {"/srv/c"};
    plan.groups = {a, b};
    return plan;
}

std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
    return n;
}

// The check runner of the rendered action: the shell script between `local check_runner = [[`
// and `]]`, with its Lua concatenations (the locals `flock`, `lock_wait` and `csync2_wait`)
// evaluated. Empty when a concatenation is left that this does not know: the script run here
// must be the one lsyncd runs.
std::string runner_script(const std::string& text) {
    const std::string open = "local check_runner = [[\n";
    const auto begin = text.find(open);
    const auto end = text.find("]]\n", begin);
    if (begin == std::string::npos || end == std::string::npos) return "";
    std::string script = text.substr(begin + open.size(), end - begin - open.size());
    const std::pair<std::string, std::string> locals[] = {{"]] .. flock .. [[", "/usr/bin/flock"},
                                                          {"]] .. lock_wait .. [[", "120"},
                                                          {"]] .. csync2_wait .. [[", "/usr/lib/clustersync/csync2-wait.so"}};
    for (const auto& [word, value] : locals)
        for (auto pos = script.find(word); pos != std::string::npos; pos = script.find(word))
            script.replace(pos, word.size(), value);
    if (script.find("]] ..") != std::string::npos || script.find(".. [[") != std::string::npos) return "";
    return script;
}

// Runs the runner with bash as lsyncd does (`/bin/bash -c RUNNER NAME DBLOCK STEP...`);
// returns its exit status.
int run_runner(const std::string& script, const std::string& dblock, const std::vector<std::string>& steps) {
    std::vector<std::string> words = {"/bin/bash", "-c", script, "clustersync", dblock};
    words.insert(words.end(), steps.begin(), steps.end());
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    if (posix_spawn(&pid, "/bin/bash", nullptr, nullptr, argv.data(), environ) != 0) return -1;
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

}  // namespace

TEST_CASE("the check runner runs every step, keeps the last failure, and says whether anything was marked dirty",
          "[lsyncd]") {
    const std::string script = runner_script(render_lsyncd(plan_with(30865, 1000)));
    REQUIRE_FALSE(script.empty());
    char dir_template[] = "/tmp/clustersync-runner.XXXXXX";
    REQUIRE(mkdtemp(dir_template));
    const std::string log = std::string(dir_template) + "/log";
    const std::string dblock = std::string(dir_template) + "/db.lock";
    auto run = [&](const std::vector<std::string>& steps) { return run_runner(script, dblock, steps); };
    // A step: sh -c '...; exit CODE' (3 words) that logs its name and, when `marks`, says on
    // stderr what csync2 -v says of a file it marks dirty.
    auto step = [&](const std::string& name, int code, bool marks = false) {
        return std::vector<std::string>{
            "3", "/bin/sh", "-c",
            "echo " + name + " >> '" + log + "'; " + (marks ? "echo 'Marking file as dirty: /srv/a/" + name + "' >&2; " : "") +
                "exit " + std::to_string(code)};
    };
    auto steps = [&](std::initializer_list<std::vector<std::string>> parts) {
        std::vector<std::string> all;
        for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
        return all;
    };
    auto lines = [&]() {
        std::ifstream in(log);
        std::vector<std::string> out;
        for (std::string line; std::getline(in, line);) out.push_back(line);
        std::remove(log.c_str());
        return out;
    };

    SECTION("all succeed and one marked a file: 0 (the lanes push)") {
        CHECK(run(steps({step("a", 0), step("b", 0, true)})) == 0);
        CHECK(lines() == std::vector<std::string>{"a", "b"});
    }
    SECTION("all succeed and nothing was marked: 10 (no lane is woken)") {
        CHECK(run(steps({step("a", 0), step("b", 0)})) == 10);
        CHECK(lines().size() == 2);
    }
    SECTION("an early failure: the later steps still run, and the status is kept") {
        CHECK(run(steps({step("a", 3), step("b", 0, true), step("c", 0)})) == 3);
        CHECK(lines().size() == 3);
    }
    SECTION("the last step fails: its status") {
        CHECK(run(steps({step("a", 0, true), step("b", 4)})) == 4);
        CHECK(lines().size() == 2);
    }
    SECTION("a later failure wins over an earlier one") {
        CHECK(run(steps({step("a", 3), step("b", 5), step("c", 0)})) == 5);
        CHECK(lines().size() == 3);
    }
    SECTION("the steps run under the group's database lock, a file only root can open") {
        const std::vector<std::string> probe = {
            "3", "/bin/sh", "-c", "flock -n '" + dblock + "' true && echo free >> '" + log + "' || echo held >> '" + log + "'"};
        CHECK(run(probe) == 10);
        CHECK(lines() == std::vector<std::string>{"held"});
        struct stat st {};
        REQUIRE(stat(dblock.c_str(), &st) == 0);
        CHECK((st.st_mode & 07777) == 0600);
        CHECK(run_runner(script, dblock, {}) == 10);
        std::remove(dblock.c_str());
    }
    SECTION("each step gets exactly its own words, however many and whatever they hold") {
        // Two steps of 5,000 paths each (a full batch), paths with spaces, globs, quotes, a
        // newline and a leading dash; each step writes its arguments, one per line with a NUL
        // after each, so the test sees every word as the command got it.
        auto words_step = [&](const std::string& tag, int count) {
            std::vector<std::string> w = {"", "/bin/sh", "-c", "printf '%s\\0' \"$@\" >> '" + log + "'", tag};
            for (int i = 0; i < count; ++i) w.push_back("/srv/a/" + tag + " *?[x] 'q\"\n-" + std::to_string(i));
            w[0] = std::to_string(w.size() - 1);
            return w;
        };
        const auto first = words_step("one", 5000);
        const auto second = words_step("two", 5000);
        CHECK(run(steps({first, second})) == 10);
        std::ifstream in(log, std::ios::binary);
        std::vector<std::string> got;
        for (std::string word; std::getline(in, word, '\0');) got.push_back(word);
        std::vector<std::string> want(first.begin() + 5, first.end());
        want.insert(want.end(), second.begin() + 5, second.end());
        CHECK(got.size() == want.size());
        CHECK(got == want);
        std::remove(log.c_str());
    }
    SECTION("no steps: nothing marked") {
        CHECK(run({}) == 10);
        CHECK(lines().empty());
    }
    std::remove(dblock.c_str());
    rmdir(dir_template);
}

TEST_CASE("a batch is checked as soon as it is due: no pause, the events wait the delay (less after a quiet spell) outside lsyncd's queue",
          "[lsyncd]") {
    const std::string text = render_lsyncd(plan_with(30865, 1000));
    // The node's lock keeps checks away from a listener session (docs/lsyncd-action.md).
    const std::string runner = runner_script(text);
    REQUIRE_FALSE(runner.empty());
    CHECK(runner.find("sleep") == std::string::npos);
    // The source's sync takes every event at once and discards it from lsyncd's queue; the
    // check is woken `delay` seconds after the oldest waiting event, or quiet_wait (0.05 s) after
    // it when the source was quiet (decide.batch_wait, tested in unittest/lua/test_action.lua);
    // the end of every check of a batch is when the source was last busy.
    CHECK(text.find("\t\tdelay = 0,\n\t\tonMove = true,\n") != std::string::npos);
    CHECK(text.find("inlet.discardEvent(event)") != std::string::npos);
    CHECK(text.find("\nlocal quiet_wait = 0.05\n") != std::string::npos);
    CHECK(text.find("alarm(since + decide.batch_wait(delay, quiet_wait, since, last_end), ") != std::string::npos);
    CHECK(text.find("\t\tchecking = false\n\t\tlast_end = now()\n") != std::string::npos);
}

TEST_CASE("csync2 runs with csync2-wait.so when the node has it, and the lanes then take no database lock",
          "[lsyncd]") {
    const std::string text = render_lsyncd(plan_with(30865, 1000));
    CHECK(text.find("local csync2_wait = \"/usr/lib/clustersync/csync2-wait.so\"\n") != std::string::npos);
    // The check runner and the lane runner each look for the library (the path is a constant
    // of the action, never a word from the model) ...
    CHECK(count(text, "[ -r ]] .. csync2_wait .. [[ ] && preload=]] .. csync2_wait .. [[\n") == 2);
    // ... preload it into the steps (flock and csync2), the probe's count of waiting entries
    // (csync2 -M: without the library it would count the whole file table first) and the push
    // only ...
    CHECK(text.find("LD_PRELOAD=${preload:-$LD_PRELOAD} steps \"$@\"") != std::string::npos);
    const auto listing = text.find("LD_PRELOAD=${preload:-$LD_PRELOAD} \"$@\" -M 2>/dev/null |");
    CHECK(listing != std::string::npos);
    // (the lane runner sets `preload` before the probe)
    const auto lane_runner = text.find("local lane_runner = [[");
    const auto lane_preload = text.rfind("[ -r ]] .. csync2_wait .. [[ ] && preload=", listing);
    CHECK((lane_runner != std::string::npos && lane_preload != std::string::npos && lane_preload > lane_runner));
    CHECK(text.find("[ -n \"$preload\" ] && export LD_PRELOAD=$preload; exec \"$@\" -v -u -P \"$peer\"") !=
          std::string::npos);
    // ... and a push takes the database lock only without it.
    CHECK(text.find("if [ -n \"$dblock\" ] && [ -z \"$preload\" ]; then") != std::string::npos);
}

TEST_CASE("one group line per group, in order: its peers without the node, then its sources, escaped", "[lsyncd]") {
    const std::string text = render_lsyncd(plan_with(30865, 1000));
    CHECK(count(text, "\ngroup(") == 2);
    // A peer is { host name, what csync2 connects to (its address when given) }.
    const auto a = text.find("\ngroup(\"alpha\", { { \"web2\", \"10.0.0.2\" }, { \"web3\", \"web3\" } }, "
                             "{ \"/srv/a\", \"/srv/b \\\"q\\\"\" })\n");
    const auto b = text.find("\ngroup(\"beta\", { }, { \"/srv/c\" })\n");
    REQUIRE(a != std::string::npos);
    REQUIRE(b != std::string::npos);
    CHECK(a < b);
    CHECK(text.find("\"web1\"") == std::string::npos);  // the node pushes to its peers, not to itself
}

TEST_CASE("settings name the log and status files in the log directory, and nothing unknown", "[lsyncd]") {
    const std::string text = render_lsyncd(plan_with(30865, 1000));
    CHECK(text.find("settings {\n"
                    "\tlogfile = \"/var/log/lsyncd/lsyncd.log\",\n"
                    "\tstatusFile = \"/var/log/lsyncd/lsyncd.status\",\n"
                    "}\n") != std::string::npos);
    CHECK(text.find("settings =") == std::string::npos);  // the pre-2.1 form is fatal in 2.2
}

TEST_CASE("csync2 gets -B and -A, -N only with node_name, -p only for a port other than 30865", "[lsyncd]") {
    CHECK(render_lsyncd(plan_with(30865, 1000)).find("local options = { \"-B\", \"-A\" }\n") != std::string::npos);
    CHECK(render_lsyncd(plan_with(30866, 1000)).find("local options = { \"-B\", \"-A\", \"-p\", \"30866\" }\n") !=
          std::string::npos);
    NodePlan named = plan_with(30865, 1000);
    named.node_name_flag = true;
    CHECK(render_lsyncd(named).find("local options = { \"-N\", \"web1\", \"-B\", \"-A\" }\n") != std::string::npos);
}

TEST_CASE("delay comes from lsyncd_delay; the csync2 binary from the layout", "[lsyncd]") {
    NodePlan plan = plan_with(30865, 7000);
    plan.layout.csync2_bin = "/opt/csync2/bin/csync2";
    const std::string text = render_lsyncd(plan);
    CHECK(text.find("\nlocal delay = 7\n") != std::string::npos);
    for (const auto& [ms, lua] : std::vector<std::pair<unsigned, std::string>>{
             {0, "0"}, {200, "0.2"}, {250, "0.25"}, {1005, "1.005"}, {1500, "1.5"}, {86400000, "86400"}}) {
        INFO(ms);
        CHECK(render_lsyncd(plan_with(30865, ms)).find("\nlocal delay = " + lua + "\n") != std::string::npos);
    }
    CHECK(text.find("\nlocal csync2 = \"/opt/csync2/bin/csync2\"\n") != std::string::npos);
}

TEST_CASE("the action is src/lsyncd_action.lua, embedded whole after the prologue", "[lsyncd]") {
    std::ifstream in(std::string(CLUSTERSYNC_SOURCE_DIR) + "/src/lsyncd_action.lua");
    std::stringstream lua;
    lua << in.rdbuf();
    REQUIRE(lua.str().size() > 1000);
    const std::string text = render_lsyncd(plan_with(30865, 1000));
    const auto at = text.find(lua.str());
    REQUIRE(at != std::string::npos);
    CHECK(text.find("\nlocal state_dir = \"/var/lib/clustersync\"\n") < at);
    CHECK(text.find("\nlocal port = 30865\n") < at);
    CHECK(text.find("\ngroup(") > at);
}

TEST_CASE("rendering is deterministic", "[lsyncd]") {
    CHECK(render_lsyncd(plan_with(30866, 2)) == render_lsyncd(plan_with(30866, 2)));
}
