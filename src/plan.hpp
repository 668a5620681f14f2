#pragma once
// What one node runs, derived from a valid model: the merge step.

#include <string>
#include <vector>

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
    unsigned lsyncd_delay = 1;
    bool ssl = false;
    bool node_name_flag = false;    ///< pass -N node to csync2 (see Model::node_name_flag)
    std::vector<GroupPlan> groups;  ///< the serversets this node is a member of, sorted by name
};

/// Merges sources with serversets for model.node. Precondition: validate(model) has no errors
/// and model.node is set.
NodePlan plan_node(const Model& model);

}  // namespace clustersync
