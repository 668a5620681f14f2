#include "plan.hpp"

#include <algorithm>
#include <set>
#include <tuple>

#include "csync2_rules.hpp"
#include "paths.hpp"
#include "text.hpp"

namespace clustersync {
namespace {

// csync2 compares the part before '@' with its own host name, lower-cased on both sides;
// the part after '@' is only where peers connect to.
HostEntry host_entry(const std::string& server) {
    const auto at = server.find('@');
    if (at == std::string::npos) return {ascii_lower(server), ""};
    return {ascii_lower(server.substr(0, at)), server.substr(at + 1)};
}

// Validation guarantees a decimal number in range; anything else falls back to the default
// so a violated precondition cannot throw from here.
unsigned to_unsigned(const std::string& text, unsigned fallback) {
    if (text.empty() || text.size() > 9) return fallback;
    unsigned value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return fallback;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    return value;
}

// "S" or "S.F" (validated: at most 3 decimals) in milliseconds; anything else is the fallback.
unsigned to_millis(const std::string& text, unsigned fallback) {
    const auto dot = text.find('.');
    const std::string whole = text.substr(0, dot);
    std::string fraction = dot == std::string::npos ? "" : text.substr(dot + 1);
    if (fraction.size() > 3 || (dot != std::string::npos && fraction.empty())) return fallback;
    fraction.resize(3, '0');
    const unsigned w = to_unsigned(whole, ~0u), f = to_unsigned(fraction, ~0u);
    if (w == ~0u || f == ~0u || w > 4000000) return fallback;
    return w * 1000 + f;
}

std::string in_dir(const std::string& dir, const std::string& file) {
    const std::string d = normalise_path(dir);
    return d == "/" ? "/" + file : d + "/" + file;
}

}  // namespace

NodePlan plan_node(const Model& model) {
    NodePlan plan;
    plan.node = ascii_lower(model.node.value_or(""));
    plan.layout = model.layout;
    plan.layout.csync2_dir = normalise_path(model.layout.csync2_dir);
    plan.logdir = normalise_path(model.logdir);
    plan.port = to_unsigned(model.csync_port, 30865);
    plan.lsyncd_delay_ms = to_millis(model.lsyncd_delay, 200);
    plan.ssl = model.ssl;
    plan.node_name_flag = model.node_name_flag;

    // One pass over the sources, so merging stays O(sources + servers) for big models.
    std::map<std::string, std::vector<std::string>> includes_by_set;
    for (const auto& [path, set] : model.sources) includes_by_set[set].push_back(normalise_path(path));

    for (const auto& [name, set] : model.serversets) {  // std::map: sorted by name
        std::vector<HostEntry> hosts;
        hosts.reserve(set.servers.size());
        bool member = false;
        for (const auto& server : set.servers) {
            hosts.push_back(host_entry(server));
            member = member || hosts.back().name == plan.node;
        }
        if (!member) continue;
        auto found = includes_by_set.find(name);
        // A serverset without sources has nothing to sync (validate warns about it); rendering
        // it would give lsyncd a config without any sync, which lsyncd refuses to start with.
        if (found == includes_by_set.end()) continue;

        GroupPlan group;
        group.name = name;
        std::sort(hosts.begin(), hosts.end(), [](const HostEntry& a, const HostEntry& b) {
            return std::tie(a.name, a.address) < std::tie(b.name, b.address);
        });
        group.hosts = std::move(hosts);
        group.includes = std::move(found->second);
        std::sort(group.includes.begin(), group.includes.end());
        group.excludes = set.exclude;
        group.auto_resolve = set.auto_resolve;
        // A tempdir within one of the group's own sources would be watched and synced: that
        // group keeps csync2's default (validate warns about it).
        if (model.csync_tempdir) {
            const std::string tempdir = normalise_path(*model.csync_tempdir);
            if (std::none_of(group.includes.begin(), group.includes.end(),
                             [&](const std::string& dir) { return lies_within(tempdir, dir); }))
                group.tempdir = tempdir;
        }
        group.config_file = in_dir(plan.layout.csync2_dir, csync2_config_file_name(name));
        group.key_file = in_dir(plan.layout.csync2_dir, csync2_key_file_name(name));
        plan.groups.push_back(std::move(group));
    }

    if (model.csync_only_from) {
        plan.only_from = *model.csync_only_from;
    } else {
        std::set<std::string> addresses;
        for (const auto& group : plan.groups)
            for (const auto& host : group.hosts) {
                if (host.address.empty())
                    plan.unaddressed.push_back(host.name + " (serverset " + group.name + ")");
                else
                    addresses.insert(host.address);
            }
        if (plan.unaddressed.empty()) plan.only_from = join(addresses, " ");
    }
    return plan;
}

std::optional<Diagnostic> listener_warning(const NodePlan& plan) {
    if (plan.unaddressed.empty()) return std::nullopt;
    constexpr std::size_t shown = 5;
    const auto& all = plan.unaddressed;
    std::string names = join(std::vector<std::string>(all.begin(), all.begin() + std::min(all.size(), shown)), ", ");
    if (plan.unaddressed.size() > shown) names += " and " + std::to_string(plan.unaddressed.size() - shown) + " more";
    return Diagnostic{Severity::Warning, "csync_only_from",
                      "not given, and servers without an address (" + names +
                          "): the csync2 listener accepts connections from any address; list the servers as "
                          "host@address, or give csync_only_from"};
}

}  // namespace clustersync
