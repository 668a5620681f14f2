#pragma once
// The node's filesystem as facts and doctor read it: whole small files, directory listings,
// stat(), a bounded directory count, programs on PATH, and the cache of values derived from a
// file that has not changed. Each descriptor and DIR* is owned by UniqueFd or Directory.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <dirent.h>

#include "result.hpp"

namespace clustersync {

/// Owns a file descriptor: closed when it goes out of scope.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() { reset(); }

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    /// Closes the descriptor now (it is -1 afterwards).
    void reset();
    /// Gives up ownership without closing.
    int release();

private:
    int fd_ = -1;
};

/// Owns an open directory stream (opendir/readdir/closedir).
class Directory {
public:
    /// Opens `path`; check with operator bool, and error() for why not.
    explicit Directory(const std::string& path);
    Directory(const Directory&) = delete;
    Directory& operator=(const Directory&) = delete;
    ~Directory();

    explicit operator bool() const { return dir_ != nullptr; }
    /// The next entry, or nullptr at the end.
    const dirent* next();
    /// Why it could not be opened ("cannot list /etc: Permission denied").
    const std::string& error() const { return error_; }

private:
    DIR* dir_ = nullptr;
    std::string error_;
};

/// The whole file, up to max_bytes, or why it cannot be read
/// ("cannot read /etc/csync2.key: Permission denied").
Result<std::string> read_text_file(const std::string& path, std::size_t max_bytes = 1 << 20);

/// The file names (not paths) in a directory, sorted; empty when it cannot be read.
std::vector<std::string> list_directory(const std::string& dir);

/// The target of a symbolic link, or empty when it is none or cannot be read (errno says why).
std::string link_target(const std::string& path);

/// What stat() tells doctor about a path.
struct PathStatus {
    bool exists = false;
    bool is_directory = false;
    unsigned uid = 0;
    unsigned mode = 0;  ///< permission bits
    std::uint64_t inode = 0;
    unsigned dev_major = 0;
    unsigned dev_minor = 0;
};

/// stat() of a path, following symlinks.
PathStatus stat_path(const std::string& path);

/// Directories at and under root, not following symlinks, counting at most `limit`
/// (the walk stops there, so a huge tree stays cheap).
long count_directories(const std::string& root, long limit);

/// The first executable named `name` in $PATH, then in /usr/sbin:/usr/bin:/sbin:/bin (Facter's
/// PATH may lack sbin); empty when none.
std::string find_program(const std::string& name);

/// What identifies one version of a file: path, inode, size and modification time to the
/// nanosecond. Empty when the file is missing.
std::string file_identity(const std::string& path);

/// Whether `path` exists and is not empty.
bool holds_data(const std::string& path);

/// The value stored in cache_file for `identity`, or nothing (missing, or another identity).
std::optional<std::string> read_cache(const std::string& cache_file, const std::string& identity);

/// Stores value under identity in cache_file (creating cache_dir). Written next to the target and
/// renamed, so a concurrent run never reads half a file; a cache that cannot be written only
/// costs speed.
void write_cache(const std::string& cache_dir, const std::string& cache_file, const std::string& identity,
                 const std::string& value);

/// The last component of a path ("/usr/bin/lsyncd" -> "lsyncd").
std::string base_name(const std::string& path);

}  // namespace clustersync
