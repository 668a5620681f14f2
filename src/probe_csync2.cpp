#include "probe_csync2.hpp"

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "probe_fs.hpp"
#include "probe_process.hpp"
#include "text.hpp"

namespace clustersync {

Csync2Build parse_csync2_usage(const std::string& usage) {
    Csync2Build build;
    const auto lines = lines_of(usage);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string line = trim(lines[i]);
        if (build.version.empty() && starts_with(line, "Version:")) build.version = trim(line.substr(8));
        // Each directory is given a line or two below the option or variable it belongs to.
        for (std::size_t j = i + 1; j < lines.size() && j <= i + 3; ++j) {
            const std::string following = trim(lines[j]);
            if (line == "CSYNC2_SYSTEM_DIR" && starts_with(following, "Defaults to ")) {
                std::string dir = trim(following.substr(12));
                if (!dir.empty() && dir.back() == '.') dir.pop_back();
                build.system_dir = dir;
            }
            if (starts_with(line, "-D database-dir") && starts_with(following, "default: "))
                build.database_dir = trim(following.substr(9));
        }
    }
    return build;
}
std::string parse_version_line(const std::string& text) {
    for (const auto& raw : lines_of(text)) {
        const std::string line = trim(raw);
        if (starts_with(line, "Version:")) return trim(line.substr(8));
    }
    return "";
}
std::string csync2_dir_for_os_release(const std::string& os_release) {
    static const char* const kFamilies[] = {"rhel", "fedora", "centos", "suse", "opensuse", "sles"};
    for (const auto& raw : lines_of(os_release)) {
        const std::string line = trim(raw);
        std::string value;
        if (starts_with(line, "ID="))
            value = line.substr(3);
        else if (starts_with(line, "ID_LIKE="))
            value = line.substr(8);
        else
            continue;
        value.erase(std::remove(value.begin(), value.end(), '"'), value.end());
        value.erase(std::remove(value.begin(), value.end(), '\''), value.end());
        std::istringstream words(value);
        for (std::string word; words >> word;) {
            // "opensuse-leap", "opensuse-tumbleweed": the family is the part before the dash.
            const std::string family = word.substr(0, word.find('-'));
            for (const char* f : kFamilies)
                if (family == f) return "/etc/csync2";
        }
    }
    return "/etc";
}

Csync2Setup locate_csync2(const std::string& config_dir, const std::string& database_dir, const std::string& cache_dir) {
    Csync2Setup setup;
    setup.path = find_program("csync2");
    Csync2Build build;
    if (!setup.path.empty()) {
        // csync2 has no version option: an unknown one (-V) prints the usage text, which holds
        // the version and both compiled-in directories, and exits at once.
        build = parse_csync2_usage(program_output(setup.path, {"-V"}, cache_dir));
    }
    setup.version = build.version;
    const char* env_dir = std::getenv("CSYNC2_SYSTEM_DIR");
    if (!config_dir.empty())
        setup.config_dir = config_dir;
    else if (env_dir && *env_dir)
        setup.config_dir = env_dir;
    else if (!build.system_dir.empty())
        setup.config_dir = build.system_dir;
    else
        setup.config_dir = csync2_dir_for_os_release(read_text_file("/etc/os-release", 65536).value_or(""));
    if (!database_dir.empty())
        setup.database_dir = database_dir;
    else
        setup.database_dir = build.database_dir.empty() ? "/var/lib/csync2" : build.database_dir;
    return setup;
}

}  // namespace clustersync
