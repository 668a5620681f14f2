#!/bin/bash
# Everyday changes on the original README's shape: `uploads` (/var/uploads) on all three
# servers with an excluded pattern, `serverd` (/etc/serverd) on node1 and node2 only.
# lsyncd runs on every member; each case waits for identical trees and then for rest.
# shellcheck disable=SC2086 # lists of nodes and paths ($ALL, ...) are split into words on purpose
# shellcheck source=cluster/lib.sh
. "$(dirname "$0")/../lib.sh"
cl_require inotifywait sqlite3

U=/var/uploads
S=/etc/serverd
TMPD=/var/lib/csync2/clustersync-tmp  # the class's default csync_tempdir
ALL="node1 node2 node3"

up_converge() { cl_converge "${1:-30}" "uploads serverd" "$U" $ALL; }

create() {
  cl_write node1 "$U/hello.txt" <<<"hello from node1"
  cl_sh node2 'mkdir -p "$1/a/b/c" && echo deep > "$1/a/b/c/deep.txt" && : > "$1/a/empty"' "$U"
  up_converge
  cl_expect_content node3 "$U/hello.txt" "hello from node1"
  cl_expect_content node1 "$U/a/b/c/deep.txt" "deep"
}

modify() {
  cl_sh node2 'echo "second line" >> "$1/hello.txt" && chmod 0640 "$1/hello.txt"' "$U"
  up_converge
  cl_expect_content node3 "$U/hello.txt" "hello from node1
second line"
  cl_expect_eq "node1: mode of $U/hello.txt" 640 "$(cl_exec node1 stat -c %a "$U/hello.txt")"
}

# csync2 notices changes by mtime (whole seconds) and size. A rewrite with the same size in
# the same second as the last check looks unchanged to it; the watcher still reports it.
# Made deterministic here by restoring the mtime after the rewrite.
same_second_rewrite() {
  cl_write node1 "$U/rewrite.txt" <<<"AAAAAAAA"
  up_converge
  cl_sh node1 'm=$(stat -c %Y "$1") && echo BBBBBBBB > "$1" && touch -d "@$m" "$1"' "$U/rewrite.txt"
  local rc=0
  up_converge || rc=1
  cl_expect_content node2 "$U/rewrite.txt" "BBBBBBBB" || rc=1
  cl_expect_content node3 "$U/rewrite.txt" "BBBBBBBB" || rc=1
  # Leave no difference behind for later cases, whatever the outcome.
  [ $rc = 0 ] || { cl_exec node1 rm -f "$U/rewrite.txt"; cl_converge 60 uploads "$U" $ALL >/dev/null 2>&1; }
  return $rc
}

# Two writes in one burst, same size, same second: the last one must win everywhere.
quick_double_write() {
  cl_sh node3 'echo 11111111 > "$1" && echo 22222222 > "$1"' "$U/double.txt"
  up_converge
  cl_expect_content node1 "$U/double.txt" "22222222"
}

delete() {
  cl_exec node3 rm "$U/hello.txt"
  up_converge
  cl_expect_absent node1 "$U/hello.txt"
}

rename_file() {
  cl_write node1 "$U/before.txt" <<<"moving"
  up_converge
  cl_exec node1 mv "$U/before.txt" "$U/a/after.txt"
  up_converge
  cl_expect_absent node2 "$U/before.txt"
  cl_expect_content node3 "$U/a/after.txt" "moving"
}

rename_dir() {
  cl_sh node2 'mkdir -p "$1/olddir/sub" && for i in 1 2 3; do echo "$i" > "$1/olddir/f$i"; echo "s$i" > "$1/olddir/sub/g$i"; done' "$U"
  up_converge
  cl_exec node2 mv "$U/olddir" "$U/newdir"
  up_converge
  cl_expect_absent node1 "$U/olddir"
  cl_expect_content node3 "$U/newdir/sub/g2" "s2"
}

rm_rf_tree() {
  cl_sh node1 'for d in 1 2 3; do mkdir -p "$1/tree/d$d/e"; for f in 1 2 3 4; do echo "$d$f" > "$1/tree/d$d/e/f$f"; done; done' "$U"
  up_converge
  cl_exec node3 rm -rf "$U/tree"
  up_converge
  cl_expect_absent node1 "$U/tree"
  cl_expect_absent node2 "$U/tree"
}

symlink() {
  cl_exec node1 ln -s a/b/c/deep.txt "$U/link-to-deep"
  cl_exec node1 ln -s /nonexistent/target "$U/dangling"
  up_converge
  cl_expect_eq "node2: target of $U/link-to-deep" a/b/c/deep.txt "$(cl_exec node2 readlink "$U/link-to-deep")"
  cl_expect_eq "node3: target of $U/dangling" /nonexistent/target "$(cl_exec node3 readlink "$U/dangling")"
}

excluded_stays_local() {
  cl_write node1 "$U/scratch.tmp" <<<"local only"
  cl_write node1 "$U/a/nested.tmp" <<<"local only"
  cl_write node1 "$U/barrier.txt" <<<"written after the excluded files"
  cl_wait_until 30 cl_exec node2 test -f "$U/barrier.txt"
  cl_wait_until 30 cl_exec node3 test -f "$U/barrier.txt"
  cl_at_rest uploads $ALL
  cl_expect_absent node2 "$U/scratch.tmp"
  cl_expect_absent node3 "$U/a/nested.tmp"
  cl_expect_content node1 "$U/scratch.tmp" "local only"
  # Deleting them is local too; afterwards the trees are identical.
  cl_exec node1 rm "$U/scratch.tmp" "$U/a/nested.tmp"
  up_converge
}

two_member_set() {
  cl_write node1 "$S/serverd.conf" <<<"listen 8080"
  cl_sh node2 'mkdir -p "$1/conf.d" && echo "x=1" > "$1/conf.d/x.conf"' "$S"
  cl_converge 30 "uploads serverd" "$S" node1 node2
  cl_expect_content node2 "$S/serverd.conf" "listen 8080"
  [ -z "$(cl_exec node3 find "$S" -mindepth 1)" ] || { cl_note "node3 received serverd files"; return 1; }
  cl_expect_absent node3 /etc/csync2_serverd.cfg
}

# csync2 writes its scratch files (received data, signatures, deltas) to the module's tempdir,
# so neither the sending member's nor a receiving member's watcher sees a ".NAME.XXXXXX" file
# in the tree: inotifywait records every name created or moved in on both while a new file
# and an update (a delta against the old content) go out. The directory exists on both before
# the watchers start: a recursive watcher adds its watch on a new directory only after it has
# read the directory's creation, and misses what is written into it before that.
scratch_outside_tree() {
  local n pids=() rc=0 seen
  cl_exec node1 mkdir -p "$U/scratch"
  up_converge || return 1
  for n in node1 node2; do
    cl_expect_eq "$n: mode and owner of $TMPD" "700 root" "$(cl_exec "$n" stat -c '%a %U' "$TMPD")" || return 1
    cl_exec "$n" inotifywait -m -r -e create -e moved_to --format '%w%f' "$U" > "$CL_DIR/inotify.$n" 2> "$CL_DIR/inotify.$n.err" &
    pids+=($!)
  done
  # inotifywait says so on stderr once every watch of the tree is in place.
  for n in node1 node2; do
    cl_wait_until 20 grep -q 'Watches established' "$CL_DIR/inotify.$n.err" ||
      { echo "$n: inotifywait set up no watches: $(cat "$CL_DIR/inotify.$n.err")" >&2; rc=1; }
  done
  cl_sh node1 'for i in 1 2 3; do echo "small $i" > "$1/scratch/s$i"; done &&
    head -c 300000 /dev/urandom > "$1/scratch/big"' "$U"
  up_converge || rc=1
  cl_sh node1 'head -c 1000 /dev/urandom >> "$1/scratch/big"' "$U"
  up_converge || rc=1
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true  # their status is the signal's
  for n in node1 node2; do
    seen=$(grep -c "^$U/scratch/s1\$" "$CL_DIR/inotify.$n" || true)
    [ "$seen" -ge 1 ] || { cl_note "$n: the watcher saw nothing (no $U/scratch/s1)"; rc=1; }
    if grep -E '/\.[^/]+\.[A-Za-z0-9]{6}$' "$CL_DIR/inotify.$n" >&2; then
      cl_note "$n: csync2 scratch files appeared in $U (above)"; rc=1
    fi
  done
  return $rc
}

# A tempdir on another filesystem than the files: csync2 cannot rename into place (EXDEV), so it
# truncates and copies. Files must still arrive whole, and nothing may stay in the tempdir.
tempdir_other_filesystem() {
  local rc=0
  cl_exec node3 mount -t tmpfs -o mode=0700,size=16m clustersync-tmp "$TMPD" || return 1
  cl_sh node1 'mkdir -p "$1/xdev" && echo small > "$1/xdev/small" && head -c 500000 /dev/urandom > "$1/xdev/big"' "$U"
  up_converge || rc=1
  cl_sh node1 'head -c 1000 /dev/urandom >> "$1/xdev/big"' "$U"
  up_converge || rc=1
  [ -z "$(cl_exec node3 find "$TMPD" -mindepth 1)" ] || { cl_note "node3: files left in $TMPD"; rc=1; }
  cl_exec node3 umount "$TMPD" || rc=1
  return $rc
}

# A burst could overflow the writer's inotify queue (lsyncd logs "OVERFLOW in event queue",
# resets and checks the whole source again) when csync2's scratch files were in the tree; with
# the tempdir it should not, but a loaded machine can still get there, so this case waits up to
# 90 s for rest and only logs an overflow. It has to end identical and at rest.
burst() {
  local t0=$SECONDS n
  cl_sh node1 'for d in $(seq -w 0 19); do mkdir -p "$1/burst/d$d"; for f in $(seq -w 0 99); do echo "file $d/$f" > "$1/burst/d$d/f$f"; done; done' "$U"
  CL_REST_WAIT=90 up_converge 180 || return 1
  cl_expect_eq "node3: files under $U/burst" 2000 "$(cl_exec node3 find "$U/burst" -type f | wc -l)" || return 1
  for n in $ALL; do
    cl_new_log_lines "$n" | grep -q 'OVERFLOW in event queue' && cl_log "$n: lsyncd's event queue overflowed during the burst"
  done
  cl_log "2,000-file burst converged and at rest after $((SECONDS - t0)) s"
}

# Puppet's exec put every csync2 database in sqlite's write-ahead-log mode (csync_db_wal), and
# csync2 keeps it so through the cases above.
databases_wal() {
  local n out rc=0
  for n in $ALL; do
    out=$(cl_exec "$n" sh -c 'for db in /var/lib/csync2/*.db3; do echo "$db $(sqlite3 -readonly "$db" "PRAGMA journal_mode")"; done')
    echo "$out" | grep -q ' wal$' || { cl_note "$n: no csync2 database in WAL mode"; rc=1; }
    if echo "$out" | grep -v ' wal$' | grep . >&2; then cl_note "$n: the databases above are not in WAL mode"; rc=1; fi
  done
  return $rc
}

# The csync2 listener's sessions (xinetd runs /var/lib/clustersync/csync2-listener) have
# csync2-wait.so preloaded. A connection that says nothing keeps a session waiting in csync2 -i;
# its maps are read once it has libc mapped (ld.so maps preloaded libraries before a program's
# own). On node3 an empty directory is then mounted over the library's (in node3's mount
# namespace only): its sessions run without it and sync goes on, nothing of ld.so's on the
# connection (an unguarded LD_PRELOAD would print its complaint there, as the session's stderr).
LIB=/usr/lib/clustersync/csync2-wait.so
session_maps() {
  local node=$1 p
  for p in $(ip netns pids "$CL_RUN-$node"); do
    [ "$(cat "/proc/$p/comm" 2>/dev/null)" = csync2 ] || continue
    tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -q -- ' -i ' || continue
    grep -q 'libc\.so' "/proc/$p/maps" 2>/dev/null || continue
    cat "/proc/$p/maps"
    return 0
  done
  return 1
}
# Prints the maps of a listener session on $1 opened by a silent connection from node1.
silent_session_maps() {
  local node=$1 pid maps rc=0
  pid=$(_cl_spawn node1 /dev/null bash -c 'exec 3<>"/dev/tcp/$0/$1" && exec sleep 60' "$(cl_addr "$node")" "$CL_PORT")
  # shellcheck disable=SC2317 # called by cl_wait_until
  _has_session() { session_maps "$node" >/dev/null; }
  if cl_wait_until 20 _has_session; then maps=$(session_maps "$node"); else cl_note "$node: no listener session"; rc=1; fi
  kill "$pid" 2>/dev/null || true
  [ "$rc" = 0 ] && printf '%s\n' "$maps"
  return $rc
}
listener_preloads_library() {
  local maps rc=0
  [ -r "$LIB" ] || { cl_note "$LIB is not installed (cmake --install build --prefix /usr)"; return 1; }
  cl_exec node2 test -x /var/lib/clustersync/csync2-listener || { cl_note "node2: no session script"; return 1; }
  maps=$(silent_session_maps node2) || return 1
  grep -qF "$LIB" <<<"$maps" || { cl_note "node2: the listener session has no $LIB mapped"; rc=1; }
  grep -q 'libsqlite3\.so' <<<"$maps" || { cl_note "node2: no SQLite in the session (not csync2's maps?)"; rc=1; }
  return $rc
}
listener_without_library() {
  local empty=$CL_DIR/empty-lib maps rc=0
  mkdir -p "$empty"
  cl_exec node3 mount --bind "$empty" "${LIB%/*}" || return 1
  if cl_exec node3 test -e "$LIB"; then cl_note "node3 still sees $LIB"; rc=1; fi
  if maps=$(silent_session_maps node3); then
    if grep -qF "$LIB" <<<"$maps"; then cl_note "node3: $LIB mapped although hidden"; rc=1; fi
  else
    rc=1
  fi
  cl_write node1 "$U/no-lib-at-node3.txt" <<<"pushed to a listener without the library"
  cl_write node2 "$U/no-lib-at-node3-2.txt" <<<"from node2"
  up_converge || rc=1
  cl_expect_content node3 "$U/no-lib-at-node3.txt" "pushed to a listener without the library" || rc=1
  cl_exec node3 umount "${LIB%/*}" || rc=1
  return $rc
}

cl_init
cl_set uploads "node1 node2 node3" "$U" --exclude '*.tmp'
cl_set serverd "node1 node2" "$S"
cl_up node1:1 node2:2 node3:3 || exit 1
cl_wait_until 60 cl_at_rest "uploads serverd" $ALL || cl_log "cluster not at rest after start-up"

cl_case create create
cl_case modify modify
cl_case quick-double-write quick_double_write
cl_case delete delete
cl_case rename-file rename_file
cl_case rename-dir rename_dir
cl_case rm-rf-tree rm_rf_tree
cl_case symlink symlink
cl_case excluded-stays-local excluded_stays_local
cl_case two-member-set two_member_set
cl_case scratch-outside-tree scratch_outside_tree
cl_case tempdir-other-filesystem tempdir_other_filesystem
cl_case burst-2000 burst
cl_case same-second-rewrite same_second_rewrite
cl_case databases-in-wal-mode databases_wal
cl_case listener-preloads-csync2-wait listener_preloads_library
cl_case listener-without-csync2-wait listener_without_library
