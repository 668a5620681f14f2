#!/bin/bash
# Outages: a member that is off while changes happen, and a watcher that is stopped while
# changes happen. Both must catch up on their own once back.
# shellcheck disable=SC2086 # lists of nodes and paths ($ALL, ...) are split into words on purpose
# shellcheck source=cluster/lib.sh
. "$(dirname "$0")/../lib.sh"

U=/var/uploads
ALL="node1 node2 node3"

member_down() {
  cl_write node1 "$U/keep.txt" <<<"before"
  cl_write node1 "$U/gone.txt" <<<"to be deleted"
  cl_converge 30 uploads "$U" $ALL
  cl_node_down node3
  cl_write node1 "$U/new.txt" <<<"made while node3 was off"
  cl_write node2 "$U/keep.txt" <<<"changed while node3 was off"
  cl_exec node1 rm "$U/gone.txt"
  cl_sh node2 'mkdir -p "$1/dir" && echo x > "$1/dir/x"' "$U"
  # Pushes to node3 fail meanwhile (they stay dirty); the two others agree within 10 s: each
  # peer has its own push lane, so node3's lane, parked until node3 answers, holds up nobody
  # (issue 17; cluster/scenarios/35-lanes.sh times each change).
  CL_QUIET_DIFF=1 cl_wait_until 10 cl_same_tree "$U" node1 node2
  cl_node_up node3
  CL_EXPECTED_RE='198\.18\.0\.3|node3|exited with|Finished with|retrying' \
    cl_converge 180 uploads "$U" $ALL
  cl_expect_content node3 "$U/keep.txt" "changed while node3 was off"
  cl_expect_absent node3 "$U/gone.txt"
}

lsyncd_stopped() {
  cl_stop_lsyncd node2
  cl_write node2 "$U/offline.txt" <<<"written while lsyncd was stopped"
  cl_exec node2 rm -f "$U/new.txt"
  cl_sh node2 'echo more >> "$1/keep.txt"' "$U"
  cl_start_lsyncd node2
  cl_converge 60 uploads "$U" $ALL
  cl_expect_content node1 "$U/offline.txt" "written while lsyncd was stopped"
  cl_expect_absent node3 "$U/new.txt"
}

# The start-up check in chunks (src/lsyncd_action.lua, startup_runner): node2's config is
# given chunks of 2 recorded files, so the source is checked in several csync2 runs, one per
# group of its top-level entries. What changed while lsyncd was stopped must all go out: a new
# top-level directory and file, a recorded top-level directory deleted (only csync2's records
# still name it: a listing of the disk alone misses it), a file deleted and one rewritten deep
# in a directory, and a change made once lsyncd runs again.
startup_chunks() {
  local conf=/etc/lsyncd/lsyncd.conf.lua
  cl_sh node2 'for d in ca cb cc cold; do mkdir -p "$1/$d/deep" && for f in 1 2 3; do echo "$d $f" > "$1/$d/deep/$f"; done; done' "$U"
  cl_converge 60 uploads "$U" $ALL
  cl_stop_lsyncd node2
  cl_sh node2 'sed -i "s/^local startup_chunk = .*/local startup_chunk = 2/" "$1" && grep -q "^local startup_chunk = 2$" "$1"' "$conf"
  cl_sh node2 'mkdir "$1/cnew" && echo n > "$1/cnew/n" && echo top > "$1/ctop.txt" &&
    rm -r "$1/cold" && rm "$1/cb/deep/2" && echo "rewritten while stopped" > "$1/cc/deep/3"' "$U"
  cl_start_lsyncd node2
  cl_write node2 "$U/ca/after-start.txt" <<<"written once lsyncd runs"
  cl_converge 60 uploads "$U" $ALL
  cl_expect_content node1 "$U/cnew/n" "n"
  cl_expect_content node3 "$U/ctop.txt" "top"
  cl_expect_absent node1 "$U/cold"
  cl_expect_absent node3 "$U/cb/deep/2"
  cl_expect_content node1 "$U/cc/deep/3" "rewritten while stopped"
  cl_expect_content node3 "$U/ca/after-start.txt" "written once lsyncd runs"
  cl_stop_lsyncd node2
  cl_sh node2 'sed -i "s/^local startup_chunk = .*/local startup_chunk = 10000/" "$1"' "$conf"
  cl_start_lsyncd node2
}

cl_init
cl_set uploads "$ALL" "$U"
cl_up node1:1 node2:2 node3:3 || exit 1
cl_wait_until 60 cl_at_rest uploads $ALL || cl_log "cluster not at rest after start-up"

cl_case member-down-converges member_down
cl_case changes-while-lsyncd-stopped lsyncd_stopped
cl_case startup-check-in-chunks startup_chunks
