#!/bin/bash
# Feeds the golden files to the real tools (run by CTest; see unittest/CMakeLists.txt).
#
#   check_real.sh csync2 CASE_DIR...   every expected/csync2_* file is parsed by the real csync2, which
#                                      must find the node in the group and cover each of its sources
#   check_real.sh lsyncd CASE_DIR...   every expected/lsyncd file is loaded by the real lsyncd against
#                                      throw-away directories and must start every sync
#   check_real.sh action CASE_DIR      the smoke test of the action (its decisions are unit-tested in
#                                      unittest/lua): runs the lsyncd config of CASE_DIR (one source,
#                                      two peers) in the real lsyncd with a recorder as csync2, makes
#                                      changes, and checks the paths of every check, that each peer's
#                                      lane pushes on its own while the other one hangs, that the hung
#                                      peer is found unreachable, parked and caught up when it answers,
#                                      and that a failed check is retried
#   check_real.sh wait CASE_DIR        the real csync2 with csync2-wait.so preloaded ($CSYNC2_WAIT)
#                                      waits for its database while another process holds the
#                                      write lock, where without it csync2 sleeps a second
#   check_real.sh count CASE_DIR       the real csync2 with csync2-wait.so preloaded creates its
#                                      database and, on one of 100,000 recorded files, opens it
#                                      without reading the whole file table (its schema check
#                                      counts the table without the library): page reads counted
#                                      with strace
#   --break=MUTATION                   first damages each file (csync2: syntax, quotes; lsyncd: key,
#                                      escape; action: retry, watchdog; wait: nowait, the library
#                                      left out; count: plain, the library left out) and then passes only if the
#                                      check rejects every damaged file: the proof that the checks
#                                      above can fail
#
# csync2 never touches /var/lib/csync2 here (-D), and lsyncd watches only directories under a
# temporary root, keeps its state there and spawns /bin/true or a recorder instead of csync2.
# Every wait is for a condition, bounded.
set -u

tool=$1; shift
mutation=
case ${1:-} in --break=*) mutation=${1#--break=}; shift ;; esac

csync2_bin=${CSYNC2:-/usr/sbin/csync2}
lsyncd_bin=${LSYNCD:-/usr/bin/lsyncd}
work=$(mktemp -d)
pids=()  # the lsyncd and listeners of the check under way
trap 'stop_all; rm -rf "$work"' EXIT
checked=0 accepted=0 rejected=0

# Ends the processes of the check under way (a stopped lsyncd is continued, so it sees the TERM).
stop_all() {
    [ "${#pids[@]}" = 0 ] && return 0
    kill "${pids[@]}" 2>/dev/null
    kill -CONT "${pids[@]}" 2>/dev/null
    wait "${pids[@]}" 2>/dev/null
    pids=()
}

# listen ADDR PORT FILE: a TCP listener on ADDR:PORT (0: a free port the kernel picks) that
# accepts and closes every connection, in the background until stop_all; FILE receives its port.
# Returns once it listens (bounded), 1 when it cannot.
listen() {
    perl -MIO::Socket::INET -e '
        my ($addr, $port, $file) = @ARGV;
        my $s = IO::Socket::INET->new(LocalAddr => "$addr:$port", Listen => 16, ReuseAddr => 1)
            or die "listen on $addr:$port: $!\n";
        open(my $f, ">", "$file.new") or die "$file.new: $!\n";
        print $f $s->sockport, "\n";
        close $f;
        rename("$file.new", $file) or die "$file: $!\n";
        while (1) { my $c = $s->accept or next; close $c }' "$1" "$2" "$3" &
    local listener=$! end=$((SECONDS + 30))
    pids+=("$listener")
    until [ -s "$3" ]; do
        kill -0 "$listener" 2>/dev/null && [ "$SECONDS" -lt "$end" ] || return 1
        sleep 0.1
    done
}

node_of() { sed -n 's/.*"node":"\([^"]*\)".*/\1/p' "$1/expected/bundle.json"; }

# Applies $mutation to file $1 in place; fails when it changes nothing (nothing to damage).
damage() {
    local before
    before=$(cksum <"$1")
    case $mutation in
        syntax) sed -i 's/^\(\tauto [^;]*\);$/\1/' "$1" ;;  # drop the ';' after auto
        quotes) sed -i 's/"//g' "$1" ;;                     # write every word bare
        key) sed -i 's/^\t\tonMove = true,$/\t\tonMove = true, bogus = 1,/' "$1" ;;
        escape) sed -i 's/\\\\/\\/g' "$1" ;;                # forget to escape backslashes
        retry) sed -i 's/^\t\tfor path, kind in pairs(kinds) do add_pending(path, kind) end$//' "$1" ;;  # lose a failed check
        watchdog) sed -i 's/^\treach || { kill "$push" 2>\/dev\/null; ended=1; break; }$/\ttrue/' "$1" ;;  # never end a hung push
        *) echo "unknown mutation: $mutation" >&2; exit 2 ;;
    esac
    [ "$(cksum <"$1")" != "$before" ]
}

# check_csync2 CASE FILE: 0 when csync2 parses FILE, finds the node in it and covers each source.
check_csync2() {
    local case_dir=$1 file=$2 name node dir rc out source problems=0
    name=${file##*/csync2_}
    node=$(node_of "$case_dir")
    dir=$(mktemp -d -p "$work")
    sed "s|^\tkey .*;$|\tkey $dir/key;|" "$file" >"$dir/csync2_$name.cfg"
    [ -z "$mutation" ] || damage "$dir/csync2_$name.cfg" || return 3
    printf '%s\n' 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ._ >"$dir/key"
    # -M lists dirty files; it exits 2 for an empty list, which needs a parsed config and a
    # member node. Parse errors ("Near line N") and "not a member" exit 1.
    out=$(CSYNC2_SYSTEM_DIR=$dir "$csync2_bin" -C "$name" -N "$node" -D "$dir" -M 2>&1)
    rc=$?
    if [ "$rc" != 2 ]; then
        echo "csync2 rejected $file (exit $rc): $out"
        return 1
    fi
    # A hint for a path that no include covers makes csync2 warn "Parameter will be ignored":
    # the proof that a quoted path came back as one word.
    while IFS=$'\t' read -r group source; do
        [ "$group" = "$name" ] || continue
        if ! out=$(CSYNC2_SYSTEM_DIR=$dir "$csync2_bin" -C "$name" -N "$node" -D "$dir" -h -- "$source" 2>&1) ||
            [ -n "$out" ]; then
            echo "csync2 does not cover source \"$source\" with $file: $out"
            problems=1
        fi
    done <"$case_dir/expected/sources"
    return $problems
}

# The config of $1 with log and status under $2/log, state under $2/state and every source of
# its group lines under $3 (the root of throw-away source directories); more sed arguments
# after that.
localize() {
    local file=$1 dir=$2 root=$3; shift 3
    sed -e "s|^\tlogfile = .*|\tlogfile = \"$dir/log/lsyncd.log\",|" \
        -e "s|^\tstatusFile = .*|\tstatusFile = \"$dir/log/lsyncd.status\",|" \
        -e "s|^local state_dir = .*|local state_dir = \"$dir/state\"|" "$@" "$file" |
        ROOT=$root perl -pe 'if (/^group\(/) { s{^(.*\}, \{)(.*)(\}\)\s*)$}{ my ($a, $l, $b) = ($1, $2, $3); $l =~ s/(^ |, )"/$1"$ENV{ROOT}/g; "$a$l$b" }e }'
}

# check_lsyncd CASE FILE: 0 when lsyncd loads FILE and runs the check of every source.
check_lsyncd() {
    local case_dir=$1 file=$2 dir root conf pid problems=0 group source
    dir=$(mktemp -d -p "$work")
    root=$dir/root
    conf=$dir/lsyncd.conf.lua
    mkdir -p "$dir/log"
    while IFS=$'\t' read -r group source; do
        mkdir -p "$root$source" || return 1
    done <"$case_dir/expected/sources"
    localize "$file" "$dir" "$root" -e 's|^local csync2 = .*|local csync2 = "/bin/true"|' >"$conf"
    [ -z "$mutation" ] || damage "$conf" || return 3
    "$lsyncd_bin" -nodaemon -log all "$conf" >"$dir/out" 2>&1 &
    pid=$!
    pids+=("$pid")
    # Each source's start-up check ran csync2 on exactly its source: the path came through Lua
    # unchanged. Waits until then or until lsyncd stops, bounded.
    all_checked() {
        while IFS=$'\t' read -r group source; do
            grep -qF "[-C] [$group] " "$dir/out" && grep -qF "[--] [$root$source]" "$dir/out" || return 1
        done <"$case_dir/expected/sources"
    }
    local end=$((SECONDS + 60))
    until all_checked || ! kill -0 "$pid" 2>/dev/null || [ "$SECONDS" -ge "$end" ]; do sleep 0.1; done
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "lsyncd did not start with $file:"; grep -v -e ' Function: ' -e ' Call: ' "$dir/out" | tail -5
        pids=()
        wait "$pid"
        return 1
    fi
    stop_all
    if ! all_checked; then
        echo "lsyncd did not run csync2 on every source with $file"; problems=1
    fi
    if grep -q ' Error: ' "$dir/out"; then
        echo "lsyncd logged errors with $file:"; grep ' Error: ' "$dir/out"; problems=1
    fi
    return $problems
}

# check_action CASE FILE: the smoke test of the action in the real lsyncd.
check_action() {
    local case_dir=$1 file=$2 dir src conf pid problems=0 expected port group
    dir=$(mktemp -d -p "$work")
    src=$dir/src
    conf=$dir/lsyncd.conf.lua
    mkdir -p "$src" "$dir/log"
    # The recorder: one line per csync2 run, its mode flags (-m, -c, -u, -r, -M) and either the
    # peer of a push (-P) or the paths after "--" joined by "|". The first check after $dir/fail
    # appears fails and removes it (one failure, whatever the timing); a push to the second peer
    # hangs while $dir/hang exists (a peer that stopped answering: the watchdog must end it;
    # decided before the run is recorded, so a push recorded earlier never hangs); -M lists one
    # entry waiting for the second peer.
    printf '%s\n' '#!/bin/sh' 'm= peer=' \
        "case \" \$* \" in *' -L '*) echo -L >>'$dir/runs'; exit 2 ;; esac" \
        'while [ $# -gt 0 ] && [ "$1" != "--" ]; do' \
        '    case $1 in -m|-c|-u|-r|-M) m="$m $1" ;; -P) peer=$2; shift ;; esac' \
        '    shift' \
        'done' \
        '[ $# -gt 0 ] && shift' \
        "hang=; [ \"\$peer\" = 127.0.0.2 ] && [ -e '$dir/hang' ] && hang=1" \
        "if [ -n \"\$peer\" ]; then echo \"\${m# } \$peer\" >>'$dir/runs'; else (IFS='|'; echo \"\${m# } \$*\") >>'$dir/runs'; fi" \
        'case "$m" in' \
        "    *-M*) printf 'chary\\tme\\t127.0.0.2\\t%s/x\\n' '$src' ;;" \
        "    *-u*) [ -n \"\$hang\" ] && while [ -e '$dir/hang' ]; do sleep 0.1; done ;;" \
        "    *) rm '$dir/fail' 2>/dev/null && exit 1; for a; do echo \"Marking file as dirty: \$a\" >&2; done ;;" \
        'esac' \
        'exit 0' >"$dir/csync2"
    chmod +x "$dir/csync2"
    # The first peer's listener: it answers all along (a probe of the watchdog finds it however
    # slow a push is), and its port, free on 127.0.0.1 and chosen by the kernel, is the group's.
    listen 127.0.0.1 0 "$dir/port" || { echo "no listener for the first peer"; return 1; }
    port=$(cat "$dir/port")
    localize "$file" "$dir" "" \
        -e "s|^\(group(.*}, {\) \"[^\"]*\" })$|\1 \"$src\" })|" \
        -e "s|^local csync2 = .*|local csync2 = \"$dir/csync2\"|" \
        -e "s|^local delay = .*|local delay = 1|" \
        -e "s|^local port = .*|local port = $port|" \
        -e "s|^local lock = .*|local lock = \"$dir/lock\"|" \
        -e "s|^local retry_first = .*|local retry_first = 1|" \
        -e 's|^\(group("[a-z0-9]*", \){.*}, {|\1{ { "peer1", "127.0.0.1" }, { "peer2", "127.0.0.2" } }, {|' >"$conf"
    [ "$(grep -c '^group(' "$conf")" = 1 ] || { echo "the action check needs a case with one group"; return 1; }
    group=$(sed -n 's/^group("\([a-z0-9]*\)".*/\1/p' "$conf")
    [ -z "$mutation" ] || damage "$conf" || return 3
    touch "$src/m" "$src/b"  # there before lsyncd starts: a rename, a rewrite in place
    "$lsyncd_bin" -nodaemon -log Normal "$conf" >"$dir/out" 2>&1 &
    pid=$!
    pids+=("$pid")
    # until_ SECONDS CMD...: waits for a condition, bounded; a miss is reported and fails the
    # check, and once the check has failed the waits after it give up at once (a damaged action
    # must fail fast, not wait out every bound). The bounds are generous: they only matter when
    # the condition never comes, and CTest may run this on a loaded machine.
    until_() {
        local limit=$1; shift
        [ "$problems" = 0 ] || { echo "skipped: $*"; return 1; }
        local end=$((SECONDS + limit))
        until "$@"; do
            kill -0 "$pid" 2>/dev/null || { echo "lsyncd stopped:"; tail -n 5 "$dir/out" "$dir/log/lsyncd.log" 2>/dev/null; problems=1; return 1; }
            [ "$SECONDS" -lt "$end" ] || { echo "not within $limit s: $*"; problems=1; return 1; }
            sleep 0.1
        done
    }
    # The conditions below are called through until_.
    # shellcheck disable=SC2317
    has() { grep -qxF -- "$1" "$dir/runs" 2>/dev/null; }
    # has_n N RUN: RUN was recorded at least N times.
    # shellcheck disable=SC2317
    has_n() { [ "$(grep -cxF -- "$2" "$dir/runs" 2>/dev/null)" -ge "$1" ]; }
    # shellcheck disable=SC2317
    logged() { grep -qF -- "$1" "$dir/log/lsyncd.log" 2>/dev/null; }
    # after A B: a run B was recorded after a run A.
    # shellcheck disable=SC2317
    after() { awk -v a="$1" -v b="$2" '$0 == a { s = 1 } s && $0 == b { f = 1 } END { exit !f }' "$dir/runs" 2>/dev/null; }
    # Start-up: the whole source is checked, in chunks of its top-level entries: those on disk
    # and those csync2 lists (-L: none here); each lane pushes what an earlier run left.
    until_ 30 has "-c -r $src/b|$src/m" && until_ 30 has "-u 127.0.0.1" && until_ 30 has "-u 127.0.0.2"
    # One batch: a new file, a rename, an existing file rewritten here, made while lsyncd is
    # stopped, so it reads all their events at once and they are one batch however slowly the
    # three commands run. The second peer has stopped answering: its push hangs, the watchdog's
    # probe finds no listener and the lane is parked; the first peer's lane pushes on its own
    # meanwhile.
    touch "$dir/hang"
    kill -STOP "$pid"
    touch "$src/a"; mv "$src/m" "$src/m2"; echo rewritten >"$src/b"
    kill -CONT "$pid"
    until_ 30 has "-c $src/a|$src/b" && until_ 30 after "-c $src/a|$src/b" "-u 127.0.0.1"
    # One line names the peer and the outage (a push that hangs long enough is logged with the
    # peer's name too).
    until_ 30 logged "peer peer2 (127.0.0.2) of group $group does not answer (no connection to port $port within 1 s)"
    # A failed check: its paths come back after the back-off, not in a busy loop, and are
    # checked again (the recorder fails only the first check after $dir/fail appears).
    touch "$dir/fail" "$src/c"
    until_ 30 logged "they are checked again in 1 s"
    until_ 30 has_n 2 "-c $src/c" && until_ 30 after "-c $src/c" "-u 127.0.0.1"
    # The second peer answers again: probed, its waiting entries counted, pushed.
    rm -f "$dir/hang"
    listen 127.0.0.2 "$port" "$dir/port2" || { echo "no listener for the second peer"; problems=1; }
    until_ 30 logged "answers again after" && until_ 30 logged "1 entries that waited for it are pushed now"
    until_ 30 after "-M " "-u 127.0.0.2"
    stop_all
    # The checks, in order: start-up (csync2's records, the source itself, its entries), mark of the rewrite, recursive check of both paths of the
    # rename, check of the new and the rewritten file; the failed check of "c", and its retry.
    expected="-L
-c $src
-c -r $src/b|$src/m
-m $src/b
-c -r $src/m|$src/m2
-c $src/a|$src/b
-c $src/c
-c $src/c"
    if [ "$(grep -v -e '^-u ' -e '^-M' "$dir/runs")" != "$expected" ]; then
        echo "csync2 checks differ from the expected ones with $file:"
        diff <(echo "$expected") <(grep -v -e '^-u ' -e '^-M' "$dir/runs")
        problems=1
    fi
    if [ "$(grep -c -F "peer peer2 (127.0.0.2) of group $group does not answer" "$dir/log/lsyncd.log")" != 1 ]; then
        echo "the outage of peer2 should be logged exactly once:"; grep 'does not answer' "$dir/log/lsyncd.log"
        problems=1
    fi
    if grep -q ' Error: ' "$dir/out" "$dir/log/lsyncd.log"; then
        echo "lsyncd logged errors with $file:"; grep ' Error: ' "$dir/out" "$dir/log/lsyncd.log"; problems=1
    fi
    if [ "$problems" != 0 ]; then
        echo "csync2 runs:"; sed 's/^/    /' "$dir/runs"
        echo "lsyncd log:"; sed 's/^/    /' "$dir/log/lsyncd.log"
    fi
    return $problems
}

# scratch_group CASE FILE: sets name, node, dir and source of the caller (its locals) for csync2
# group file FILE of CASE: a new directory under $work holding the group file (its key replaced
# by one there) and the key, for runs with CSYNC2_SYSTEM_DIR=$dir and -D "$dir".
scratch_group() {
    local case_dir=$1 file=$2
    name=${file##*/csync2_}
    node=$(node_of "$case_dir")
    dir=$(mktemp -d -p "$work")
    source=$(awk -F '\t' -v g="$name" '$1 == g { print $2; exit }' "$case_dir/expected/sources")
    [ -n "$source" ] || { echo "no source of group $name in $case_dir/expected/sources"; return 1; }
    sed "s|^\tkey .*;$|\tkey $dir/key;|" "$file" >"$dir/csync2_$name.cfg"
    printf '%s\n' 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ._ >"$dir/key"
}

# check_wait CASE FILE: 0 when the real csync2, preloaded with csync2-wait.so ($CSYNC2_WAIT),
# waits for its database while another process holds the write lock, instead of failing the
# statement and sleeping a second (csync2 -vv then says "Database is busy, sleeping a sec."),
# and marks the path once the lock is released. The same run without the library must first
# say exactly that: the proof that the lock was in the way. --break=nowait runs the second run
# without the library too, which must be rejected.
check_wait() {
    local case_dir=$1 file=$2 name node dir db source lib=${CSYNC2_WAIT:-}
    if [ -z "$lib" ] || [ ! -r "$lib" ]; then echo "CSYNC2_WAIT names no library: '$lib'"; return 1; fi
    [ "$mutation" = nowait ] && lib=
    scratch_group "$case_dir" "$file" || return 1
    # -M creates the database (exit 2: nothing dirty).
    CSYNC2_SYSTEM_DIR=$dir "$csync2_bin" -C "$name" -N "$node" -D "$dir" -M >/dev/null 2>&1
    db=$dir/${node}_$name.db3
    [ -f "$db" ] || { echo "csync2 made no database $db"; return 1; }
    # The holder: sqlite3 reading statements from a FIFO, so the lock is taken and released on
    # demand; ".print" says when a statement is done.
    mkfifo "$dir/sql" || return 1
    sqlite3 "$db" <"$dir/sql" >"$dir/holder" 2>&1 &
    pids+=("$!")
    exec 5>"$dir/sql"
    said() { local end=$((SECONDS + 30)); until grep -qE "$2" "$1" 2>/dev/null; do [ "$SECONDS" -lt "$end" ] || return 1; sleep 0.05; done; }
    # asleep PID: waits (bounded) until PID sleeps in nanosleep (its wchan, or x86_64's syscall
    # numbers 35 and 230 in /proc/PID/syscall): csync2 then waits, inside SQLite's busy handler
    # with the library, or in its own sleep(1) without it (after saying "Database is busy").
    asleep() {
        local end=$((SECONDS + 30)) nr='' wchan=''
        until { read -r wchan <"/proc/$1/wchan"; read -r nr _ <"/proc/$1/syscall"; } 2>/dev/null &&
            { [[ $wchan == *nanosleep* ]] || [ "$nr" = 230 ] || [ "$nr" = 35 ]; }; do
            [ "$SECONDS" -lt "$end" ] && kill -0 "$1" 2>/dev/null || return 1
            sleep 0.01
        done
    }
    # run N PRELOAD: with the write lock held, csync2 -vv -m marks a path (in the background);
    # the lock is released once csync2 has said "Database is busy" (no library) or has started
    # its first write and sleeps (with it: inside SQLite's wait); csync2 must then succeed.
    run() {
        local n=$1 preload=$2 pid rc
        printf 'BEGIN IMMEDIATE;\n.print held%s\n' "$n" >&5
        said "$dir/holder" "^held$n\$" || { echo "the holder did not take the lock"; return 1; }
        LD_PRELOAD=$preload CSYNC2_SYSTEM_DIR=$dir "$csync2_bin" -C "$name" -N "$node" -D "$dir" -vv -m -- "$source/file$n" >"$dir/out$n" 2>&1 &
        pid=$!
        if [ -z "$preload" ]; then
            said "$dir/out$n" "Database is busy" || { echo "run $n: csync2 never met the lock:"; cat "$dir/out$n"; kill "$pid"; return 1; }
        else
            said "$dir/out$n" "^SQL: (INSERT|DELETE|UPDATE) " || { echo "run $n: csync2 never wrote:"; cat "$dir/out$n"; kill "$pid"; return 1; }
            asleep "$pid" || { echo "run $n: csync2 never waited:"; cat "$dir/out$n"; kill "$pid"; return 1; }
        fi
        printf 'COMMIT;\n.print free%s\n' "$n" >&5
        wait "$pid"; rc=$?
        [ "$rc" = 0 ] || { echo "run $n: csync2 failed (exit $rc):"; cat "$dir/out$n"; return 1; }
    }
    run 1 "" || { exec 5>&-; return 1; }
    run 2 "$lib" || { exec 5>&-; return 1; }
    exec 5>&-
    if grep -q "Database is busy" "$dir/out2"; then
        echo "csync2 with ${lib:-no library} slept on the busy database instead of waiting for it:"
        grep "Database is busy" "$dir/out2"
        return 1
    fi
    [ "$(sqlite3 "$db" "SELECT count(*) FROM dirty WHERE filename = '$source/file2'")" -gt 0 ] ||
        { echo "csync2 did not mark $source/file2"; return 1; }
}

# check_count CASE FILE: 0 when the real csync2, preloaded with csync2-wait.so ($CSYNC2_WAIT),
# creates its database (the schema check it prepares instead fails on a new database as csync2's
# own does, so csync2 creates its tables) and then, with 100,000 files recorded, marks a path
# reading at most a tenth of the database pages the same run reads without the library: csync2's
# own schema check, `SELECT count(*) from file`, reads the whole index of the file table at every
# start. Page reads are SQLite's pread64() calls, counted with strace. The run without the library
# must read at least 200 pages: the proof that the count was in the way. Both runs must mark the
# path. --break=plain runs the second run without the library too, which must be rejected.
check_count() {
    local case_dir=$1 file=$2 name node dir db source lib=${CSYNC2_WAIT:-} n reads=()
    if [ -z "$lib" ] || [ ! -r "$lib" ]; then echo "CSYNC2_WAIT names no library: '$lib'"; return 1; fi
    command -v strace >/dev/null || { echo "strace is not installed (scripts/install-deps installs it)"; return 1; }
    scratch_group "$case_dir" "$file" || return 1
    db=$dir/${node}_$name.db3
    # A new database, made by csync2 under the library (-M: exit 2, nothing dirty).
    LD_PRELOAD=$lib CSYNC2_SYSTEM_DIR=$dir "$csync2_bin" -C "$name" -N "$node" -D "$dir" -M >"$dir/made" 2>&1
    [ "$(sqlite3 "$db" "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('file', 'dirty')" 2>&1)" = 2 ] ||
        { echo "csync2 with ${lib:-no library} made no file and dirty tables in $db:"; cat "$dir/made"; return 1; }
    sqlite3 "$db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
        INSERT INTO file SELECT '$source/d' || (i / 100) || '/f' || i, 'v1:mtime=1:mode=33188:uid=0:gid=0:type=reg:size=2' FROM n" ||
        { echo "could not record 100,000 files in $db"; return 1; }
    [ "$mutation" = plain ] && lib=
    for n in 1 2; do
        local preload=
        [ "$n" = 2 ] && preload=$lib
        strace -f -qq -e trace=pread64 -o "$dir/trace$n" -E "LD_PRELOAD=$preload" -E "CSYNC2_SYSTEM_DIR=$dir" \
            "$csync2_bin" -C "$name" -N "$node" -D "$dir" -m -- "$source/file$n" >"$dir/out$n" 2>&1 ||
            { echo "run $n: csync2 failed (exit $?):"; cat "$dir/out$n"; return 1; }
        [ "$(sqlite3 "$db" "SELECT count(*) FROM dirty WHERE filename = '$source/file$n'")" -gt 0 ] ||
            { echo "run $n: csync2 did not mark $source/file$n"; return 1; }
        reads+=("$(grep -c 'pread64(' "$dir/trace$n")")
    done
    echo "page reads of csync2 -m on 100,000 recorded files: ${reads[0]} without the library, ${reads[1]} with ${lib:-no library}"
    [ "${reads[0]}" -ge 200 ] || { echo "csync2 read only ${reads[0]} pages without the library: the count was not in the way"; return 1; }
    [ "$((reads[1] * 10))" -le "${reads[0]}" ] ||
        { echo "csync2 with ${lib:-no library} still reads the file table at start (${reads[1]} pages)"; return 1; }
}

for case_dir in "$@"; do
    case $tool in
        action) files=("$case_dir"/expected/lsyncd) ;;
        csync2) files=("$case_dir"/expected/csync2_*) ;;
        lsyncd) files=("$case_dir"/expected/lsyncd) ;;
        wait | count) files=("$case_dir"/expected/csync2_*) ;;
        *) echo "usage: $0 csync2|lsyncd|action|wait|count [--break=MUTATION] CASE_DIR..." >&2; exit 2 ;;
    esac
    for file in "${files[@]}"; do
        [ -e "$file" ] || continue
        "check_$tool" "$case_dir" "$file"
        case $? in
            0) accepted=$((accepted + 1)); checked=$((checked + 1)) ;;
            3) ;;  # the mutation did not apply to this file
            *) rejected=$((rejected + 1)); checked=$((checked + 1)) ;;
        esac
    done
done

echo "$tool: $checked file(s) checked, $accepted accepted, $rejected rejected${mutation:+ (damaged: $mutation)}"
[ "$checked" -gt 0 ] || exit 1
if [ -n "$mutation" ]; then [ "$accepted" = 0 ]; else [ "$rejected" = 0 ]; fi
