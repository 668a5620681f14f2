#include "paths.hpp"

namespace clustersync {

std::string normalise_path(const std::string& path) {
    if (path.size() > 1 && path.back() == '/') return path.substr(0, path.size() - 1);
    return path;
}

std::optional<std::string> path_problem(const std::string& path) {
    if (path.empty()) return "it is empty";
    if (path.front() != '/') return "it does not start with /";
    if (path.size() > kMaxPathLength)
        return "it is " + std::to_string(path.size()) + " bytes long, longer than " + std::to_string(kMaxPathLength) +
               " (PATH_MAX less the NUL and the / lsyncd adds to a directory)";
    for (unsigned char c : path) {
        if (c < 0x20 || c == 0x7f) return "it contains a control character";
        // csync2's quoted words end at the next `"` and know no escapes.
        if (c == '"') return "it contains \", which a csync2 config cannot write";
    }
    // Checked on the raw text so "//" is not mistaken for "/" plus a tolerated trailing slash.
    if (path.find("//") != std::string::npos) return "it has an empty segment (//)";
    const std::string p = normalise_path(path);
    if (p == "/") return std::nullopt;
    std::size_t start = 1;
    while (start <= p.size()) {
        std::size_t end = p.find('/', start);
        if (end == std::string::npos) end = p.size();
        const std::size_t length = end - start;
        if (length == 1 && p[start] == '.') return "it has a \".\" segment";
        if (length == 2 && p.compare(start, 2, "..") == 0) return "it has a \"..\" segment";
        if (length > kMaxNameLength)
            return "a segment is " + std::to_string(length) + " bytes long, longer than " +
                   std::to_string(kMaxNameLength) + " (NAME_MAX, the longest file name the kernel allows)";
        start = end + 1;
    }
    return std::nullopt;
}

bool lies_within(const std::string& path, const std::string& dir) {
    if (dir == "/" || path == dir) return true;
    return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

}  // namespace clustersync
