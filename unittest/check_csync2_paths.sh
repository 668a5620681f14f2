#!/bin/bash
# The real csync2 with csync2-wait.so (src/preload/csync2_paths.c), against what a local user who
# can write in a synced tree can do to it (run by CTest, see unittest/CMakeLists.txt; needs
# root, unshare and strace):
#
#   check_csync2_paths.sh fifo LIBRARY   a file that the user replaces by a FIFO while csync2
#                                        pushes it: the push ends (no crash, no wait for a
#                                        writer), and the next one brings the FIFO over.
#                                        csync2 lstat()s the file, asks the peer for its
#                                        signature, then reads it with fopen(); strace holds it
#                                        3 s after that lstat() (a delay injected into its
#                                        second lstat of the file), which makes the race certain
#   check_csync2_paths.sh link LIBRARY   on the receiver, the user replaces a directory by a
#                                        link (owned by the user) to a directory outside; the
#                                        sender then creates a file in that directory and
#                                        pushes it: nothing is written outside, the receiver's
#                                        listener refuses the path, and it stays dirty
#   --break=plain (before LIBRARY)       the same without the library, which must fail: the push
#                                        waits in open() on the FIFO 20 s later; the listener
#                                        writes the file into the directory outside
#
# Two csync2 identities, "sender" and "receiver", on one machine: everything runs in a new
# network namespace (only its loopback), mount namespace (its own /etc/hosts) and PID namespace
# (pkill and what is left at the end concern only this check), and the receiver's listener in a
# nested mount namespace where the tree's path holds the receiver's copy.
set -u
usage="usage: check_csync2_paths.sh fifo|link [--break=plain] LIBRARY"
check=${1:-}
case $check in fifo | link) shift ;; *) echo "$usage" >&2; exit 2 ;; esac
mode=check
case ${1:-} in --break=plain) mode=plain; shift ;; --break=*) echo "unknown mutation: $1" >&2; exit 2 ;; esac
lib=${1:?$usage}
csync2=${CSYNC2:-/usr/sbin/csync2}
port=30999

if [ -z "${CHECK_CSYNC2_PATHS_INSIDE:-}" ]; then
  [ "$(id -u)" = 0 ] || { echo "needs root (namespaces, bind mounts)"; exit 1; }
  for t in unshare strace ip ss mkfifo; do command -v "$t" >/dev/null || { echo "$t is missing"; exit 1; }; done
  [ -x "$csync2" ] || { echo "no csync2 at $csync2"; exit 1; }
  [ -r "$lib" ] || { echo "no library at '$lib'"; exit 1; }
  # A PID namespace too: when this script (its first process) ends, the kernel ends every
  # process left in it, such as a csync2 waiting on the FIFO.
  CHECK_CSYNC2_PATHS_INSIDE=$mode exec unshare -m -n -p -f --mount-proc --propagation private "$0" "$check" "$lib"
fi
mode=$CHECK_CSYNC2_PATHS_INSIDE

work=$(mktemp -d) || exit 1
pids=()
# A csync2 waiting on the FIFO gets a writer; strace, the listener and its sessions are ended.
cleanup() {
  local p
  exec 2>/dev/null  # bash's notices of the jobs killed here
  [ -p "$work/tree/f" ] && exec 3<> "$work/tree/f"
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  pkill -9 -x csync2
  wait 2>/dev/null
  umount /etc/hosts 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -s "$work/push.out" ] && sed 's/^/  push: /' "$work/push.out"; exit 1; }
# until_ SECONDS COMMAND...: polls COMMAND every 0.05 s until it succeeds, at most SECONDS.
until_() { local end=$((SECONDS + $1)); shift; until "$@"; do [ "$SECONDS" -lt "$end" ] || return 1; sleep 0.05; done; }

tree=$work/tree
mkdir -p "$tree" "$work/peer" "$work/db-sender" "$work/db-receiver" || exit 1
ip link set lo up || exit 1
printf '127.0.0.1 localhost sender receiver\n' > "$work/hosts" && mount --bind "$work/hosts" /etc/hosts || exit 1
printf '%s\n' 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ._ > "$work/key"
cat > "$work/csync2_t.cfg" <<EOF
nossl * *;
group t
{
	host sender@127.0.0.1;
	host receiver@127.0.0.1;
	key $work/key;
	include $tree;
	auto none;
}
EOF
export CSYNC2_SYSTEM_DIR=$work
sender() { "$csync2" -N sender -C t -D "$work/db-sender" -p "$port" "$@"; }

preload=$lib
[ "$mode" = plain ] && preload=
# The receiver's listener: preloaded for the link check (it is the one that writes).
listener_preload=
[ "$check" = link ] && listener_preload=$preload
unshare -m --propagation private sh -c 'mount --bind "$1" "$2" && LD_PRELOAD=$6 exec "$3" -N receiver -C t -D "$4" -ii -p "$5"' \
  sh "$work/peer" "$tree" "$csync2" "$work/db-receiver" "$port" "$listener_preload" > "$work/listener.out" 2>&1 &
pids+=($!)
listening() { ss -ltn | grep -q ":$port "; }
until_ 10 listening || { cat "$work/listener.out"; fail "the receiver's listener did not start"; }

check_fifo() {
  echo "written by the sender" > "$tree/f"
  sender -cr "$tree" || fail "csync2 -cr failed"
  # The push, held by strace for 3 s after its second lstat() of the file (the first is csync2's
  # look at the dirty entry, the second the one it decides on), when it has not read the file yet.
  strace -f -qq -o "$work/trace" -P "$tree/f" -e trace=newfstatat -e inject=newfstatat:delay_exit=3000000:when=2 \
    -E "LD_PRELOAD=$preload" -E "CSYNC2_SYSTEM_DIR=$work" \
    "$csync2" -N sender -C t -D "$work/db-sender" -p "$port" -u -v > "$work/push.out" 2>&1 &
  push=$!
  pids+=("$push")
  # shellcheck disable=SC2317 # called by until_
  held() { grep -q '(DELAYED)' "$work/trace" 2>/dev/null; }
  until_ 30 held || fail "strace never held csync2 after its lstat of $tree/f"
  { rm "$tree/f" && mkfifo "$tree/f"; } || fail "could not swap $tree/f for a FIFO"
  # shellcheck disable=SC2317 # called by until_
  ended() { ! kill -0 "$push" 2>/dev/null; }
  if ! until_ 20 ended; then
    nr=$(cut -d' ' -f1 "/proc/$(pgrep -P "$push" -x csync2 | head -n 1)/syscall" 2>/dev/null)
    if [ "$mode" = plain ]; then
      # x86_64's openat: csync2 waits in the open of the FIFO, not somewhere else.
      [ "$nr" = 257 ] || fail "--break=plain: csync2 -u runs 20 s after the swap, but in syscall ${nr:-?}, not openat"
      echo "ok: without the library, csync2 -u still waits in openat() on the FIFO 20 s after the swap"
      exit 0
    fi
    fail "csync2 -u with $lib still runs 20 s after $tree/f became a FIFO (it waits in syscall ${nr:-?})"
  fi
  [ "$mode" = plain ] && fail "--break=plain: csync2 -u ended without the library: the race did not hold it"
  # strace exits as csync2 did; a status above 128 is a signal (csync2 crashed).
  wait "$push"; status=$?
  [ "$status" -lt 128 ] || fail "csync2 -u was killed by signal $((status - 128)) after the swap"
  grep -q 'killed by SIG' "$work/trace" && fail "csync2 -u crashed after the swap: $(grep 'killed by SIG' "$work/trace")"
  # Sync goes on: the next check and push bring the FIFO over.
  sender -cr "$tree" || fail "csync2 -cr after the swap failed"
  LD_PRELOAD=$lib sender -u > "$work/push2.out" 2>&1 || { cat "$work/push2.out"; fail "csync2 -u after the swap failed"; }
  [ -p "$work/peer/f" ] || { cat "$work/push2.out"; fail "the receiver has no FIFO at f after the next push: $(ls -l "$work/peer")"; }
  echo "ok: csync2 -u with the library ended after the file became a FIFO (exit $status), without waiting on it; the next push brought the FIFO over"
}

# The receiver's directory d becomes a link, owned by a user, to a directory outside; the sender
# then pushes d/new (d is still a directory there).
check_link() {
  local outside=$work/outside
  { mkdir "$outside" "$tree/d" && echo "first" > "$tree/d/first"; } || fail "could not set up"
  { sender -cr "$tree" && sender -u; } || fail "the first push failed"
  [ -f "$work/peer/d/first" ] || fail "the first push did not reach the receiver"
  { rm -r "$work/peer/d" && ln -s "$outside" "$work/peer/d" && chown -h nobody "$work/peer/d"; } ||
    fail "could not replace the receiver's d by a link"
  echo "written by the sender" > "$tree/d/new"
  sender -cr "$tree" || fail "csync2 -cr failed"
  LD_PRELOAD=$preload sender -u -v > "$work/push.out" 2>&1
  if [ -e "$outside/new" ]; then
    [ "$mode" = plain ] && { echo "ok: without the library, the listener wrote $outside/new through the user's link"; exit 0; }
    fail "the listener wrote $outside/new through the user's link $work/peer/d"
  fi
  [ "$mode" = plain ] && fail "--break=plain: nothing was written through the link without the library"
  [ -z "$(ls -A "$outside")" ] || fail "something was written outside: $(ls -A "$outside")"
  [ -L "$work/peer/d" ] || fail "the receiver's link d is gone"
  sender -M 2>/dev/null | grep -q "$tree/d/new" || fail "$tree/d/new is not dirty on the sender after the refused push"
  echo "ok: the listener with the library wrote nothing through the user's link; $tree/d/new stays dirty"
}

"check_$check"
