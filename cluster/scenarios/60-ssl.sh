#!/bin/bash
# With ssl => true (one key and certificate shared by all members): every member has them and
# no nossl line, and create, modify and delete converge, and the cluster comes to rest.
# shellcheck disable=SC2086 # lists of nodes and paths ($ALL, ...) are split into words on purpose
# shellcheck source=cluster/lib.sh
. "$(dirname "$0")/../lib.sh"
cl_require openssl

U=/var/uploads
ALL="node1 node2 node3"

# Every member's group file turns SSL off for no pair of hosts, and every member holds the run's
# shared certificate and key where csync2 reads them (compared by checksum, trailing newlines
# aside).
ssl_config() {
  local n f
  for n in $ALL; do
    cl_expect_eq "$n: nossl lines in /etc/csync2_uploads.cfg" "" "$(cl_exec "$n" grep nossl /etc/csync2_uploads.cfg)"
    for f in ssl_cert ssl_key; do
      cl_exec "$n" test -s "/etc/csync2_$f.pem" || { cl_note "$n: /etc/csync2_$f.pem is missing or empty"; return 1; }
      cl_expect_eq "$n: sha256 of /etc/csync2_$f.pem" "$(sha256sum <<<"$(cat "$CL_DIR/keys/$f.pem")")" \
        "$(sha256sum <<<"$(cl_exec "$n" cat "/etc/csync2_$f.pem")")"
    done
  done
}

ssl_sync() {
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

cl_case ssl-config ssl_config
cl_case ssl-create-modify-delete ssl_sync
