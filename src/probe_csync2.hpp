#pragma once
// Where csync2 is installed and where it keeps its files: read from its usage text (pure parsers,
// pinned by unit tests), the environment, and the OS family.

#include <string>

namespace clustersync {

/// What csync2's usage text (printed for any unknown option) tells about the build.
struct Csync2Build {
    std::string version;       ///< "Version: 2.0" -> "2.0"; empty when not found
    std::string system_dir;    ///< "Defaults to /etc." under CSYNC2_SYSTEM_DIR -> "/etc"
    std::string database_dir;  ///< "default: /var/lib/csync2" under -D -> "/var/lib/csync2"
};

/// Reads the version, compiled-in config directory and database directory from csync2's usage text.
Csync2Build parse_csync2_usage(const std::string& usage);

/// "Version: 2.2.3" -> "2.2.3" (lsyncd --version); empty when the text has no such line.
std::string parse_version_line(const std::string& text);

/// csync2's config directory for an OS when csync2 cannot tell: /etc/csync2 when /etc/os-release's
/// ID or ID_LIKE names the RHEL, Fedora or SUSE family, else /etc (Debian, Ubuntu).
std::string csync2_dir_for_os_release(const std::string& os_release);

/// Where csync2 is and where it keeps its files on this node.
struct Csync2Setup {
    std::string path;          ///< the executable; empty when csync2 is not installed
    std::string version;       ///< from its usage text; empty when unknown
    std::string config_dir;    ///< ETCDIR: where csync2_NAME.cfg and csync2.lock live
    std::string database_dir;  ///< where <host>_<NAME>.db3 live
};

/// Finds csync2 and its directories. config_dir: the given one, else $CSYNC2_SYSTEM_DIR, else
/// the one compiled into csync2 (read from its usage text, which costs one short run), else the
/// OS family's (/etc/os-release). database_dir: the given one, else csync2's default.
/// cache_dir: see program_output().
Csync2Setup locate_csync2(const std::string& config_dir, const std::string& database_dir, const std::string& cache_dir = "");

}  // namespace clustersync
