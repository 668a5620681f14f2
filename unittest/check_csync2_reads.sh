#!/bin/bash
# The real csync2, pushing a file that a local user replaces by a FIFO while csync2 looks at it,
# with csync2-wait.so preloaded: the push ends (no crash), and the next one brings the FIFO over (run by
# CTest, see unittest/CMakeLists.txt; needs root, unshare and strace).
#
#   check_csync2_reads.sh LIBRARY                 the check
#   check_csync2_reads.sh --break=plain LIBRARY   the same without the library: csync2 waits in
#                                                 open() on the FIFO (for a writer that never
#                                                 comes); passes only if the check sees that
#
# csync2 2.0 lstat()s a file it pushes, asks the peer for its signature, and then reads the file
# with fopen(path, "rb"), which follows a link and waits on a FIFO for a writer. A user who can
# write in the synced tree and swaps a file for a FIFO in between held the push for good, and
# with it the peer's listener session and the peer's lock (src/preload/csync2_wait.c). strace
# holds csync2 right after that lstat() (a 3 s delay injected into its second lstat of the
# file), which makes the race certain: the check swaps the file for a FIFO then.
#
# Two csync2 identities, "sender" and "receiver", on one machine: everything runs in a new
# network namespace (only its loopback) and mount namespace (its own /etc/hosts), and the
# receiver's listener in a nested mount namespace where the tree's path holds the receiver's copy;
# and in a new PID namespace, so pkill and what is left at the end concern only this check.
set -u
mode=check
case ${1:-} in --break=plain) mode=plain; shift ;; --break=*) echo "unknown mutation: $1" >&2; exit 2 ;; esac
lib=${1:?usage: check_csync2_reads.sh [--break=plain] LIBRARY}
csync2=${CSYNC2:-/usr/sbin/csync2}
port=30999

if [ -z "${CHECK_CSYNC2_READS_INSIDE:-}" ]; then
  [ "$(id -u)" = 0 ] || { echo "needs root (namespaces, bind mounts)"; exit 1; }
  for t in unshare strace ip ss mkfifo; do command -v "$t" >/dev/null || { echo "$t is missing"; exit 1; }; done
  [ -x "$csync2" ] || { echo "no csync2 at $csync2"; exit 1; }
  [ -r "$lib" ] || { echo "no library at '$lib'"; exit 1; }
  # A PID namespace too: when this script (its first process) ends, the kernel ends every
  # process left in it, such as a csync2 waiting on the FIFO.
  CHECK_CSYNC2_READS_INSIDE=$mode exec unshare -m -n -p -f --mount-proc --propagation private "$0" "$lib"
fi
mode=$CHECK_CSYNC2_READS_INSIDE

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

# The receiver's listener (not preloaded: the check is about the sender's reads).
unshare -m --propagation private sh -c 'mount --bind "$1" "$2" && exec "$3" -N receiver -C t -D "$4" -ii -p "$5"' \
  sh "$work/peer" "$tree" "$csync2" "$work/db-receiver" "$port" > "$work/listener.out" 2>&1 &
pids+=($!)
listening() { ss -ltn | grep -q ":$port "; }
until_ 10 listening || { cat "$work/listener.out"; fail "the receiver's listener did not start"; }

echo "written by the sender" > "$tree/f"
sender -cr "$tree" || fail "csync2 -cr failed"
preload=$lib
[ "$mode" = plain ] && preload=
# The push, held by strace for 3 s after its second lstat() of the file (the first is csync2's
# look at the dirty entry, the second the one it decides on), when it has not read the file yet.
strace -f -qq -o "$work/trace" -P "$tree/f" -e trace=newfstatat -e inject=newfstatat:delay_exit=3000000:when=2 \
  -E "LD_PRELOAD=$preload" -E "CSYNC2_SYSTEM_DIR=$work" \
  "$csync2" -N sender -C t -D "$work/db-sender" -p "$port" -u -v > "$work/push.out" 2>&1 &
push=$!
pids+=("$push")
held() { grep -q '(DELAYED)' "$work/trace" 2>/dev/null; }
until_ 30 held || fail "strace never held csync2 after its lstat of $tree/f"
{ rm "$tree/f" && mkfifo "$tree/f"; } || fail "could not swap $tree/f for a FIFO"
ended() { ! kill -0 "$push" 2>/dev/null; }
if ! until_ 20 ended; then
  nr=$(cut -d' ' -f1 "/proc/$(pgrep -P "$push" -x csync2 | head -n 1)/syscall" 2>/dev/null)
  if [ "$mode" = plain ]; then
    echo "ok: without the library, csync2 -u still waits 20 s after the swap (in syscall ${nr:-?}, 257 being openat)"
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
