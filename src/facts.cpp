#include "facts.hpp"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>

#include "csync2_cfg.hpp"
#include "csync2_rules.hpp"
#include "json_write.hpp"
#include "probe.hpp"
#include "text.hpp"
#include "version.hpp"

namespace clustersync {

Facts gather_facts(const FactsOptions& options) {
    Facts facts;
    facts.helper_version = kVersion;
    facts.hostname = options.node.empty() ? local_host_name() : ascii_lower(options.node);

    const Csync2Setup setup = locate_csync2(options.config_dir, options.database_dir, options.cache_dir);
    facts.csync2 = {!setup.path.empty(), setup.path, setup.version};
    facts.csync2_config_dir = setup.config_dir;
    facts.csync2_database_dir = setup.database_dir;

    for (const auto& name : serverset_names(list_directory(setup.config_dir))) {
        ServersetFacts s;
        s.name = name;
        s.config = setup.config_dir + "/" + csync2_config_file_name(name);
        const auto counts =
            count_dirty(setup.database_dir + "/" + csync2_database_file_name(facts.hostname, name), options.cache_dir);
        if (counts)
            s.dirty = counts->files;
        else
            s.dirty_error = counts.error();

        const auto config = read_text_file(s.config);
        const auto peers = config ? member_peers(read_csync2_config(*config), facts.hostname) : std::vector<Csync2Host>{};
        if (!peers.empty()) {
            const std::string path = lanes_path(options.state_dir, name);
            LanesReport lanes;
            const auto text = read_text_file(path);
            if (text) {
                lanes = parse_lanes(path, *text);
                s.lanes_error = join(lanes.problems, "; ");
            } else {
                s.lanes_error = stat_path(path).exists ? text.error() : "no " + path + ": lsyncd's push lanes have not reported";
            }
            std::optional<std::map<std::string, long>> entries;
            if (counts) entries = counts->entries_by_peer;
            for (const auto& h : peers)
                s.peers.push_back(merge_peer_pushes(ascii_lower(h.name), csync2_peer_name(h), lanes.lanes, entries));
            std::sort(s.peers.begin(), s.peers.end(), [](const PeerPushes& a, const PeerPushes& b) { return a.name < b.name; });
        }
        facts.serversets.push_back(std::move(s));
    }

    facts.lsyncd.path = find_program("lsyncd");
    facts.lsyncd.found = !facts.lsyncd.path.empty();
    if (facts.lsyncd.found)
        facts.lsyncd.version = parse_version_line(program_output(facts.lsyncd.path, {"--version"}, options.cache_dir));

    long watches = 0;
    bool readable = true;
    for (const auto& p : find_lsyncd_processes()) {
        facts.lsyncd_pids.push_back(p.pid);
        readable = readable && p.watches_readable;
        watches += static_cast<long>(p.watches.size());
    }
    if (readable) facts.watches = watches;
    facts.max_user_watches = inotify_watch_limit();
    return facts;
}

namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void write_time(Writer& w, const std::optional<std::int64_t>& seconds) {
    if (seconds)
        write_json_string(w, iso_utc(*seconds));
    else
        w.Null();
}

/// One peer: what its lane says (null when no lane reports on it) and the entries waiting for it.
void write_peer(Writer& w, const PeerPushes& p) {
    w.StartObject();
    write_json_member(w, "peer", p.peer);
    w.Key("state");
    if (p.lane)
        w.String(lane_state_name(p.lane->state));
    else
        w.Null();
    w.Key("waiting");
    write_json_optional(w, p.waiting);
    w.Key("last_ok");
    write_time(w, p.lane ? p.lane->last_ok : std::nullopt);
    w.Key("since");
    write_time(w, p.lane ? p.lane->since : std::nullopt);
    w.Key("pushing_since");
    write_time(w, p.lane ? p.lane->pushing_since : std::nullopt);
    w.Key("failures");
    write_json_optional(w, p.lane ? std::optional<long>(p.lane->failures) : std::nullopt);
    w.EndObject();
}

/// A program's facts; `version` is null when unknown so a consumer never mistakes "" for a version.
void write_program(Writer& w, const ProgramFacts& p) {
    w.Key("found");
    w.Bool(p.found);
    w.Key("path");
    if (p.found)
        write_json_string(w, p.path);
    else
        w.Null();
    w.Key("version");
    if (p.version.empty())
        w.Null();
    else
        write_json_string(w, p.version);
}

}  // namespace

std::string render_facts_json(const Facts& facts) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.SetIndent(' ', 2);
    w.StartObject();
    w.Key("clustersync");
    w.StartObject();
    w.Key("helper");
    w.Bool(true);
    write_json_member(w, "helper_version", facts.helper_version);
    write_json_member(w, "hostname", facts.hostname);

    w.Key("csync2");
    w.StartObject();
    write_program(w, facts.csync2);
    write_json_member(w, "config_dir", facts.csync2_config_dir);
    write_json_member(w, "database_dir", facts.csync2_database_dir);
    w.EndObject();

    w.Key("serversets");
    w.StartObject();
    for (const auto& s : facts.serversets) {
        write_json_key(w, s.name);
        w.StartObject();
        write_json_member(w, "config", s.config);
        w.Key("dirty");
        write_json_optional(w, s.dirty);
        if (!s.dirty) {
            write_json_member(w, "dirty_error", s.dirty_error);
        }
        w.Key("peers");
        w.StartObject();
        for (const auto& p : s.peers) {
            write_json_key(w, p.name);
            write_peer(w, p);
        }
        w.EndObject();
        if (!s.lanes_error.empty()) {
            write_json_member(w, "lanes_error", s.lanes_error);
        }
        w.EndObject();
    }
    w.EndObject();

    w.Key("lsyncd");
    w.StartObject();
    write_program(w, facts.lsyncd);
    w.Key("running");
    w.Bool(!facts.lsyncd_pids.empty());
    // A count, not the pids: a fact that changes on every restart would churn PuppetDB.
    w.Key("processes");
    w.Uint64(facts.lsyncd_pids.size());
    w.EndObject();

    w.Key("inotify");
    w.StartObject();
    w.Key("max_user_watches");
    write_json_optional(w, facts.max_user_watches);
    w.Key("watches");
    write_json_optional(w, facts.watches);
    w.EndObject();

    w.EndObject();
    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace clustersync
