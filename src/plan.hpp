#pragma once
// What one node runs, derived from a valid model: the merge step.

#include <optional>
#include <string>
#include <vector>

#include "diagnostic.hpp"
#include "model.hpp"

namespace clustersync {

/// A `host` entry of a csync2 group.
struct HostEntry {
    std::string name;     ///< lower-cased, as csync2 compares it
    std::string address;  ///< empty when the server was given without @address
};

/// One csync2 group the node is a member of, with exactly the sources mapped to it.
struct GroupPlan {
    std::string name;                   ///< serverset name = csync2 config name
    std::vector<HostEntry> hosts;       ///< sorted by name
    std::vector<std::string> includes;  ///< normalised source paths, sorted
    std::vector<std::string> excludes;  ///< as given, in the given order (later patterns win)
    std::string tempdir;                ///< csync2's tempdir; empty: none, or it lies within an include
    std::string auto_resolve;
    std::string config_file;            ///< e.g. /etc/csync2_uploads.cfg
    std::string key_file;               ///< e.g. /etc/csync2_uploads.key
};

/// Everything rendered for one node.
struct NodePlan {
    std::string node;              ///< lower-cased csync2 host name
    Layout layout;
    std::string logdir;
    unsigned port = 30865;
    unsigned lsyncd_delay_ms = 200;  ///< lsyncd's delay in milliseconds
    bool ssl = false;
    bool node_name_flag = false;    ///< pass -N node to csync2 (see Model::node_name_flag)
    std::vector<GroupPlan> groups;  ///< the serversets this node is a member of, sorted by name
    /// Whom the csync2 listener accepts: csync_only_from when given, else the addresses of every
    /// server of `groups` when each has one (host@address), else empty (any address).
    std::string only_from;
    /// Without csync_only_from: "host (serverset name)" of each server of `groups` given
    /// without an address, the reason only_from is empty.
    std::vector<std::string> unaddressed;
};

/// The warning a plan whose listener accepts any address because some servers have no known
/// address deserves (at csync_only_from), or nothing.
std::optional<Diagnostic> listener_warning(const NodePlan& plan);

/// Merges sources with serversets for model.node. Precondition: validate(model) has no errors
/// and model.node is set.
NodePlan plan_node(const Model& model);

}  // namespace clustersync
