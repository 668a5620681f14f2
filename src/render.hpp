#pragma once

#include <string>
#include <vector>

#include "diagnostic.hpp"
#include "plan.hpp"

namespace clustersync {

/// One file the module writes on the node.
struct RenderedFile {
    std::string id;       ///< "lsyncd" or "csync2:NAME": what `render --file` selects
    std::string path;     ///< absolute path on the node
    std::string content;
};

/// The csync2 config of one group (render_csync2.cpp).
std::string render_csync2(const NodePlan& plan, const GroupPlan& group);

/// The lsyncd 2.2.3 config with one sync per source of every group (render_lsyncd.cpp).
std::string render_lsyncd(const NodePlan& plan);

/// Every file of the node, csync2 configs first (sorted by group), then lsyncd's config.
/// A node that is a member of no group gets no files.
std::vector<RenderedFile> render_node(const NodePlan& plan);

/// The single JSON document `clustersync-helper bundle` prints for Puppet's generate():
/// {"errors":[...],"warnings":[...],"node":...,"only_from":...,"serversets":[{"name","config_file","key_file",
/// "database_file","sources",["tempdir"]}],"files":[{"id","path","content"}]}.
/// With errors, node/serversets/files are empty.
std::string render_bundle(const std::vector<Diagnostic>& diagnostics, const std::vector<RenderedFile>& files,
                          const NodePlan* plan);

}  // namespace clustersync
