#include "lanes.hpp"

#include <ctime>

#include "diagnostic.hpp"

namespace clustersync {
namespace {

constexpr const char* kFieldNames = "peer, name, state, since, last_ok, pushing_since, failures";
constexpr std::size_t kFieldCount = 7;
constexpr std::size_t kShownLines = 10;  // a file of garbage gives a few findings, not thousands
constexpr std::size_t kShownChars = 100;

std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t at; (at = text.find(separator, start)) != std::string::npos; start = at + 1)
        parts.push_back(text.substr(start, at - start));
    parts.push_back(text.substr(start));
    return parts;
}

/// A whole number of at most 18 digits (so it fits in 64 bits), or nothing.
std::optional<std::int64_t> whole_number(const std::string& text) {
    if (text.empty() || text.size() > 18) return std::nullopt;
    std::int64_t value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

std::optional<LaneState> lane_state(const std::string& word) {
    for (const LaneState s : {LaneState::Unknown, LaneState::Up, LaneState::Unreachable, LaneState::Failing})
        if (word == lane_state_name(s)) return s;
    return std::nullopt;
}

std::string shown(const std::string& line) {
    return line.size() > kShownChars ? quote(line.substr(0, kShownChars)) + "..." : quote(line);
}

}  // namespace

const char* lane_state_name(LaneState state) {
    switch (state) {
        case LaneState::Unknown: return "unknown";
        case LaneState::Up: return "up";
        case LaneState::Unreachable: return "unreachable";
        case LaneState::Failing: return "failing";
    }
    return "";
}

LanesReport parse_lanes(const std::string& path, const std::string& text) {
    LanesReport report;
    std::map<std::string, std::size_t> first_line;  // peer -> line it was read from
    std::size_t bad_lines = 0;
    const auto lines = split(text, '\n');
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        if (line.empty() || line[0] == '#') continue;
        const std::string at = path + ":" + std::to_string(i + 1) + ": ";
        std::vector<std::string> problems;
        const auto fields = split(line, '\t');
        Lane lane;
        if (fields.size() != kFieldCount) {
            problems.push_back(at + "expected " + std::to_string(kFieldCount) + " tab-separated fields (" + kFieldNames +
                               "), got " + std::to_string(fields.size()) + ": " + shown(line));
        } else {
            lane.peer = fields[0];
            lane.name = fields[1];
            if (lane.peer.empty()) problems.push_back(at + "the peer field is empty");
            if (lane.name.empty()) problems.push_back(at + "the name field is empty");
            if (const auto s = lane_state(fields[2]))
                lane.state = *s;
            else
                problems.push_back(at + "state " + shown(fields[2]) + " is not one of unknown, up, unreachable, failing");
            const char* const time_names[] = {"since", "last_ok", "pushing_since"};
            std::optional<std::int64_t>* const times[] = {&lane.since, &lane.last_ok, &lane.pushing_since};
            for (std::size_t t = 0; t < 3; ++t) {
                const std::string& field = fields[3 + t];
                if (field == "-") continue;
                *times[t] = whole_number(field);
                if (!*times[t])
                    problems.push_back(at + time_names[t] + " " + shown(field) +
                                       " is not a time: expected seconds since the epoch or \"-\"");
            }
            if (const auto n = whole_number(fields[6]))
                lane.failures = static_cast<long>(*n);
            else
                problems.push_back(at + "failures " + shown(fields[6]) + " is not a count: expected a non-negative integer");
            if (problems.empty()) {
                const auto [seen, fresh] = first_line.emplace(lane.peer, i + 1);
                if (!fresh)
                    problems.push_back(at + "peer " + quote(lane.peer) + " is listed again (first on line " +
                                       std::to_string(seen->second) + ")");
            }
        }
        if (problems.empty()) {
            report.lanes.push_back(std::move(lane));
            continue;
        }
        if (++bad_lines <= kShownLines) report.problems.insert(report.problems.end(), problems.begin(), problems.end());
    }
    if (bad_lines > kShownLines)
        report.problems.push_back(path + ": " + std::to_string(bad_lines - kShownLines) + " more malformed lines left out");
    return report;
}

std::string lanes_path(const std::string& state_dir, const std::string& group) { return state_dir + "/" + group + ".lanes"; }

std::string iso_utc(std::int64_t seconds) {
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    char buf[32];
    if (!::gmtime_r(&t, &tm) || std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return std::to_string(seconds);
    return buf;
}

PeerPushes merge_peer_pushes(const std::string& name, const std::string& peer, const std::vector<Lane>& lanes,
                             const std::optional<std::map<std::string, long>>& entries_by_peer) {
    PeerPushes p;
    p.name = name;
    p.peer = peer;
    for (const auto& lane : lanes)
        if (lane.peer == peer) p.lane = lane;
    if (entries_by_peer) {
        const auto it = entries_by_peer->find(peer);
        p.waiting = it == entries_by_peer->end() ? 0 : it->second;
    }
    return p;
}

}  // namespace clustersync
