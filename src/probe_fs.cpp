#include "probe_fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "text.hpp"

namespace clustersync {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
        reset();
        fd_ = other.release();
    }
    return *this;
}

void UniqueFd::reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

int UniqueFd::release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
}

Directory::Directory(const std::string& path) : dir_(::opendir(path.c_str())) {
    if (!dir_) error_ = system_failure("cannot list " + path);
}

Directory::~Directory() {
    if (dir_) ::closedir(dir_);
}

const dirent* Directory::next() { return dir_ ? ::readdir(dir_) : nullptr; }

Result<std::string> read_text_file(const std::string& path, std::size_t max_bytes) {
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return Result<std::string>::failure(system_failure("cannot read " + path));
    std::string text;
    char buf[8192];
    while (text.size() < max_bytes) {
        const ssize_t n = ::read(fd.get(), buf, std::min(sizeof buf, max_bytes - text.size()));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Result<std::string>::failure(system_failure("cannot read " + path));
        if (n == 0) break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    return text;
}

std::vector<std::string> list_directory(const std::string& dir) {
    std::vector<std::string> names;
    Directory d(dir);
    while (const dirent* e = d.next()) {
        const std::string name = e->d_name;
        if (name != "." && name != "..") names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::string link_target(const std::string& path) {
    char buf[256];
    const ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

PathStatus stat_path(const std::string& path) {
    PathStatus s;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return s;
    s.exists = true;
    s.is_directory = S_ISDIR(st.st_mode);
    s.uid = st.st_uid;
    s.mode = st.st_mode & 07777;
    s.inode = st.st_ino;
    s.dev_major = major(st.st_dev);
    s.dev_minor = minor(st.st_dev);
    return s;
}

long count_directories(const std::string& root, long limit) {
    struct stat st {};
    if (::lstat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return 0;
    long count = 0;
    std::vector<std::string> pending{root};
    while (!pending.empty() && count < limit) {
        const std::string dir = std::move(pending.back());
        pending.pop_back();
        ++count;
        Directory d(dir);
        while (const dirent* e = d.next()) {
            const std::string name = e->d_name;
            if (name == "." || name == "..") continue;
            const std::string child = dir + "/" + name;
            bool is_dir = e->d_type == DT_DIR;
            if (e->d_type == DT_UNKNOWN) is_dir = ::lstat(child.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
            if (is_dir) pending.push_back(child);
        }
    }
    return count;
}

std::string find_program(const std::string& name) {
    std::string search;
    if (const char* path = std::getenv("PATH")) search = std::string(path) + ":";
    search += "/usr/sbin:/usr/bin:/sbin:/bin";
    std::istringstream dirs(search);
    for (std::string dir; std::getline(dirs, dir, ':');) {
        if (dir.empty() || dir[0] != '/') continue;  // a relative PATH entry depends on the cwd: skip it
        const std::string candidate = dir + "/" + name;
        struct stat st {};
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
            return candidate;
    }
    return "";
}

std::string file_identity(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return "";
    return path + "\t" + std::to_string(st.st_ino) + " " + std::to_string(st.st_size) + " " +
           std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

bool holds_data(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && st.st_size > 0;
}

std::optional<std::string> read_cache(const std::string& cache_file, const std::string& identity) {
    const auto cached = read_text_file(cache_file);
    if (!cached || !starts_with(*cached, identity + "\n")) return std::nullopt;
    return cached->substr(identity.size() + 1);
}

void write_cache(const std::string& cache_dir, const std::string& cache_file, const std::string& identity,
                 const std::string& value) {
    ::mkdir(cache_dir.c_str(), 0755);
    const std::string tmp = cache_file + "." + std::to_string(::getpid());
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (f << identity << "\n" << value && f.flush()) {
        f.close();
        if (::rename(tmp.c_str(), cache_file.c_str()) != 0) ::unlink(tmp.c_str());
    } else {
        ::unlink(tmp.c_str());
    }
}

std::string base_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

}  // namespace clustersync
