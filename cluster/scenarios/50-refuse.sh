#!/bin/bash
# Peers that must be refused: node3 holds a wrong key, node4 (198.18.0.40) is outside
# csync_only_from (198.18.0.0/29). All four are listed in the serverset, so only the key
# and the address decide. Nothing they send may be written on node1 or node2, while node1
# and node2 keep syncing with each other.
# shellcheck disable=SC2086 # lists of nodes and paths ($ALL, ...) are split into words on purpose
# shellcheck source=cluster/lib.sh
. "$(dirname "$0")/../lib.sh"

U=/var/uploads
GOOD="node1 node2"

_refusal_logged() {
  # The pushing side reports the failure, or the listener logs the refusal.
  cl_new_log_lines "$1" | grep -E -i -q "$2"
}

wrong_key() {
  cl_write node3 "$U/from-wrong-key.txt" <<<"must not arrive"
  cl_wait_until 60 _refusal_logged node3 'identification|exited with|ERROR'
  cl_expect_absent node1 "$U/from-wrong-key.txt"
  cl_expect_absent node2 "$U/from-wrong-key.txt"
  cl_expect_absent node4 "$U/from-wrong-key.txt"
  cl_new_log_lines node1 | grep -i -E 'identification' | head -n 3 >&2 || true
}

outside_only_from() {
  cl_write node4 "$U/from-outside.txt" <<<"must not arrive"
  cl_wait_until 60 _refusal_logged node4 'exited with|ERROR|Connection'
  cl_expect_absent node1 "$U/from-outside.txt"
  cl_expect_absent node2 "$U/from-outside.txt"
  cl_new_log_lines node1 | grep -i 'FAIL' | head -n 3 >&2 || true
}

members_still_sync() {
  cl_write node1 "$U/good.txt" <<<"between good members"
  cl_wait_until 60 cl_same_tree "$U" $GOOD
  cl_expect_content node2 "$U/good.txt" "between good members"
  # node1 may push to node4 (node4 accepts node1's address and has the right key) but
  # never to node3 (wrong key).
  cl_expect_absent node3 "$U/good.txt"
}

cl_init
# shellcheck disable=SC2034 # read by lib.sh
CL_ONLY_FROM=198.18.0.0/29
cl_set uploads "node1 node2 node3 node4" "$U"
for spec in node1:1 node2:2 node3:3 node4:40; do cl_node_add "${spec%%:*}" "${spec#*:}" || exit 1; done
cl_provision_all node1 node2 node3 node4 || exit 1
# node3 gets a key of its own instead of the serverset's.
cl_sh node3 'umask 077 && rm -f /etc/csync2_uploads.key && csync2 -k /etc/csync2_uploads.key' || exit 1
cl_start_all node1 node2 node3 node4 || exit 1

cl_case refuse-wrong-key wrong_key
cl_case refuse-outside-only-from outside_only_from
cl_case good-members-still-sync members_still_sync
