#!/bin/bash
# Checks cluster/tree-hashes.pl, the hasher behind the cluster tests' tree comparison (cl_tree),
# run by CTest (see unittest/CMakeLists.txt). The cluster tests compare trees while csync2 is
# still writing them, and cluster/scenarios/80-hostile-symlinks.sh fails if anything opens the
# targets of links outside the tree: the hasher must never follow a link, also not one that
# replaces a file or a directory while it runs.
#
#   check_tree_hashes.sh HASHER   1. its hashes are sha256sum's for every regular file (a name
#                                    with a backslash too); it lists no link, nothing behind one
#                                 2. a file, then a directory, replaced by a link to the outside
#                                    right after the hasher's lstat of it (its TREE_HASHES_SWAP
#                                    seam) is not followed: nothing outside is opened (inotify),
#                                    and the entry is reported as changed, not hashed
#                                 3. while another process keeps replacing a file and a directory
#                                    by such links, 150 runs of the hasher open nothing outside
#   --break=nofollow | --break=chdir
#                                 checks a copy of HASHER without O_NOFOLLOW, or without its
#                                 check that a directory it entered is the one lstat saw, and
#                                 passes only if check 2 fails on it
#   --break=follow                runs check 3 with `find -type f | xargs sha256sum` (what cl_tree
#                                 ran before) and passes only if it opens a file outside
#
# Everything happens below a temporary directory, removed at the end.
set -u
mode=hasher
case ${1:-} in --break=*) mode=${1#--break=}; shift ;; esac
hasher=$(realpath -e "${1:?usage: check_tree_hashes.sh [--break=nofollow|chdir|follow] HASHER}") || exit 1
command -v inotifywait >/dev/null || { echo "inotifywait is missing (inotify-tools)" >&2; exit 1; }

work=$(mktemp -d) || exit 1
pids=()
cleanup() { local p; for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

case $mode in
  nofollow) sed 's/O_RDONLY | O_NOFOLLOW | O_NONBLOCK/O_RDONLY | O_NONBLOCK/' "$hasher" > "$work/hasher.pl" ;;
  chdir) sed 's/if (@here && $here\[0\] == $st\[0\] && $here\[1\] == $st\[1\])/if (@here)/' "$hasher" > "$work/hasher.pl" ;;
  hasher|follow) cp "$hasher" "$work/hasher.pl" ;;
  *) fail "unknown mutation: $mode" ;;
esac
cmp -s "$hasher" "$work/hasher.pl" && [ "$mode" != hasher ] && [ "$mode" != follow ] &&
  fail "--break=$mode changed nothing in $hasher"

tree=$work/tree out=$work/outside
mkdir -p "$tree" "$out/dir" || exit 1
echo secret > "$out/target" && echo secret > "$out/dir/f" || exit 1

hashes() { (cd "$tree" && if [ "$mode" = follow ]; then
  find . -mindepth 1 -type f -print0 2>/dev/null | xargs -0 -r sha256sum 2>/dev/null; else perl "$work/hasher.pl"; fi); }

# inotify on everything outside; watch_end (in a command substitution) stops it and prints
# what was opened, read or written meanwhile.
watch_start() {
  inotifywait -m -r -e open -e access -e modify --format '%w%f %e' "$out" > "$work/events" 2> "$work/watch.err" &
  watcher=$!
  pids+=("$watcher")
  for _ in $(seq 1 100); do grep -qs 'Watches established' "$work/watch.err" && return 0; sleep 0.1; done
  fail "inotifywait set up no watches: $(cat "$work/watch.err")"
}
watch_end() {
  # inotify reports in order: once a read of the mark file is reported, all before it are.
  echo mark > "$out/mark" && cat "$out/mark" > /dev/null
  for _ in $(seq 1 100); do grep -q "/mark ACCESS" "$work/events" && break; sleep 0.1; done
  grep -q "/mark ACCESS" "$work/events" || fail "inotifywait reported no read of the mark file"
  kill "$watcher"
  rm -f "$out/mark"
  grep -v "/mark " "$work/events"
}

if [ "$mode" = hasher ]; then
  mkdir -p "$tree/a/b" && echo one > "$tree/a/f" && printf 'back\\slash' > "$tree/a/b/we\\ird" &&
    head -c 300000 /dev/urandom > "$tree/big" && ln -s "$out/target" "$tree/a/link" &&
    ln -s "$out/dir" "$tree/dirlink" && ln -s ../.. "$tree/a/up" || exit 1
  got=$(hashes | LC_ALL=C sort) || fail "the hasher failed on a static tree"
  want=$(cd "$tree" && for f in a/f 'a/b/we\ird' big; do printf '%s\t%s\n' "$f" "$(sha256sum < "$f" | cut -c1-64)"; done | LC_ALL=C sort)
  [ "$got" = "$want" ] || fail "hashes of the static tree differ from sha256sum's:$(diff <(echo "$want") <(echo "$got"))"
  echo "ok 1: hashes match sha256sum's, no link listed or followed"
  rm -rf "${tree:?}"/*
fi

if [ "$mode" != follow ]; then
  # A file, then a directory, swapped for a link right after the hasher's lstat of it.
  failed=()
  for kind in file dir; do
    rm -rf "${tree:?}"/* && echo keep > "$tree/keep" || exit 1
    if [ $kind = file ]; then echo v > "$tree/victim" && ln -s "$out/target" "$tree/victim.link"
    else mkdir "$tree/victim" && echo x > "$tree/victim/f" && ln -s "$out/dir" "$tree/victim.link"; fi || exit 1
    watch_start
    got=$(cd "$tree" && TREE_HASHES_SWAP=victim perl "$work/hasher.pl") || fail "the hasher failed ($kind swap)"
    opened=$(watch_end)
    [ -L "$tree/victim" ] || fail "the seam did not swap $kind victim for a link"
    entry=$(grep -P '^victim(/f)?\t' <<<"$got")
    if [ -n "$opened" ]; then failed+=("$kind replaced by a link: opened outside: ${opened//$'\n'/; }")
    elif ! grep -qP '^victim\t(link|changed)$' <<<"$got"; then failed+=("$kind replaced by a link: reported as '$entry'")
    fi
  done
  if [ "$mode" = hasher ]; then
    [ ${#failed[@]} = 0 ] || fail "${failed[*]}"
    echo "ok 2: a file and a directory replaced by links after lstat: not followed, reported as changed"
  else
    [ ${#failed[@]} -gt 0 ] || fail "--break=$mode: check 2 did not fail"
    echo "ok: --break=$mode fails check 2: ${failed[*]}"
    exit 0
  fi
fi

# The race as csync2 makes it: a file and a directory keep being replaced by links and back.
rm -rf "${tree:?}"/* && mkdir "$tree/d" && echo x > "$tree/d/f" || exit 1
for i in $(seq 1 100); do echo "$i" > "$tree/f$i"; done
watch_start
(
  cd "$tree" || exit 1
  while :; do
    echo v > v.tmp && mv -T v.tmp victim && ln -s "$out/target" l.tmp && mv -T l.tmp victim
    rm -rf d && ln -s "$out/dir" d && rm d && mkdir d && echo x > d/f
  done
) &
swapper=$!
pids+=("$swapper")
for _ in $(seq 1 150); do hashes > /dev/null; done
kill "$swapper"
wait "$swapper" 2>/dev/null
opened=$(watch_end)
if [ "$mode" = follow ]; then
  [ -n "$opened" ] || fail "find | xargs sha256sum opened nothing outside in 150 runs: the race was not reproduced"
  echo "ok: find | xargs sha256sum opened files outside the tree: $(wc -l <<<"$opened") events, first: $(head -n 1 <<<"$opened")"
else
  [ -z "$opened" ] || fail "the hasher opened files outside the tree:$(echo; head -n 10 <<<"$opened")"
  echo "ok 3: 150 runs against a tree that keeps swapping files and directories for links: nothing outside opened"
fi
