#!/bin/bash
# With ssl => true (one key and certificate shared by all members): create, modify and
# delete converge, and the cluster comes to rest.
. "$(dirname "$0")/../lib.sh"

U=/var/uploads
ALL="node1 node2 node3"

ssl_sync() {
  cl_exec node1 grep -q -v 'nossl' /etc/csync2_uploads.cfg
  if cl_exec node1 grep -q 'nossl \* \*' /etc/csync2_uploads.cfg; then echo "ssl => true still renders nossl * *" >&2; return 1; fi
  cl_write node1 "$U/secret.txt" <<<"over TLS"
  cl_converge 30 uploads "$U" $ALL
  cl_sh node2 'echo "modified over TLS" > "$1"' "$U/secret.txt"
  cl_converge 30 uploads "$U" $ALL
  cl_expect_content node3 "$U/secret.txt" "modified over TLS"
  cl_exec node3 rm "$U/secret.txt"
  cl_converge 30 uploads "$U" $ALL
  cl_expect_absent node1 "$U/secret.txt"
}

cl_init
# shellcheck disable=SC2034 # read by lib.sh
CL_SSL=true
cl_set uploads "$ALL" "$U"
cl_up node1:1 node2:2 node3:3 || exit 1
cl_wait_until 60 cl_at_rest uploads $ALL || cl_log "cluster not at rest after start-up"

cl_case ssl-create-modify-delete ssl_sync
