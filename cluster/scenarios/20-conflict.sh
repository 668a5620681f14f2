#!/bin/bash
# Conflicts: node1 and node2 change the same file differently while their lsyncd is stopped,
# then both start again and push. Two serversets on all three servers: `plain` (no auto)
# and `auto` (auto => younger).
# shellcheck disable=SC2086 # lists of nodes and paths ($ALL, ...) are split into words on purpose
# shellcheck source=cluster/lib.sh
. "$(dirname "$0")/../lib.sh"

P=/var/plain
A=/var/auto
ALL="node1 node2 node3"

# Writes TEXT1 on node1 and TEXT2 on node2 into FILE (node2's is 100 s younger), then lets
# both watchers run again.
make_conflict() {
  local file=$1 text1=$2 text2=$3 now
  cl_stop_lsyncd node1
  cl_stop_lsyncd node2
  now=$(date +%s)
  cl_sh node1 'echo "$2" > "$1" && touch -d "@$3" "$1"' "$file" "$text1" $((now - 100))
  cl_sh node2 'echo "$2" > "$1" && touch -d "@$3" "$1"' "$file" "$text2" "$now"
  cl_start_lsyncd node1
  cl_start_lsyncd node2
}

# auto => younger: the younger version (node2's) wins on every member, and the cluster
# comes to rest. The losing side's push reports the lost conflict and fails once
# ("Do not auto-resolve conflict: Lost 'younger/older' test.", exit 1, retried): expected.
auto_younger() {
  make_conflict "$A/shared.txt" "version of node1" "version of node2"
  CL_EXPECTED_RE='auto-resolve|Auto-resolving|conflict|Finished with 1 errors|exited with 1 for 1 path' \
    cl_converge 60 auto "$A" $ALL
  cl_expect_content node1 "$A/shared.txt" "version of node2"
  cl_expect_content node3 "$A/shared.txt" "version of node2"
}

# No auto: neither conflicting version is overwritten, the conflict is reported (a log line
# naming the file, or csync2's "dirty state" / "marked dirty" / conflict wording, and the file
# listed by csync2 -M), and `csync2 -f` on the winner followed by a check resolves it.
no_auto() {
  local rc=0 f=$P/shared.txt
  make_conflict "$f" "version of node1" "version of node2"
  # Both pushes have failed once the file is dirty on both sides and each lsyncd logged a run.
  cl_wait_until 60 _both_dirty "$f" || { cl_note "the conflicting file never became dirty on both sides"; rc=1; }
  cl_wait_until 30 _conflict_reported "$f" || {
    cl_note "conflict not reported: no log line names $f or says conflict/dirty; lines logged:"
    for n in node1 node2; do cl_new_log_lines "$n" | grep -v 'Reading included' | tail -n 4 >&2; done
    rc=1
  }
  cl_expect_content node1 "$f" "version of node1" || rc=1
  cl_expect_content node2 "$f" "version of node2" || rc=1
  # Resolution as documented by csync2: force the local version, then push it; an operator
  # repeats it while it fails. Once (a fresh-clone run on 2026-12-03) the first -x after -f
  # was refused by both peers and nothing converged in 120 s; probably a push of node1's own
  # lanes that was under way when -f ran, not yet understood.
  cl_wait_until 60 _force_and_push node1 "$f" || cl_note "node1: csync2 -f then -x kept failing for 60 s"
  cl_mark_logs
  CL_EXPECTED_RE='Finished with 1 errors|exited with 1 for 1 path' cl_converge 120 plain "$P" $ALL || rc=1
  cl_expect_content node2 "$f" "version of node1" || rc=1
  return $rc
}

# csync2 -f, then a push of the file; fails when either fails (retried by the caller).
_force_and_push() {
  cl_exec "$1" csync2 -C plain -f "$2" && cl_exec "$1" csync2 -C plain -x "$2" >/dev/null 2>&1
}

_both_dirty() { cl_dirty node1 plain | grep -q -F "$1" && cl_dirty node2 plain | grep -q -F "$1"; }

_conflict_reported() {
  local n
  for n in node1 node2; do
    cl_new_log_lines "$n" | grep -E -i -q -e 'dirty state|marked dirty|conflict' -e "$1" && return 0
  done
  return 1
}

cl_init
cl_set plain "$ALL" "$P"
cl_set auto "$ALL" "$A" --auto younger
cl_up node1:1 node2:2 node3:3 || exit 1
cl_wait_until 60 cl_at_rest plain $ALL || cl_log "cluster not at rest after start-up"

cl_case conflict-auto-younger auto_younger
cl_case conflict-no-auto no_auto
