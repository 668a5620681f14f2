#!/bin/bash
# Hostile input (issue 14): symbolic links, on three members of one serverset (/var/uploads).
# Links in the tree that point outside it (absolute, relative `../..`, to a directory full of
# files, to nothing) travel as links and are never followed. Files outside the tree (/etc and
# /var/lib are private to each node here) hold a canary on node1 and other content on node2, and
# node3 has none of them: after every change they are unchanged (cl_fingerprint: content, mode,
# times), inotify saw no one open, read or write them, and no canary text shows up in any
# member's tree. Each case ends identical and at rest.
# shellcheck disable=SC2086 # lists of nodes and paths ($ALL, ...) are split into words on purpose
# shellcheck source=cluster/lib.sh
. "$(dirname "$0")/../lib.sh"
cl_require inotifywait

U=/var/uploads
SYM=$U/sym
ALL="node1 node2 node3"

OUT_ABS=/etc/clustersync-canary           # target of an absolute link
OUT_REL=/var/lib/clustersync-canary       # target of a relative link (../../lib/...)
OUT_DIR=/etc/clustersync-outdir           # a directory with files, target of a link
OUT_DANGLING=/etc/clustersync-dangling    # exists nowhere, and must stay so
OUT_THROUGH=/etc/clustersync-through      # node1 writes through a link to it
OUT_TARGET=/etc/clustersync-target        # a file replaced by a link to it
OUT_SWAP=/etc/clustersync-swap            # a directory replaced by a link to it
OUTSIDE="$OUT_ABS $OUT_REL $OUT_DIR $OUT_DANGLING $OUT_THROUGH $OUT_TARGET $OUT_SWAP"

converge() { cl_converge 30 uploads "$U" $ALL; }

_outside_setup() {
  cl_sh node1 'echo "$1 abs" > /etc/clustersync-canary && echo "$1 rel" > /var/lib/clustersync-canary &&
    mkdir /etc/clustersync-outdir /etc/clustersync-swap &&
    echo "$1 dir f1" > /etc/clustersync-outdir/f1 && echo "$1 dir f2" > /etc/clustersync-outdir/f2 &&
    echo "$1 swap" > /etc/clustersync-swap/f' "$CANARY" &&
  cl_sh node2 'for f in /etc/clustersync-canary /var/lib/clustersync-canary /etc/clustersync-target; do
      echo "$1 $f" > "$f" || exit 1; done &&
    mkdir /etc/clustersync-outdir /etc/clustersync-swap &&
    echo "$1 dir f1" > /etc/clustersync-outdir/f1 && echo "$1 swap" > /etc/clustersync-swap/f' "$OWN"
}

# Fingerprints of everything outside the tree, per node, to compare with later.
_snap() { local n; for n in "$@"; do cl_fingerprint "$n" $OUTSIDE > "$CL_DIR/outside.$n" || return 1; done; }

_outside_unchanged() {
  local n rc=0
  for n in $ALL; do
    if ! cl_fingerprint "$n" $OUTSIDE | diff "$CL_DIR/outside.$n" - >&2; then
      cl_note "$n: files outside the synced tree changed (diff above)"; rc=1
    fi
  done
  return $rc
}

# inotify on every outside file and directory that exists on a node: any open, read, write or
# change of them while the watch runs is reported by _watch_stop.
_watch_start() {
  local n paths
  : > "$CL_DIR/watching"
  WATCH_PIDS=()
  for n in $ALL; do
    paths=$(cl_sh "$n" 'for p in "$@"; do [ -e "$p" ] && [ ! -L "$p" ] && echo "$p"; done; true' $OUTSIDE)
    [ -n "$paths" ] || continue
    # shellcheck disable=SC2086 # one path per word
    cl_exec "$n" sh -c 'echo $$ > /run/hostile-watch.pid; exec inotifywait -m -r --format "%w%f %e" \
      -e open -e access -e modify -e attrib -e create -e delete -e moved_from -e moved_to -e delete_self "$@"' \
      sh $paths > "$CL_DIR/watch.$n" 2> "$CL_DIR/watch.$n.err" &
    WATCH_PIDS+=($!)
    echo "$n" >> "$CL_DIR/watching"
    cl_wait_until 20 grep -qs 'Watches established' "$CL_DIR/watch.$n.err" ||
      { echo "$n: inotifywait set up no watches: $(cat "$CL_DIR/watch.$n.err")" >&2; return 1; }
  done
}

_watch_stop() {
  local n rc=0 watching
  mapfile -t watching < "$CL_DIR/watching"
  for n in "${watching[@]}"; do
    kill "$(cl_exec "$n" cat /run/hostile-watch.pid)" 2>/dev/null || true
  done
  [ ${#WATCH_PIDS[@]} = 0 ] || wait "${WATCH_PIDS[@]}" || true  # their status is the signal's
  for n in "${watching[@]}"; do
    if [ -s "$CL_DIR/watch.$n" ]; then
      cl_note "$n: files outside the synced tree were opened or changed:"; head -n 10 "$CL_DIR/watch.$n" >&2; rc=1
    fi
  done
  return $rc
}

# No outside content in any member's tree (grep -r does not follow the links it meets).
_no_outside_content() {
  local n hits rc=0
  for n in $ALL; do
    hits=$(cl_exec "$n" grep -rlF -e "$CANARY" -e "$OWN" "$U" || true)
    [ -z "$hits" ] || { cl_note "$n: outside content in the tree: $hits"; rc=1; }
  done
  return $rc
}

# No member's csync2 database holds anything below a link.
_nothing_below_links() {
  local n hits rc=0
  for n in $ALL; do
    hits=$(cl_exec "$n" csync2 -C uploads -L 2>/dev/null | grep -E "$SYM/(abs|rel|root|outdir|dangling)/|$U/swap/" || true)
    [ -z "$hits" ] || { cl_note "$n: csync2 recorded entries below a link: $hits"; rc=1; }
  done
  return $rc
}

# The end of a case: the watch on the outside files ended without an access, they are unchanged,
# none of their content is in a tree, and (unless "no-db" is given) no database holds an entry
# below a link.
_nothing_outside() {
  local rc=0
  _watch_stop || rc=1
  _outside_unchanged || rc=1
  _no_outside_content || rc=1
  [ "${1:-}" = no-db ] || _nothing_below_links || rc=1
  return $rc
}

# Every member holds PATH as a link with node1's target.
_same_link() {
  local path=$1 want n got rc=0
  want=$(cl_exec node1 readlink "$path") || { cl_note "node1: $path is no link"; return 1; }
  for n in node2 node3; do
    got=$(cl_exec "$n" readlink "$path" 2>/dev/null || true)
    cl_expect_eq "$n: target of $path (node1's)" "$want" "$got" || rc=1
  done
  return $rc
}

# Absolute and relative links out of the tree, one to / (../..), one to a directory outside
# with files in it, one to nothing: all arrive as the same links, nothing behind them moves.
links_outside() {
  local l rc=0
  _snap $ALL && _watch_start || return 1
  cl_sh node1 'mkdir "$1" && cd "$1" && ln -s /etc/clustersync-canary abs &&
    ln -s ../../lib/clustersync-canary rel && ln -s ../.. root &&
    ln -s /etc/clustersync-outdir outdir && ln -s /etc/clustersync-dangling dangling' "$SYM"
  converge || rc=1
  for l in abs rel root outdir dangling; do _same_link "$SYM/$l" || rc=1; done
  _nothing_outside || rc=1
  return $rc
}

# Through a dangling link: node1 writes through its own link (lands outside, on node1 only,
# nothing to sync); then both links become regular files, and no receiver writes through its
# link (creating /etc/clustersync-dangling or -through) instead of replacing it.
dangling_links() {
  local n rc=0
  _snap $ALL || return 1
  cl_exec node1 ln -s "$OUT_THROUGH" "$SYM/through"
  converge || rc=1
  _same_link "$SYM/through" || rc=1
  cl_sh node1 'echo "$2 through" > "$1"' "$SYM/through" "$CANARY"
  _snap node1 || return 1  # node1's write through its link is the one expected change
  cl_write node1 "$SYM/barrier-1" <<<"after the write through the link"
  converge || rc=1
  cl_sh node1 'rm "$1" && echo "now a file" > "$1"' "$SYM/dangling"
  cl_sh node1 'rm "$1" && echo "now a file too" > "$1"' "$SYM/through"
  converge || rc=1
  for n in node2 node3; do
    cl_exec "$n" test ! -L "$SYM/dangling" -a ! -L "$SYM/through" || { cl_note "$n: still links"; rc=1; }
    cl_expect_content "$n" "$SYM/dangling" "now a file" || rc=1
    cl_expect_content "$n" "$SYM/through" "now a file too" || rc=1
  done
  _outside_unchanged || rc=1
  _no_outside_content || rc=1
  return $rc
}

# A file replaced by a link (one rename, as a tool that writes the link beside it and moves it
# over does) to a path that is a private file on node2 and nothing on node1 and node3; then
# node2 turns the link back into a file. node2's file is neither written nor read.
file_to_link_and_back() {
  local rc=0
  cl_write node1 "$SYM/victim" <<<"victim v1"
  converge || return 1
  _snap $ALL && _watch_start || return 1
  cl_sh node1 'ln -s "$2" "$1.new" && mv -T "$1.new" "$1"' "$SYM/victim" "$OUT_TARGET"
  converge || rc=1
  _same_link "$SYM/victim" || rc=1
  cl_sh node2 'rm "$1" && echo "victim v2" > "$1"' "$SYM/victim"
  converge || rc=1
  cl_expect_content node1 "$SYM/victim" "victim v2" || rc=1
  cl_expect_content node3 "$SYM/victim" "victim v2" || rc=1
  _watch_stop || rc=1
  _outside_unchanged || rc=1
  return $rc
}

# Files added to the directory behind a link (directly and through the link, on node1) are
# not synced, neither by lsyncd nor by a full `csync2 -x` an administrator runs by hand, which
# must not descend into the link to / either.
dir_link_contents() {
  local rc=0
  _snap $ALL || return 1
  cl_sh node1 'echo "$2 f3" > /etc/clustersync-outdir/f3 && echo "$2 f4" > "$1/outdir/f4"' "$SYM" "$CANARY"
  _snap node1 && _watch_start || return 1
  cl_write node1 "$SYM/barrier-2" <<<"after the writes behind the link"
  converge || rc=1
  cl_exec node1 timeout 120 csync2 -C uploads -x || { cl_note "node1: csync2 -x failed"; rc=1; }
  converge || rc=1
  _nothing_outside || rc=1
  return $rc
}

# A directory replaced by a link to a directory outside (node2 has a file of the same name
# there, which must not be deleted), then the link by a directory again (which must not be
# written through the receivers' links).
dir_swap() {
  local n rc=0
  cl_sh node1 'mkdir "$1" && echo "in tree" > "$1/f"' "$U/swap"
  converge || return 1
  _snap $ALL && _watch_start || return 1
  cl_sh node1 'rm -rf "$1" && ln -s "$2" "$1"' "$U/swap" "$OUT_SWAP"
  converge || rc=1
  _same_link "$U/swap" || rc=1
  cl_sh node1 'rm "$1" && mkdir "$1" && echo "in tree again" > "$1/f"' "$U/swap"
  converge || rc=1
  for n in node2 node3; do
    cl_exec "$n" test -d "$U/swap" -a ! -L "$U/swap" || { cl_note "$n: $U/swap is not a directory"; rc=1; }
    cl_expect_content "$n" "$U/swap/f" "in tree again" || rc=1
  done
  _nothing_outside no-db || rc=1
  return $rc
}

cl_init
CANARY=canary-$CL_RUN
OWN=node2-own-$CL_RUN
cl_set uploads "$ALL" "$U"
cl_up node1:1 node2:2 node3:3 || exit 1
cl_wait_until 60 cl_at_rest uploads $ALL || cl_log "cluster not at rest after start-up"
_outside_setup || exit 1

cl_case symlink-outside links_outside
cl_case symlink-dangling dangling_links
cl_case symlink-file-to-link-and-back file_to_link_and_back
cl_case symlink-dir-contents dir_link_contents
cl_case symlink-dir-swap dir_swap
