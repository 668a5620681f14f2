#include "csync2_word.hpp"
#include "render.hpp"

namespace clustersync {

std::string render_csync2(const NodePlan& plan, const GroupPlan& group) {
    std::string out =
        "# Managed by Puppet (clustersync): local changes are overwritten.\n"
        "# The same file is on every host of the group; csync2 -C NAME reads it on both ends.\n";
    // Without SSL the pre-shared key only authenticates; data travels in clear text.
    if (!plan.ssl) out += "nossl * *;\n";
    // Scratch files (received data, signatures, deltas) go here rather than beside each file,
    // where lsyncd would see every one of them (docs/lsyncd-action.md).
    if (!group.tempdir.empty()) out += "tempdir " + csync2_word(group.tempdir) + ";\n";
    out += "\ngroup " + csync2_word(group.name) + "\n{\n";
    for (const auto& host : group.hosts) {
        out += "\thost " + csync2_word(host.name);
        if (!host.address.empty()) out += "@" + csync2_word(host.address);
        out += ";\n";
    }
    out += "\tkey " + csync2_word(group.key_file) + ";\n";
    for (const auto& path : group.includes) out += "\tinclude " + csync2_word(fnmatch_literal(path)) + ";\n";
    for (const auto& pattern : group.excludes) out += "\texclude " + csync2_word(pattern) + ";\n";
    out += "\tauto " + csync2_word(group.auto_resolve) + ";\n";
    out += "}\n";
    return out;
}

}  // namespace clustersync
