#pragma once
// csync2 2.0's rules, written down once: which words its config scanner takes as keywords, what a
// config (serverset) name and a key file may hold, how it compares host names, and what its files
// are called. validate, plan, render, doctor and facts all ask here. The Puppet side gets the
// file names through the bundle (render.hpp); its types Clustersync::Key and Clustersync::Name
// are tested with the same cases as these rules (unittest/csync2_rules_cases.json).

#include <string>
#include <string_view>
#include <vector>

namespace clustersync {

/// The words cfgfile_scanner.l matches as tokens before its word rule (csync2 2.0): a bare word
/// equal to one of them is that keyword, never a value. "config" even switches the scanner
/// into include-file mode. Sorted.
const std::vector<std::string_view>& csync2_keywords();

/// Whether csync2's scanner reads `word`, written bare, as a keyword.
bool is_csync2_keyword(std::string_view word);

/// csync2's rule for a config name (`-C NAME`, csync2_NAME.cfg): `[a-z0-9]+`.
bool is_csync2_config_name(std::string_view name);

/// Lower-cases ASCII letters, as csync2 does with host names (gethostname(), `host` lines, -N).
std::string ascii_lower(std::string text);

/// csync2 refuses a key line shorter than this; `csync2 -k` writes 64 characters.
inline constexpr std::size_t kMinKeyLength = 32;

/// Why csync2 would refuse `content` as a key file: it reads the first line only, which must be
/// at least kMinKeyLength characters of A-Z a-z 0-9 . _ (a CR before the line end counts as a
/// character it refuses: a Windows line end). Every problem, in a fixed order; empty when the key
/// is acceptable. The key is a secret: the messages give lengths and positions, never content.
std::vector<std::string> csync2_key_problems(const std::string& content);

/// The config file of serverset `name`, in csync2's config directory: csync2_NAME.cfg.
std::string csync2_config_file_name(const std::string& name);

/// The key file the module writes beside it: csync2_NAME.key.
std::string csync2_key_file_name(const std::string& name);

/// csync2's database of config `name` on node `node`, in its database directory:
/// NODE_NAME.db3, the node lower-cased as csync2 does.
std::string csync2_database_file_name(const std::string& node, const std::string& name);

/// The file whose presence in csync2's config directory makes csync2 refuse to run.
inline constexpr const char* kCsync2LockFileName = "csync2.lock";

/// The serverset names of csync2_NAME.cfg file names whose NAME is a csync2 config name
/// (others are left out because `csync2 -C` refuses them). Sorted.
std::vector<std::string> serverset_names(const std::vector<std::string>& file_names);

}  // namespace clustersync
