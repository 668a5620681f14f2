// csync2-wait.so: makes csync2 2.0 wait for its SQLite database instead of sleeping a second.
//
// csync2 2.0 opens its database with sqlite3_open() and sets no busy timeout, so a statement
// that meets another process's write lock fails at once with SQLITE_BUSY, and csync2 sleeps a
// whole second before it tries again (up to `lock-timeout` times). Two of a member's lanes
// pushing at once (`csync2 -u -P PEER`, one `DELETE FROM dirty` per file sent) meet that way
// several times per burst, so the lanes used to take turns on the database
// (docs/lsyncd-action.md, "The database"). Preloaded into csync2 (LD_PRELOAD, set by the lsyncd
// action for its csync2 runs only), this library gives each of csync2's database connections a
// busy timeout of WAIT_MS: SQLite then retries the lock within milliseconds of its release,
// and the lanes push in parallel. After WAIT_MS csync2 sees SQLITE_BUSY and behaves as without
// this library.
//
// csync2 does not link SQLite: it dlopen()s "libsqlite3.so.0" and looks its functions up with
// dlsym() on that handle, which an LD_PRELOAD definition cannot interpose. So this library
// interposes dlopen(): for that one name it returns the handle of the process's global scope
// (dlopen(NULL)), in which this preloaded library's sqlite3_open() comes before SQLite's; every
// other SQLite function is found in SQLite itself, which this library links. Every other
// dlopen() is passed through unchanged. Nothing is read from the environment or the files.
// Plain C, so csync2 loads no C++ runtime with it. The lsyncd action preloads it from a fixed
// path, /usr/lib/clustersync/csync2-wait.so (the helper's package installs it there), and only
// when that file exists.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sqlite3.h>
#include <stddef.h>
#include <string.h>

#define WAIT_MS 5000
#define EXPORT __attribute__((visibility("default")))

typedef void* (*dlopen_fn)(const char*, int);
typedef int (*open_fn)(const char*, sqlite3**);

EXPORT void* dlopen(const char* file, int mode) {
    dlopen_fn real;
    *(void**)&real = dlsym(RTLD_NEXT, "dlopen");  // POSIX's way to a function pointer from dlsym

    if (real == NULL) return NULL;
    if (file != NULL && strcmp(file, "libsqlite3.so.0") == 0) return real(NULL, mode);
    return real(file, mode);
}

EXPORT int sqlite3_open(const char* filename, sqlite3** db) {
    open_fn real;
    *(void**)&real = dlsym(RTLD_NEXT, "sqlite3_open");

    if (real == NULL) return SQLITE_ERROR;
    int rc = real(filename, db);
    if (rc == SQLITE_OK && db != NULL && *db != NULL) sqlite3_busy_timeout(*db, WAIT_MS);
    return rc;
}
