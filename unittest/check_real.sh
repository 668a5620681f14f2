#!/bin/bash
# Feeds the golden files to the real tools (run by CTest; see unittest/CMakeLists.txt).
#
#   check_real.sh csync2 CASE_DIR...   every expected/csync2_* file is parsed by the real csync2, which
#                                      must find the node in the group and cover each of its sources
#   check_real.sh lsyncd CASE_DIR...   every expected/lsyncd file is loaded by the real lsyncd against
#                                      throw-away directories and must start every sync
#   check_real.sh action CASE_DIR      runs the lsyncd config of CASE_DIR (one source) in the real lsyncd
#                                      with a recorder as csync2, makes changes, and checks the paths of
#                                      every csync2 run, and that a failed run is retried
#   --break=MUTATION                   first damages each file (csync2: syntax, quotes; lsyncd: key,
#                                      escape; action: scratch, retry) and then passes only if the
#                                      check rejects every damaged
#                                      file: the proof that the checks above can fail
#
# csync2 never touches /var/lib/csync2 here (-D), and lsyncd watches only directories under a
# temporary root and spawns /bin/true instead of csync2.
set -u

tool=$1; shift
mutation=
case ${1:-} in --break=*) mutation=${1#--break=}; shift ;; esac

csync2_bin=${CSYNC2:-/usr/sbin/csync2}
lsyncd_bin=${LSYNCD:-/usr/bin/lsyncd}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
checked=0 accepted=0 rejected=0

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
        scratch) sed -i 's/ and scratch(kinds, created, path) then/ and false then/' "$1" ;;  # keep csync2's scratch paths
        transient) sed -i 's/^\t\t\t\tif etype == "Create" and present\[path\] == false and kinds\[path\]$/\t\t\t\tif false and kinds[path]/' "$1" ;;  # check paths that came and went
        bounce) sed -i 's/^\t\t\t\t\tkind.m = nil$//' "$1" ;;  # mark what the listener wrote
        retry) sed -i 's/^\t\t\tfor path, kind in pairs(state.running) do add_pending(path, kind) end$//' "$1" ;;
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
        out=$(CSYNC2_SYSTEM_DIR=$dir "$csync2_bin" -C "$name" -N "$node" -D "$dir" -h -- "$source" 2>&1)
        if [ $? != 0 ] || [ -n "$out" ]; then
            echo "csync2 does not cover source \"$source\" with $file: $out"
            problems=1
        fi
    done <"$case_dir/expected/sources"
    return $problems
}

# check_lsyncd CASE FILE: 0 when lsyncd loads FILE and runs the init of every sync.
check_lsyncd() {
    local case_dir=$1 file=$2 dir root conf pid started=0 want n source problems=0
    dir=$(mktemp -d -p "$work")
    root=$dir/root
    conf=$dir/lsyncd.conf.lua
    mkdir -p "$dir/log"
    want=0
    while IFS=$'\t' read -r group source; do
        mkdir -p "$root$source" || return 1
        want=$((want + 1))
    done <"$case_dir/expected/sources"
    sed -e "s|^\tlogfile = .*|\tlogfile = \"$dir/log/lsyncd.log\",|" \
        -e "s|^\tstatusFile = .*|\tstatusFile = \"$dir/log/lsyncd.status\",|" \
        -e 's|^local csync2 = .*|local csync2 = "/bin/true"|' \
        -e "s|^\(sync(csync2_sync(\"[a-z0-9]*\", \"\)|\1$root|" "$file" >"$conf"
    [ -z "$mutation" ] || damage "$conf" || return 3
    "$lsyncd_bin" -nodaemon -log all "$conf" >"$dir/out" 2>&1 &
    pid=$!
    for _ in $(seq 50); do
        n=$(grep -c 'Finish of Init on' "$dir/out")
        [ "$n" -ge "$want" ] && { started=1; break; }
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "lsyncd did not start with $file:"; grep -v -e ' Function: ' -e ' Call: ' "$dir/out" | tail -5
        wait "$pid"
        return 1
    fi
    kill "$pid"; wait "$pid" 2>/dev/null
    if [ "$started" != 1 ]; then
        echo "lsyncd ran the init of only $n of $want syncs with $file"; return 1
    fi
    if grep -q ' Error: ' "$dir/out"; then
        echo "lsyncd logged errors with $file:"; grep ' Error: ' "$dir/out"; return 1
    fi
    # Each init ran csync2 on exactly its source: the path came through Lua unchanged.
    while IFS=$'\t' read -r group source; do
        if ! grep -qF "[-C] [$group] " "$dir/out" || ! grep -qF "[--] [$root$source]" "$dir/out"; then
            echo "lsyncd did not run csync2 -C $group on \"$source\" with $file"; problems=1
        fi
    done <"$case_dir/expected/sources"
    return $problems
}

# check_action CASE FILE: the paths the action hands csync2 for a known sequence of changes.
check_action() {
    local case_dir=$1 file=$2 dir src conf pid problems=0 expected
    dir=$(mktemp -d -p "$work")
    src=$dir/src
    conf=$dir/lsyncd.conf.lua
    mkdir -p "$src" "$dir/log"
    # The recorder logs one line per csync2 run: its mode flags (-m, -c, -u, -r), then its
    # arguments after "--" joined by "|"; it fails while $dir/fail exists.
    printf '%s\n' '#!/bin/sh' 'm=' \
        'while [ "$1" != "--" ]; do case $1 in -m|-c|-u|-x|-r) m="$m $1" ;; esac; shift; done; shift' \
        "(IFS='|'; echo \"\${m# } \$*\") >>'$dir/runs'" "[ ! -e '$dir/fail' ]" >"$dir/csync2"
    chmod +x "$dir/csync2"
    sed -e "s|^\tlogfile = .*|\tlogfile = \"$dir/log/lsyncd.log\",|" \
        -e "s|^\tstatusFile = .*|\tstatusFile = \"$dir/log/lsyncd.status\",|" \
        -e "s|^local csync2 = .*|local csync2 = \"$dir/csync2\"|" \
        -e "s|^local delay = .*|local delay = 1|" \
        -e "s|^local lock = .*|local lock = \"$dir/lock\"|" \
        -e "s|^local retry_first = .*|local retry_first = 2|" \
        -e "s|^\(sync(csync2_sync(\"[a-z0-9]*\", \"\).*\"))$|\1$src\"))|" "$file" >"$conf"
    [ "$(grep -c '^sync(' "$conf")" = 1 ] || { echo "the action check needs a case with one source"; return 1; }
    [ -z "$mutation" ] || damage "$conf" || return 3
    touch "$src/m"  # there before lsyncd starts: its rename is a Move
    "$lsyncd_bin" -nodaemon -log all "$conf" >"$dir/out" 2>&1 &
    pid=$!
    sleep 1
    # What csync2 2.0's listener does when it receives FILE (seen with inotifywait): it creates
    # ".FILE.XXXXXX", renames it onto FILE, then writes the content into FILE in place.
    receive() { : >"$src/.$1.$2"; mv "$src/.$1.$2" "$src/$1"; echo "$3" >"$src/$1"; }
    # The same with csync2's tempdir on the source's filesystem: the scratch file is renamed in
    # from outside the watched tree (lsyncd sees a Create), then written in place.
    mkdir "$dir/tmp"
    receive_via_tempdir() { : >"$dir/tmp/.$1.$2"; mv "$dir/tmp/.$1.$2" "$src/$1"; echo "$3" >"$src/$1"; }
    # One batch: a file created and renamed, a directory with a file in it, a rename of a file
    # that was there before, "b" received, and a file created and removed again.
    touch "$src/a"; mkdir "$src/d"; touch "$src/d/e"; mv "$src/a" "$src/a2"; mv "$src/m" "$src/d/m2"
    receive b Xy12Z9 received; touch "$src/d/e"; touch "$src/swap"; rm "$src/swap"
    exec 7>"$src/.d.Wx56Vu"; rm "$src/.d.Wx56Vu"; echo data >&7; exec 7>&-  # as csync2's tmpfile()
    : >"$src/.b.Zz99Yy"  # a scratch file of csync2 still there when the batch is taken
    sleep 2.5
    # A failed batch: a new file and a rewrite in place (marked dirty first, so csync2 sends it
    # even when size and mtime stay); both come back after the back-off (2 s here), not in a
    # busy loop, the rewrite still marked.
    touch "$dir/fail" "$src/c"
    echo rewritten >"$src/b"
    sleep 2
    rm "$dir/fail"
    sleep 3.5
    # The existing "b" received again, and a new "t" through the tempdir: checked, not marked,
    # or every member would send each received file back to all the others.
    receive b Qw34Er again
    receive_via_tempdir t Tm56Pq "through the tempdir"
    sleep 2.5
    kill "$pid"; wait "$pid" 2>/dev/null
    # Moves and deletions are checked recursively (a directory's records go with it); created
    # paths each alone, so a directory being filled is not walked; one recursive update. Only
    # an existing file written here (lsyncd's Modify without a Create in the batch) is marked.
    # Paths that came and went within the batch ("a" renamed away, "swap") are left out.
    expected="-c -r $src
-u -r $src
-c -r $src/m
-c $src/a2|$src/b|$src/d|$src/d/e|$src/d/m2
-u -r $src/a2|$src/b|$src/d|$src/m
-m $src/b
-c $src/b|$src/c
-u -r $src/b|$src/c
-m $src/b
-c $src/b|$src/c
-u -r $src/b|$src/c
-c $src/b|$src/t
-u -r $src/b|$src/t"
    if [ "$(cat "$dir/runs")" != "$expected" ]; then
        echo "csync2 runs differ from the expected ones with $file:"
        diff <(echo "$expected") "$dir/runs"
        problems=1
    fi
    return $problems
}

for case_dir in "$@"; do
    case $tool in
        action) files=("$case_dir"/expected/lsyncd) ;;
        csync2) files=("$case_dir"/expected/csync2_*) ;;
        lsyncd) files=("$case_dir"/expected/lsyncd) ;;
        *) echo "usage: $0 csync2|lsyncd|action [--break=MUTATION] CASE_DIR..." >&2; exit 2 ;;
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
