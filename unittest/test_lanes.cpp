// lanes: reading lsyncd's .lanes files (well-formed and malformed), the time format facts and
// doctor print, and joining a peer with its lane and the entries waiting for it.
#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lanes.hpp"

using namespace clustersync;

namespace {

const std::string kPath = "/var/lib/clustersync/uploads.lanes";
const std::string kHeader =
    "# clustersync push lanes of group uploads (written by lsyncd): peer, name, state, since, last_ok, pushing_since, "
    "failures\n";
const std::string kGoodLine = "198.18.0.2\tnode2\tup\t1796242613\t1796242621\t-\t0\n";

}  // namespace

TEST_CASE("lanes: parse_lanes reads every field of the file lsyncd writes", "[lanes][facts][doctor]") {
    const auto report = parse_lanes(kPath, kHeader + kGoodLine + "198.18.0.3\tnode3\tunreachable\t1796242614\t-\t-\t8\n" +
                                               "node4\tnode4\tfailing\t1796242600\t1796242500\t1796242700\t2\n" +
                                               "node5\tnode5\tunknown\t-\t-\t1796242610\t0\n");
    CHECK(report.problems.empty());
    REQUIRE(report.lanes.size() == 4);
    const Lane& up = report.lanes[0];
    CHECK(up.peer == "198.18.0.2");
    CHECK(up.name == "node2");
    CHECK(up.state == LaneState::Up);
    CHECK(up.since == 1796242613);
    CHECK(up.last_ok == 1796242621);
    CHECK_FALSE(up.pushing_since);
    CHECK(up.failures == 0);
    const Lane& down = report.lanes[1];
    CHECK(down.state == LaneState::Unreachable);
    CHECK(down.since == 1796242614);
    CHECK_FALSE(down.last_ok);
    CHECK(down.failures == 8);
    CHECK(report.lanes[2].state == LaneState::Failing);
    CHECK(report.lanes[2].pushing_since == 1796242700);
    CHECK(report.lanes[3].state == LaneState::Unknown);
    CHECK_FALSE(report.lanes[3].since);
    CHECK(report.lanes[3].pushing_since == 1796242610);
}

TEST_CASE("lanes: comments, blank lines and a missing final newline are fine", "[lanes][facts][doctor]") {
    CHECK(parse_lanes(kPath, "").lanes.empty());
    CHECK(parse_lanes(kPath, "").problems.empty());
    const auto only_header = parse_lanes(kPath, kHeader);
    CHECK(only_header.lanes.empty());
    CHECK(only_header.problems.empty());
    const auto report = parse_lanes(kPath, "\n" + kHeader + "\n# another comment\n" + kGoodLine.substr(0, kGoodLine.size() - 1));
    CHECK(report.problems.empty());
    REQUIRE(report.lanes.size() == 1);
    CHECK(report.lanes[0].failures == 0);
}

TEST_CASE("lanes: a malformed line is left out and named with its file, line and value", "[lanes][facts][doctor]") {
    const std::string at = kPath + ":3: ";
    const std::string fields = "(peer, name, state, since, last_ok, pushing_since, failures)";
    const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
        {"198.18.0.3\tnode3\tup\t1796242613\t1796242621\t-",
         {at + "expected 7 tab-separated fields " + fields + ", got 6: \"198.18.0.3\\tnode3\\tup\\t1796242613\\t1796242621\\t-\""}},
        {"198.18.0.3 node3 up 1796242613 1796242621 - 0",
         {at + "expected 7 tab-separated fields " + fields + ", got 1: \"198.18.0.3 node3 up 1796242613 1796242621 - 0\""}},
        {"198.18.0.3\tnode3\tup\t1\t2\t-\t0\textra",
         {at + "expected 7 tab-separated fields " + fields + ", got 8: \"198.18.0.3\\tnode3\\tup\\t1\\t2\\t-\\t0\\textra\""}},
        {"198.18.0.3\tnode3\tdown\t1796242613\t-\t-\t0",
         {at + "state \"down\" is not one of unknown, up, unreachable, failing"}},
        {"198.18.0.3\tnode3\tUp\t1796242613\t-\t-\t0", {at + "state \"Up\" is not one of unknown, up, unreachable, failing"}},
        {"198.18.0.3\tnode3\tup\t12x\t-\t-\t0", {at + "since \"12x\" is not a time: expected seconds since the epoch or \"-\""}},
        {"198.18.0.3\tnode3\tup\t1796242613\t\t-\t0", {at + "last_ok \"\" is not a time: expected seconds since the epoch or \"-\""}},
        {"198.18.0.3\tnode3\tup\t1796242613\t-\t-5\t0",
         {at + "pushing_since \"-5\" is not a time: expected seconds since the epoch or \"-\""}},
        {"198.18.0.3\tnode3\tup\t1796242613\t-\t1234567890123456789\t0",
         {at + "pushing_since \"1234567890123456789\" is not a time: expected seconds since the epoch or \"-\""}},
        {"198.18.0.3\tnode3\tup\t1796242613\t-\t-\t-1", {at + "failures \"-1\" is not a count: expected a non-negative integer"}},
        {"198.18.0.3\tnode3\tup\t1796242613\t-\t-\t0\r", {at + "failures \"0\\r\" is not a count: expected a non-negative integer"}},
        {"\tnode3\tup\t1796242613\t-\t-\t0", {at + "the peer field is empty"}},
        {"198.18.0.3\t\tup\t1796242613\t-\t-\t0", {at + "the name field is empty"}},
        // Every problem of a line, in field order.
        {"198.18.0.3\tnode3\tsleeping\tyesterday\t-\t-\tmany",
         {at + "state \"sleeping\" is not one of unknown, up, unreachable, failing",
          at + "since \"yesterday\" is not a time: expected seconds since the epoch or \"-\"",
          at + "failures \"many\" is not a count: expected a non-negative integer"}},
        {"198.18.0.2\tnode2\tfailing\t1796242700\t-\t-\t1", {at + "peer \"198.18.0.2\" is listed again (first on line 2)"}},
    };
    for (const auto& [line, problems] : cases) {
        INFO(line);
        const auto report = parse_lanes(kPath, kHeader + kGoodLine + line + "\n");
        CHECK(report.problems == problems);
        REQUIRE(report.lanes.size() == 1);  // the good line stays, whatever follows it
        CHECK(report.lanes[0].peer == "198.18.0.2");
        CHECK(report.lanes[0].state == LaneState::Up);
    }
}

TEST_CASE("lanes: a file of garbage gives ten lines' problems and a count of the rest", "[lanes][facts][doctor]") {
    std::string text;
    for (int i = 0; i < 13; ++i) text += "garbage " + std::to_string(i) + "\n";
    const auto report = parse_lanes(kPath, text);
    CHECK(report.lanes.empty());
    REQUIRE(report.problems.size() == 11);
    CHECK(report.problems[0] ==
          kPath + ":1: expected 7 tab-separated fields (peer, name, state, since, last_ok, pushing_since, failures), got 1: "
                  "\"garbage 0\"");
    CHECK(report.problems[9].rfind(kPath + ":10: ", 0) == 0);
    CHECK(report.problems[10] == kPath + ": 3 more malformed lines left out");
    // A long line is shown in part.
    const auto long_line = parse_lanes(kPath, std::string(300, 'x') + "\n");
    REQUIRE(long_line.problems.size() == 1);
    CHECK(long_line.problems[0] == kPath + ":1: expected 7 tab-separated fields (peer, name, state, since, last_ok, "
                                           "pushing_since, failures), got 1: \"" + std::string(100, 'x') + "\"...");
}

TEST_CASE("lanes: lanes_path, lane_state_name and iso_utc", "[lanes][facts][doctor]") {
    CHECK(lanes_path("/var/lib/clustersync", "uploads") == "/var/lib/clustersync/uploads.lanes");
    CHECK(std::string(lane_state_name(LaneState::Unknown)) == "unknown");
    CHECK(std::string(lane_state_name(LaneState::Up)) == "up");
    CHECK(std::string(lane_state_name(LaneState::Unreachable)) == "unreachable");
    CHECK(std::string(lane_state_name(LaneState::Failing)) == "failing");
    const std::vector<std::pair<std::int64_t, std::string>> times = {
        {0, "1970-01-01T00:00:00Z"},
        {1796242613, "2026-12-02T20:16:53Z"},
        {951782400, "2000-02-29T00:00:00Z"},
        {4102444799, "2099-12-31T23:59:59Z"},
    };
    for (const auto& [seconds, text] : times) {
        INFO(seconds);
        CHECK(iso_utc(seconds) == text);
    }
}

TEST_CASE("lanes: merge_peer_pushes joins a peer with its lane by csync2's peer name and with its dirty entries",
          "[lanes][facts][doctor]") {
    const auto lanes = parse_lanes(kPath, kHeader + kGoodLine + "node3\tnode3\tunreachable\t1796242614\t-\t-\t8\n").lanes;
    const std::map<std::string, long> entries = {{"198.18.0.2", 4}, {"node3", 9}, {"198.18.0.9", 1}};
    struct Case {
        std::string name, peer;
        std::optional<std::map<std::string, long>> entries;
        std::optional<LaneState> state;  // none: no lane
        std::optional<long> waiting;
    };
    const std::vector<Case> cases = {
        {"node2", "198.18.0.2", entries, LaneState::Up, 4},
        {"node3", "node3", entries, LaneState::Unreachable, 9},
        // Joined on csync2's name, not the host name: node2 at another address has no lane.
        {"node2", "198.18.0.7", entries, std::nullopt, 0},
        {"node4", "node4", entries, std::nullopt, 0},            // the database has nothing for it: 0
        {"node2", "198.18.0.2", std::nullopt, LaneState::Up, std::nullopt},  // the database is unknown
    };
    for (const auto& c : cases) {
        INFO(c.name << " " << c.peer);
        const PeerPushes p = merge_peer_pushes(c.name, c.peer, lanes, c.entries);
        CHECK(p.name == c.name);
        CHECK(p.peer == c.peer);
        CHECK(p.lane.has_value() == c.state.has_value());
        if (p.lane && c.state) CHECK(p.lane->state == *c.state);
        CHECK(p.waiting == c.waiting);
    }
    CHECK_FALSE(merge_peer_pushes("node2", "198.18.0.2", {}, entries).lane);
}
