#include "lsyncd_action.hpp"
#include "lua.hpp"
#include "render.hpp"

namespace clustersync {

namespace {

// Milliseconds as Lua seconds: "0", "1", "0.2", "1.25".
std::string seconds_text(unsigned ms) {
    std::string text = std::to_string(ms / 1000);
    if (unsigned fraction = ms % 1000) {
        std::string digits = std::to_string(1000 + fraction).substr(1);
        digits.erase(digits.find_last_not_of('0') + 1);
        text += "." + digits;
    }
    return text;
}

}  // namespace

std::string render_lsyncd(const NodePlan& plan) {
    const std::string logdir = plan.logdir == "/" ? "" : plan.logdir;
    std::string out =
        "-- Managed by Puppet (clustersync): local changes are overwritten.\n"
        "-- lsyncd 2.2.3: each sync hands csync2 only the paths that changed, so the cost of a\n"
        "-- change does not grow with the size of the tree.\n"
        "\n"
        "settings {\n"
        "\tlogfile = " + lua_string(logdir + "/lsyncd.log") + ",\n"
        "\tstatusFile = " + lua_string(logdir + "/lsyncd.status") + ",\n"
        "}\n"
        "\n"
        "local csync2 = " + lua_string(plan.layout.csync2_bin) + "\n"
        "local delay = " + seconds_text(plan.lsyncd_delay_ms) + "\n"
        "-- -N (only with node_name): the name the group files use for this node; csync2 then\n"
        "-- also binds its connections to the address that name resolves to.\n"
        "-- -B: commit each database change at once, so these runs and the csync2 listener on\n"
        "-- this node see each other's records instead of marking a file dirty on both sides.\n"
        "-- -A: without fsync per change (the listener runs with -A too, but without -B: it\n"
        "-- holds the lock below for its whole session); see docs/lsyncd-action.md.\n"
        "local options = { ";
    if (plan.node_name_flag) out += "\"-N\", " + lua_string(plan.node) + ", ";
    out += "\"-B\", \"-A\"";
    if (plan.port != 30865) out += ", \"-p\", " + lua_string(std::to_string(plan.port));
    out += " }\n";
    out += "local port = " + std::to_string(plan.port) + "\n";
    out += "-- The lanes' state (read by clustersync-helper facts and doctor) and their empty directory.\n";
    out += "local state_dir = " + lua_string(kStateDir) + "\n";
    out += kLsyncdAction;
    out += "\n";
    // One line per group: its peers ({ host name, what csync2 connects to }), then its sources.
    for (const auto& group : plan.groups) {
        out += "group(" + lua_string(group.name) + ", {";
        const char* sep = " ";
        for (const auto& host : group.hosts) {
            if (host.name == plan.node) continue;
            out += sep;
            out += "{ " + lua_string(host.name) + ", " +
                   lua_string(host.address.empty() ? host.name : host.address) + " }";
            sep = ", ";
        }
        out += " }, {";
        sep = " ";
        for (const auto& source : group.includes) {
            out += sep + lua_string(source);
            sep = ", ";
        }
        out += " })\n";
    }
    return out;
}

}  // namespace clustersync
