#pragma once
// File system paths as the model gives them: checking and normalising. Shared by validate.cpp
// (which judges sources and layout paths) and plan.cpp (which merges sources for one node), so
// both agree on what "the same source" means.

#include <cstddef>
#include <optional>
#include <string>

namespace clustersync {

/// The longest path and file name (segment) accepted: Linux's PATH_MAX (4,096) less the NUL
/// and the / lsyncd appends to a directory (it cannot watch a longer one), and NAME_MAX.
inline constexpr std::size_t kMaxPathLength = 4094;
inline constexpr std::size_t kMaxNameLength = 255;

/// The canonical form of a path that path_problem() accepted: one trailing slash dropped
/// ("/var/uploads/" -> "/var/uploads"); "/" stays "/". Nothing else changes, because
/// path_problem() already rejects `..`, `.` and empty segments rather than rewriting them.
std::string normalise_path(const std::string& path);

/// Why `path` is not an absolute, normalised path csync2 and lsyncd can both write, or nothing
/// when it is one. The text names the problem without repeating the path, e.g.
/// "has an empty segment". Rejects: empty, relative, `.` or `..` segments, empty segments (`//`),
/// more than one trailing slash, control characters, `"` (csync2's grammar cannot quote it), and
/// paths longer than kMaxPathLength or with a segment longer than kMaxNameLength.
std::optional<std::string> path_problem(const std::string& path);

/// True when normalised `path` is `dir` or lies below it (every path lies within "/").
bool lies_within(const std::string& path, const std::string& dir);

}  // namespace clustersync
