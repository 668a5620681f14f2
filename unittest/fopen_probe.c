// fopen_probe: checks what csync2-wait.so does to fopen(), run by CTest (unittest/CMakeLists.txt).
//
// csync2 2.0 reads synced files with fopen(path, "rb"); with csync2-wait.so preloaded such a read
// must never follow a link nor wait for a FIFO (src/preload/csync2_wait.c). The probe makes, in
// a new temporary directory: a file, a file "outside", a link to it, a FIFO that no one writes,
// a link to the FIFO; then opens each the way csync2 does and compares with what it expects:
//
//   fopen_probe guarded       (built as "csync2", the library preloaded): the file opens; the
//                             links and the FIFO open as /dev/null (a device, which csync2
//                             refuses as not a regular file), at once; a missing file is still
//                             ENOENT; mode "r" still follows a link; through a link a user owns,
//                             reads give /dev/null and unlink, mkdir, rename and mkstemp fail
//                             with ELOOP, through root's they work; LD_PRELOAD is gone from the
//                             environment (csync2's children do not inherit the library)
//   fopen_probe passthrough   (built under another name, the library preloaded): fopen() is
//                             the C library's (a link is followed), LD_PRELOAD stays
//
// Without the library, "guarded" fails: the link opens its target and the FIFO blocks until a
// 3 s alarm ends the wait (the ctest preload_rejects_unguarded_reads expects that failure).
// Prints one line per check that differs; exit status 0 when none does.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures;

static void on_alarm(int sig) { (void)sig; }

static void fail(const char* what) {
    printf("%s\n", what);
    ++failures;
}

// What fopen(path, mode) did: "missing", "blocked", "error N", "device" (a character device:
// /dev/null) or the first line it read.
static void outcome(const char* path, const char* mode, char* out, size_t size) {
    alarm(3);
    FILE* f = fopen(path, mode);
    int error = errno;
    alarm(0);
    if (f == NULL) {
        if (error == ENOENT) snprintf(out, size, "missing");
        else if (error == EINTR) snprintf(out, size, "blocked");
        else snprintf(out, size, "error %d", error);
        return;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISCHR(st.st_mode)) snprintf(out, size, "device");
    else if (fgets(out, (int)size, f) == NULL) snprintf(out, size, "empty");
    out[strcspn(out, "\n")] = '\0';
    fclose(f);
}

static void expect(const char* path, const char* mode, const char* want) {
    char got[256];
    outcome(path, mode, got, sizeof got);
    if (strcmp(got, want) != 0) {
        char line[1024];
        snprintf(line, sizeof line, "fopen(%s, \"%s\"): got \"%s\", want \"%s\"", path, mode, got, want);
        fail(line);
    }
}

static int write_file(const char* path, const char* text) {
    FILE* f = fopen(path, "w");
    if (f == NULL) return -1;
    fputs(text, f);
    return fclose(f);
}

int main(int argc, char** argv) {
    if (argc != 2 || (strcmp(argv[1], "guarded") != 0 && strcmp(argv[1], "passthrough") != 0)) {
        fprintf(stderr, "usage: %s guarded|passthrough\n", argv[0]);
        return 2;
    }
    const int guarded = strcmp(argv[1], "guarded") == 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;  // no SA_RESTART: a blocked open() returns EINTR
    sigaction(SIGALRM, &sa, NULL);

    char dir[] = "/tmp/fopen-probe.XXXXXX";
    if (mkdtemp(dir) == NULL || chdir(dir) != 0) {
        perror("fopen_probe: temporary directory");
        return 2;
    }
    if (write_file("file", "in tree\n") != 0 || write_file("outside", "outside\n") != 0 ||
        symlink("outside", "link") != 0 || mkfifo("fifo", 0600) != 0 || symlink("fifo", "fifolink") != 0) {
        perror("fopen_probe: setting up");
        return 2;
    }

    expect("file", "rb", "in tree");
    if (guarded) {
        expect("absent", "rb", "missing");
        expect("link", "rb", "device");
        expect("fifo", "rb", "device");
        expect("fifolink", "rb", "device");
        expect("link", "r", "outside");
        if (getenv("LD_PRELOAD") != NULL) fail("LD_PRELOAD is still set: csync2's children would inherit the library");
        // Directory links: root's is followed, a user's is not (absolute paths, as csync2's).
        char path[512], other[512];
        if (mkdir("realdir", 0755) != 0 || write_file("realdir/x", "in dir\n") != 0 ||
            symlink("realdir", "rootlink") != 0 || symlink("realdir", "userlink") != 0 ||
            lchown("userlink", 65534, 65534) != 0) {
            perror("fopen_probe: setting up the links");
            return 2;
        }
        snprintf(path, sizeof path, "%s/rootlink/x", dir);
        expect(path, "rb", "in dir");
        snprintf(path, sizeof path, "%s/userlink/x", dir);
        expect(path, "rb", "device");
        if (unlink(path) == 0 || errno != ELOOP) fail("unlink through a user's link was not refused with ELOOP");
        snprintf(path, sizeof path, "%s/userlink/new", dir);
        if (mkdir(path, 0700) == 0 || errno != ELOOP) fail("mkdir through a user's link was not refused with ELOOP");
        snprintf(other, sizeof other, "%s/file", dir);
        if (rename(other, path) == 0 || errno != ELOOP) fail("rename through a user's link was not refused with ELOOP");
        if (chmod(other, 0640) != 0) fail("chmod of a plain file failed");
        snprintf(path, sizeof path, "%s/rootlink/renamed", dir);
        if (rename(other, path) != 0) fail("rename through root's link failed");
        else if (rename(path, other) != 0) fail("rename back failed");
        char template[512];
        snprintf(template, sizeof template, "%s/userlink/.tmp.XXXXXX", dir);
        if (mkstemp(template) >= 0 || errno != ELOOP) fail("mkstemp through a user's link was not refused with ELOOP");
        if (access("realdir/x", F_OK) != 0) fail("realdir/x is gone");
    } else {
        expect("link", "rb", "outside");
        if (getenv("LD_PRELOAD") == NULL) fail("LD_PRELOAD was taken out of a process that is not csync2");
    }

    // Whatever the checks left (without the library, the calls through the links did work).
    char remove[128];
    snprintf(remove, sizeof remove, "rm -rf '%s'", dir);
    if (chdir("/") != 0 || system(remove) != 0) fprintf(stderr, "fopen_probe: could not remove %s\n", dir);
    if (failures == 0) printf("ok: fopen_probe %s\n", argv[1]);
    return failures == 0 ? 0 : 1;
}
