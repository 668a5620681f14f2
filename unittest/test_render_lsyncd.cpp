// The lsyncd config: Lua string escaping and what the renderer puts around the fixed action.
// Whole files are pinned by the golden tests (test_render.cpp); the real lsyncd loads them in
// check_real.sh.
#include <catch2/catch.hpp>

#include <string>

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

NodePlan plan_with(unsigned port, unsigned delay) {
    NodePlan plan;
    plan.node = "web1";
    plan.logdir = "/var/log/lsyncd";
    plan.port = port;
    plan.lsyncd_delay = delay;
    GroupPlan a;
    a.name = "alpha";
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

}  // namespace

TEST_CASE("one sync per source of every group, in order, with escaped strings", "[lsyncd]") {
    const std::string text = render_lsyncd(plan_with(30865, 1));
    CHECK(count(text, "\nsync(") == 3);
    const auto a = text.find("sync(csync2_sync(\"alpha\", \"/srv/a\"))\n");
    const auto b = text.find("sync(csync2_sync(\"alpha\", \"/srv/b \\\"q\\\"\"))\n");
    const auto c = text.find("sync(csync2_sync(\"beta\", \"/srv/c\"))\n");
    REQUIRE(a != std::string::npos);
    REQUIRE(b != std::string::npos);
    REQUIRE(c != std::string::npos);
    CHECK(a < b);
    CHECK(b < c);
}

TEST_CASE("settings name the log and status files in the log directory, and nothing unknown", "[lsyncd]") {
    const std::string text = render_lsyncd(plan_with(30865, 1));
    CHECK(text.find("settings {\n"
                    "\tlogfile = \"/var/log/lsyncd/lsyncd.log\",\n"
                    "\tstatusFile = \"/var/log/lsyncd/lsyncd.status\",\n"
                    "}\n") != std::string::npos);
    CHECK(text.find("settings =") == std::string::npos);  // the pre-2.1 form is fatal in 2.2
}

TEST_CASE("csync2 gets -B and -A, -N only with node_name, -p only for a port other than 30865", "[lsyncd]") {
    CHECK(render_lsyncd(plan_with(30865, 1)).find("local options = { \"-B\", \"-A\" }\n") != std::string::npos);
    CHECK(render_lsyncd(plan_with(30866, 1)).find("local options = { \"-B\", \"-A\", \"-p\", \"30866\" }\n") !=
          std::string::npos);
    NodePlan named = plan_with(30865, 1);
    named.node_name_flag = true;
    CHECK(render_lsyncd(named).find("local options = { \"-N\", \"web1\", \"-B\", \"-A\" }\n") != std::string::npos);
}

TEST_CASE("delay comes from lsyncd_delay; the csync2 binary from the layout", "[lsyncd]") {
    NodePlan plan = plan_with(30865, 7);
    plan.layout.csync2_bin = "/opt/csync2/bin/csync2";
    const std::string text = render_lsyncd(plan);
    CHECK(text.find("\nlocal delay = 7\n") != std::string::npos);
    CHECK(text.find("\nlocal csync2 = \"/opt/csync2/bin/csync2\"\n") != std::string::npos);
}

TEST_CASE("the action keeps moves whole and runs mark, recursive check, check and recursive update", "[lsyncd]") {
    const std::string text = render_lsyncd(plan_with(30865, 1));
    CHECK(text.find("onMove = true,") != std::string::npos);
    CHECK(text.find("maxProcesses = 1,") != std::string::npos);
    const auto mark = text.find("step(args, { \"-m\" }, mark)");
    const auto rec = text.find("step(args, { \"-c\", \"-r\" }, rec)");
    const auto flat = text.find("step(args, { \"-c\" }, flat)");
    const auto update = text.find("step(args, { \"-u\", \"-r\" }, update)");
    REQUIRE(mark != std::string::npos);
    REQUIRE(rec != std::string::npos);
    REQUIRE(flat != std::string::npos);
    REQUIRE(update != std::string::npos);
    CHECK(mark < rec);
    CHECK(rec < flat);
    CHECK(flat < update);
    // csync2 -x would check recursively what the listener is still writing.
    CHECK(text.find("\"-x\"") == std::string::npos);
}

TEST_CASE("rendering is deterministic", "[lsyncd]") {
    CHECK(render_lsyncd(plan_with(30866, 2)) == render_lsyncd(plan_with(30866, 2)));
}
