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

cl_init
cl_set uploads "$ALL" "$U"
cl_up node1:1 node2:2 node3:3 || exit 1
cl_wait_until 60 cl_at_rest uploads $ALL || cl_log "cluster not at rest after start-up"

cl_case member-down-converges member_down
cl_case changes-while-lsyncd-stopped lsyncd_stopped
