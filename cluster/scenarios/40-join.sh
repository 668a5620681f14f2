#!/bin/bash
# A third member joins an existing two-member cluster: it must receive the files that were
# there before it, and take part in later changes.
# shellcheck source=cluster/lib.sh
. "$(dirname "$0")/../lib.sh"

U=/var/uploads

join() {
  cl_sh node1 'mkdir -p "$1/old/sub" && for i in $(seq 1 50); do echo "old $i" > "$1/old/sub/f$i"; done; echo top > "$1/top.txt"; ln -s top.txt "$1/top.link"' "$U"
  cl_converge 60 uploads "$U" node1 node2
  # The new server, then the serverset that lists it, applied on every member.
  cl_node_add node3 3
  cl_set uploads "node1 node2 node3" "$U"
  cl_provision_all node1 node2 node3 || { cl_note "re-provisioning with node3 failed"; return 1; }
  # Puppet restarts lsyncd when its config changes and reloads xinetd when its file does
  # (manage_services); this harness starts the daemons itself. The old members' lsyncd must
  # learn the new peer (each peer has a lane), and their listeners its address (only_from
  # lists the members' addresses).
  for n in node1 node2; do
    cl_stop_lsyncd "$n" && cl_start_lsyncd "$n" || return 1
    cl_exec "$n" grep -q "$(cl_addr node3)" /etc/xinetd.d/csync2 || { cl_note "$n: only_from lacks node3"; return 1; }
    cl_stop_xinetd "$n" && cl_start_xinetd "$n" || return 1
  done
  # The newcomer's daemons last: its first pushes then find listeners that accept it.
  cl_start_all node3 || { cl_note "node3's daemons did not start"; return 1; }
  # csync2 is push-only: the README's procedure on one in-sync member marks every file
  # dirty for the newcomer (-TUXI) and pushes it (-u).
  cl_exec node1 csync2 -C uploads -TUXI || true
  cl_exec node1 csync2 -C uploads -u || { cl_note "csync2 -u on node1 failed"; return 1; }
  cl_converge 120 uploads "$U" node1 node2 node3
  cl_expect_content node3 "$U/old/sub/f50" "old 50"
  # And the newcomer takes part in later changes in both directions.
  cl_write node3 "$U/from-node3.txt" <<<"new member writes"
  cl_write node2 "$U/from-node2.txt" <<<"old member writes"
  cl_converge 60 uploads "$U" node1 node2 node3
}

cl_init
cl_set uploads "node1 node2" "$U"
cl_up node1:1 node2:2 || exit 1
cl_wait_until 60 cl_at_rest uploads node1 node2 || cl_log "cluster not at rest after start-up"

cl_case third-member-joins join
