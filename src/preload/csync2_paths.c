// csync2-wait.so, part two: csync2's own file operations on synced paths never go through a link
// that a user made, and never wait on a FIFO.
//
// Through a directory link. csync2 2.0's listener writes what a peer sends to the path the peer
// names, with plain rename(), mkdir(), unlink(), chmod() and so on, which follow every link in
// the path. It refuses a path with a link in it only when it is asked for a file's signature,
// not when it is sent the file. So a local user who can write in a synced tree on one member
// and replaces a directory there by a link to /etc, say, made the listener write, as root,
// every new file that another member then created in that directory into /etc (a file in
// /etc/cron.d runs as root): the ctest real_csync2_writes_through_no_user_link shows it with the
// real csync2. Here, in csync2 only, each of those calls walks the path from "/" one component
// at a time (openat with O_PATH | O_NOFOLLOW) and refuses it with ELOOP ("Too many levels of
// symbolic links") when a directory on the way is a link that root does not own; a link root
// owns (an administrator's /var/www -> /srv/www, csync2's own tempdir or database below one) is
// followed, by its target read from the link that was opened (readlinkat), so a link swapped
// in meanwhile is never the one followed. The call itself then works on the directory reached
// (renameat, unlinkat, mkdirat, mknodat, symlinkat, fchownat, fchmodat, utimensat, openat; and
// mkstemp() creates its file with openat, for csync2 puts it beside the synced file when it has
// no tempdir), with
// AT_SYMLINK_NOFOLLOW where the call has it: a user who swaps the final component for a link
// gets the link changed, never its target. csync2 then reports the error for that path and
// keeps it dirty: an administrator sees the link and removes it (doctor, "csync2 -M").
//
// On a FIFO. csync2 reads a synced file with fopen(path, "rb") (the sender's copy for its
// signature check and its delta, the receiver's for the signature and the basis of a PATCH, the
// TYPE command). It lstat()s the file first, but a user who can write in the tree can replace
// it by a FIFO in between: fopen() then waited for a writer, for good, with the push's session
// open on the peer, whose listener holds the peer's node lock for the whole session (every
// check on the peer stalled too, and no watchdog ends it: the peer still answers). Here such a
// read opens with O_NOFOLLOW | O_NONBLOCK, and a link, FIFO or socket (or a path through a
// user's link) gives csync2 /dev/null instead, which csync2 refuses as not a regular file: the
// push of that path fails, the path stays dirty and goes out as what it has become at the next
// push. Not ENOENT: csync2's delta step calls fclose(NULL) when its fopen() fails, and crashes.
// The ctest real_csync2_push_survives_a_fifo makes that race with the real csync2.
//
// Only in csync2 (its program name): the listener's flock, which loads this library before it
// starts csync2, is left alone, and csync2 takes the library out of its own LD_PRELOAD, so the
// `action` commands of a custom csync2 template do not inherit it. Relative paths (csync2 uses
// none for synced files) and every other fopen() mode (the config and key, "r"; gnutls's
// certificates, "rbe") are passed through unchanged.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <utime.h>

#define EXPORT __attribute__((visibility("default")))

static int in_csync2;  // this process is csync2 (its program name), set at load

__attribute__((constructor)) static void at_load(void) {
    in_csync2 = strcmp(program_invocation_short_name, "csync2") == 0;
    if (in_csync2) unsetenv("LD_PRELOAD");
}

// FN = the C library's definition of NAME (POSIX's way to a function pointer from dlsym).
#define REAL(fn, name) (*(void**)&(fn) = dlsym(RTLD_NEXT, #name))

// Closes FD and returns -1 with errno ERROR.
static int fail_closing(int fd, int error) {
    if (fd >= 0) close(fd);
    errno = error;
    return -1;
}

// One step of the walk: from directory DIRFD (consumed) to its entry NAME, which must be a
// directory or a link owned by root to one. Returns the new O_PATH descriptor, or -1.
static int step(int dirfd, const char* name) {
    int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return fail_closing(dirfd, errno);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int error = errno;
        close(fd);
        return fail_closing(dirfd, error);
    }
    if (S_ISDIR(st.st_mode)) {
        close(dirfd);
        return fd;
    }
    if (!S_ISLNK(st.st_mode) || st.st_uid != 0) {
        close(fd);
        return fail_closing(dirfd, S_ISLNK(st.st_mode) ? ELOOP : ENOTDIR);
    }
    char target[PATH_MAX];
    ssize_t length = readlinkat(fd, "", target, sizeof target - 1);  // the link opened above
    int error = length < 0 ? errno : ENAMETOOLONG;
    close(fd);
    if (length < 0 || (size_t)length >= sizeof target - 1) return fail_closing(dirfd, error);
    target[length] = '\0';
    int next = openat(target[0] == '/' ? AT_FDCWD : dirfd, target, O_PATH | O_DIRECTORY | O_CLOEXEC);
    error = errno;
    close(dirfd);
    errno = error;
    return next;
}

// The last directories parent_of() reached by a walk (a few: a received file's temporary file
// lives in csync2's tempdir, the file in the tree): a file's several calls (the rename, then
// chown, chmod, utime) and a burst's files in one directory reuse them while the path still
// leads to that same directory (one stat() instead of a walk: bench/listener-guard). If a link
// was swapped in since, and leads elsewhere, the walk runs again; if it leads to the same
// directory, the call goes to the directory already checked.
#define KNOWN_DIRS 4
static struct known_dir {
    char path[PATH_MAX];
    int fd;
    dev_t dev;
    ino_t ino;
} known[KNOWN_DIRS] = {{"", -1, 0, 0}, {"", -1, 0, 0}, {"", -1, 0, 0}, {"", -1, 0, 0}};
static unsigned next_known;

static int walk(char* parent) {
    int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    for (char* name = parent + 1; fd >= 0 && name != NULL;) {
        char* slash = strchr(name, '/');
        if (slash != NULL) *slash = '\0';
        if (name[0] != '\0' && strcmp(name, ".") != 0) fd = step(fd, name);
        if (slash != NULL) *slash = '/';
        name = slash != NULL ? slash + 1 : NULL;
    }
    return fd;
}

// The directory that holds absolute PATH's last component, reached by step() from "/"; *base
// points at that component (in BUF, of SIZE bytes). Returns an O_PATH descriptor, or -1.
static int parent_of(const char* path, char* buf, size_t size, const char** base) {
    size_t n = strlen(path);
    if (n >= size) return fail_closing(-1, ENAMETOOLONG);
    memcpy(buf, path, n + 1);
    while (n > 1 && buf[n - 1] == '/') buf[--n] = '\0';
    char* last = strrchr(buf, '/');
    *base = last[1] != '\0' ? last + 1 : ".";
    if (last == buf) return open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    *last = '\0';
    struct stat st;
    for (int i = 0; i < KNOWN_DIRS; ++i) {
        struct known_dir* k = &known[i];
        if (k->fd >= 0 && strcmp(k->path, buf) == 0) {
            if (stat(buf, &st) == 0 && st.st_dev == k->dev && st.st_ino == k->ino) {
                *last = '/';
                return fcntl(k->fd, F_DUPFD_CLOEXEC, 0);
            }
            break;
        }
    }
    int fd = walk(buf);
    if (fd >= 0 && fstat(fd, &st) == 0) {
        struct known_dir* k = &known[next_known++ % KNOWN_DIRS];
        for (int i = 0; i < KNOWN_DIRS; ++i)  // the entry of this path, if it had one
            if (known[i].fd >= 0 && strcmp(known[i].path, buf) == 0) k = &known[i];
        if (k->fd >= 0) close(k->fd);
        k->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
        memcpy(k->path, buf, (size_t)(last - buf) + 1);
        k->dev = st.st_dev;
        k->ino = st.st_ino;
    }
    *last = '/';
    return fd;
}

// The pattern of every guarded call NAME of type FN: the C library's outside csync2 or for a
// relative path (ARGS); otherwise reach the parent and run AT_CALL on it (using dirfd, base).
#define GUARDED(fn, name, path, args, at_call)                                        \
    do {                                                                              \
        if (!in_csync2 || (path)[0] != '/') {                                         \
            fn real;                                                                  \
            if (REAL(real, name) == NULL) return fail_closing(-1, ENOSYS);            \
            return real args;                                                         \
        }                                                                             \
        char buf[PATH_MAX];                                                           \
        const char* base;                                                             \
        int dirfd = parent_of((path), buf, sizeof buf, &base);                        \
        if (dirfd < 0) return -1;                                                     \
        int rc = (at_call);                                                           \
        int error = errno;                                                            \
        close(dirfd);                                                                 \
        errno = error;                                                                \
        return rc;                                                                    \
    } while (0)

EXPORT int unlink(const char* path) {
    typedef int (*fn)(const char*);
    GUARDED(fn, unlink, path, (path), unlinkat(dirfd, base, 0));
}

EXPORT int rmdir(const char* path) {
    typedef int (*fn)(const char*);
    GUARDED(fn, rmdir, path, (path), unlinkat(dirfd, base, AT_REMOVEDIR));
}

EXPORT int mkdir(const char* path, mode_t mode) {
    typedef int (*fn)(const char*, mode_t);
    GUARDED(fn, mkdir, path, (path, mode), mkdirat(dirfd, base, mode));
}

EXPORT int mknod(const char* path, mode_t mode, dev_t dev) {
    typedef int (*fn)(const char*, mode_t, dev_t);
    GUARDED(fn, mknod, path, (path, mode, dev), mknodat(dirfd, base, mode, dev));
}

EXPORT int symlink(const char* target, const char* path) {
    typedef int (*fn)(const char*, const char*);
    GUARDED(fn, symlink, path, (target, path), symlinkat(target, dirfd, base));
}

EXPORT int lchown(const char* path, uid_t uid, gid_t gid) {
    typedef int (*fn)(const char*, uid_t, gid_t);
    GUARDED(fn, lchown, path, (path, uid, gid), fchownat(dirfd, base, uid, gid, AT_SYMLINK_NOFOLLOW));
}

EXPORT int chown(const char* path, uid_t uid, gid_t gid) {
    typedef int (*fn)(const char*, uid_t, gid_t);
    GUARDED(fn, chown, path, (path, uid, gid), fchownat(dirfd, base, uid, gid, AT_SYMLINK_NOFOLLOW));
}

EXPORT int chmod(const char* path, mode_t mode) {
    typedef int (*fn)(const char*, mode_t);
    GUARDED(fn, chmod, path, (path, mode), fchmodat(dirfd, base, mode, AT_SYMLINK_NOFOLLOW));
}

// utime(): csync2's SETIME. NULL times mean "now", as utimensat() takes them.
static int utime_at(int dirfd, const char* base, const struct utimbuf* times) {
    if (times == NULL) return utimensat(dirfd, base, NULL, AT_SYMLINK_NOFOLLOW);
    struct timespec ts[2] = {{times->actime, 0}, {times->modtime, 0}};
    return utimensat(dirfd, base, ts, AT_SYMLINK_NOFOLLOW);
}

EXPORT int utime(const char* path, const struct utimbuf* times) {
    typedef int (*fn)(const char*, const struct utimbuf*);
    GUARDED(fn, utime, path, (path, times), utime_at(dirfd, base, times));
}

EXPORT int rename(const char* from, const char* to) {
    if (!in_csync2 || from[0] != '/' || to[0] != '/') {
        int (*real)(const char*, const char*);
        if (REAL(real, rename) == NULL) return fail_closing(-1, ENOSYS);
        return real(from, to);
    }
    char from_buf[PATH_MAX], to_buf[PATH_MAX];
    const char *from_base, *to_base;
    int from_dir = parent_of(from, from_buf, sizeof from_buf, &from_base);
    if (from_dir < 0) return -1;
    int to_dir = parent_of(to, to_buf, sizeof to_buf, &to_base);
    if (to_dir < 0) return fail_closing(from_dir, errno);
    int rc = renameat(from_dir, from_base, to_dir, to_base);
    int error = errno;
    close(from_dir);
    close(to_dir);
    errno = error;
    return rc;
}

// mkstemp(): csync2's temporary files, in its tempdir or, when it has none (or cannot write
// there), beside the synced file, where a user's link must not take them either. As the C
// library's: O_RDWR | O_CREAT | O_EXCL, mode 0600, the last six X's of TEMPLATE replaced.
EXPORT int mkstemp(char* template) {
    static const char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    size_t n = strlen(template);
    if (!in_csync2 || template[0] != '/') {
        int (*real)(char*);
        if (REAL(real, mkstemp) == NULL) return fail_closing(-1, ENOSYS);
        return real(template);
    }
    if (n < 6 || strcmp(template + n - 6, "XXXXXX") != 0) return fail_closing(-1, EINVAL);
    char buf[PATH_MAX];
    const char* base;
    int dirfd = parent_of(template, buf, sizeof buf, &base);
    if (dirfd < 0) return -1;
    char* name = buf + (base - buf);  // the last component, in buf, which ends as template does
    size_t name_length = strlen(name);
    int fd = -1;
    for (int attempt = 0; attempt < 100; ++attempt) {
        unsigned char random[6];
        if (getrandom(random, sizeof random, 0) != (ssize_t)sizeof random) break;
        for (size_t i = 0; i < 6; ++i) {
            template[n - 6 + i] = letters[random[i] % (sizeof letters - 1)];
            name[name_length - 6 + i] = template[n - 6 + i];
        }
        fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
        if (fd >= 0 || errno != EEXIST) break;
    }
    int error = errno;
    close(dirfd);
    errno = error;
    return fd;
}

// fopen() of a synced file: "rb" never follows a link nor waits on a FIFO (/dev/null instead,
// see the top), "wb" (csync2's copy when rename() crosses file systems) never writes through a
// link. Every other mode, and every other program, is passed through.
EXPORT FILE* fopen(const char* path, const char* mode) {
    FILE* (*real)(const char*, const char*);
    if (REAL(real, fopen) == NULL) {
        errno = ENOSYS;
        return NULL;
    }
    const int read = mode != NULL && strcmp(mode, "rb") == 0;
    const int write = mode != NULL && strcmp(mode, "wb") == 0;
    if (!in_csync2 || path == NULL || (!read && !write)) return real(path, mode);

    char buf[PATH_MAX];
    const char* base = path;
    int dirfd = AT_FDCWD;
    if (path[0] == '/') {
        dirfd = parent_of(path, buf, sizeof buf, &base);
        if (dirfd < 0) return read && errno == ELOOP ? real("/dev/null", "rb") : NULL;
    }
    int fd = read ? openat(dirfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK)
                  : openat(dirfd, base, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0666);
    int error = errno;
    if (dirfd != AT_FDCWD) close(dirfd);
    if (fd < 0) {
        if (read && error == ELOOP) return real("/dev/null", "rb");  // the file is a link
        errno = error;
        return NULL;
    }
    if (read) {
        struct stat st;
        if (fstat(fd, &st) != 0) return fail_closing(fd, errno), NULL;
        if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) {
            close(fd);
            return real("/dev/null", "rb");
        }
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) return fail_closing(fd, errno), NULL;
    }
    FILE* file = fdopen(fd, mode);
    if (file == NULL) fail_closing(fd, errno);
    return file;
}
