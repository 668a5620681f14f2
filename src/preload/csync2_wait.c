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
//
// It also spares every csync2 run a count of its whole file table. csync2 2.0 opens its
// database with a schema check, `SELECT count(*) from file` (db_schema_version() in its
// db_api.c), which only wants to know whether the table exists: any row of the answer means
// "version 0", an error means "no tables yet, create them". SQLite answers a count by walking
// an index of the table: about 5 ms per csync2 start at 1,000,000 recorded files and 10 ms at
// 2,000,000, paid by every check and every push of every change (docs/benchmarks-scale.md). This
// library's sqlite3_prepare_v2() prepares that one statement, byte for byte, as
// SCHEMA_CHECK_CHEAP instead: one row as well when the table exists (whatever its size), the
// same "no such table" error when it does not, in the time of a page read. Every other statement
// is prepared unchanged; nothing csync2 reads from the answer changes.
// And csync2's own file operations on synced paths never go through a link a user made, nor
// wait on a FIFO: src/preload/csync2_paths.c, linked into the same library.
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
typedef int (*prepare_fn)(sqlite3*, const char*, int, sqlite3_stmt**, const char**);

// csync2 2.0's schema check (db_api.c), and what is prepared in its place.
static const char SCHEMA_CHECK[] = "SELECT count(*) from file";
static const char SCHEMA_CHECK_CHEAP[] = "SELECT count(*) FROM (SELECT 1 FROM file LIMIT 1)";

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

EXPORT int sqlite3_prepare_v2(sqlite3* db, const char* sql, int bytes, sqlite3_stmt** stmt, const char** tail) {
    prepare_fn real;
    *(void**)&real = dlsym(RTLD_NEXT, "sqlite3_prepare_v2");

    if (real == NULL) return SQLITE_ERROR;
    const size_t length = sizeof SCHEMA_CHECK - 1;
    // csync2 passes the statement's length; a negative one means "up to the NUL".
    const int same = sql != NULL &&
                     (bytes < 0 ? strcmp(sql, SCHEMA_CHECK) == 0
                                : (size_t)bytes == length && memcmp(sql, SCHEMA_CHECK, length) == 0);
    if (!same) return real(db, sql, bytes, stmt, tail);
    int rc = real(db, SCHEMA_CHECK_CHEAP, -1, stmt, NULL);
    if (tail != NULL) *tail = sql + length;  // the whole statement was used, as SQLite would say
    return rc;
}
