#!/bin/bash
# What an unprivileged local user can do to sync: nothing. The node's lock and the lanes'
# state live in /var/lib/clustersync and csync2's databases in /var/lib/csync2, both root's
# alone (0700), so user `nobody` can neither take the lock (which stalled every check and
# every listener session when it was /run/clustersync-csync2.lock, mode 0644) nor list the
# synced files' names. Without csync_only_from, the listener accepts only the members'
# addresses (every server is given as host@address here). A FIFO a user makes, in the tree or
# behind a link, stalls no listener session.
# shellcheck disable=SC2086 # lists of nodes and paths ($ALL, ...) are split into words on purpose
# shellcheck source=cluster/lib.sh
. "$(dirname "$0")/../lib.sh"
cl_require runuser

U=/var/uploads
ALL="node1 node2 node3"
LOCK=/var/lib/clustersync/csync2.lock

private_state() {
  local n mode
  for n in $ALL; do
    for d in /var/lib/clustersync /var/lib/csync2; do
      mode=$(cl_exec "$n" stat -c '%U %a' "$d")
      cl_expect_eq "$n: owner and mode of $d" "root 700" "$mode" || return 1
    done
    # The lock exists once lsyncd's checks or a listener session have run.
    cl_exec "$n" test -e "$LOCK" || { cl_note "$n: $LOCK missing"; return 1; }
    if cl_exec "$n" runuser -u nobody -- flock -n "$LOCK" true 2>/dev/null; then
      cl_note "$n: user nobody took $LOCK"; return 1
    fi
    if cl_exec "$n" runuser -u nobody -- sh -c 'ls /var/lib/csync2/' >/dev/null 2>&1; then
      cl_note "$n: user nobody lists csync2's databases"; return 1
    fi
  done
}

# A user holds the lock it can take (the old lock path); sync goes on both ways.
user_holding_locks() {
  local pid
  # The old lock as flock(1) made it: root's, 0644; a user opens it read-only and locks it.
  cl_exec node1 sh -c 'umask 022 && : >> /run/clustersync-csync2.lock'
  pid=$(_cl_spawn node1 /dev/null runuser -u nobody -- sh -c \
    'exec 8</run/clustersync-csync2.lock && flock 8 && exec sleep 600')
  # The user really holds it (so the case could fail: the old lock stalled every check). The
  # user waits for the lock (no -n): the check below takes it for an instant, and a
  # non-blocking attempt at that instant gave up.
  # shellcheck disable=SC2317 # called by cl_wait_until
  _held() { ! cl_exec node1 flock -n /run/clustersync-csync2.lock true; }
  cl_wait_until 10 _held || { cl_note "user nobody did not get to hold /run/clustersync-csync2.lock"; return 1; }
  cl_write node1 "$U/while-held-1.txt" <<<"from node1 while a user holds locks"
  cl_write node2 "$U/while-held-2.txt" <<<"from node2 to node1 while a user holds locks"
  local rc=0
  cl_converge 30 uploads "$U" $ALL || rc=1
  cl_expect_content node3 "$U/while-held-1.txt" "from node1 while a user holds locks" || rc=1
  cl_expect_content node1 "$U/while-held-2.txt" "from node2 to node1 while a user holds locks" || rc=1
  kill "$pid" 2>/dev/null || true
  return $rc
}

listener_accepts_members_only() {
  local n want got
  want=$(for n in $ALL; do cl_addr "$n"; done | sort | tr '\n' ' ' | sed 's/ $//')
  for n in $ALL; do
    got=$(cl_exec "$n" awk -F '\t*= *' '/^\tonly_from/ { print $2 }' /etc/xinetd.d/csync2)
    cl_expect_eq "$n: only_from" "$want" "$got" || return 1
  done
}

# key_source (here a file on the node) is Sensitive: when Puppet rewrites the key it logs and
# reports "[redacted]", never the key's SHA-256 (the old or the new), and keeps no copy of the
# old key in the filebucket.
key_source_redacted() {
  local key=/etc/csync2_uploads.key src=/root/keys/uploads.key manifest=$CL_DIR/site-key-source.pp
  local good old out rc=0 h
  good=$(cl_exec node1 cat "$key")
  # Another well-formed key (csync2 -k's alphabet, 64 characters), random per run.
  old=$(head -c 4096 /dev/urandom | tr -dc 'A-Za-z0-9' | head -c 64)
  [ "${#old}" = 64 ] || { cl_note "could not make a second key"; return 1; }
  cl_sh node1 'umask 077 && mkdir -p "${1%/*}" && cp "$2" "$1" && printf "%s\n" "$3" > "$2"' "$src" "$key" "$old"
  # Digests of both files exactly as they are on disk (Puppet's checksums are of the file).
  local digests
  digests=$(cl_exec node1 sh -c 'sha256sum "$1" "$2" | cut -c1-64; md5sum "$1" "$2" | cut -c1-32' _ "$src" "$key")
  cl_expect_eq "lines of digests of the keys" 4 "$(wc -l <<<"$digests")" || return 1
  sed "s|key_content => Sensitive('[^']*')|key_source => '$src'|" "$CL_DIR/site.pp" > "$manifest"
  grep -q "key_source => '$src'" "$manifest" || { cl_note "no key_source in the manifest"; return 1; }
  local applied=0
  out=$(cl_exec node1 puppet apply --debug --detailed-exitcodes --color=false --modulepath "$CL_DIR/modulepath" \
    "$manifest" 2>&1) || applied=$?
  cl_expect_eq "puppet apply's exit status (2: the key changed)" 2 "$applied" || { echo "$out" >&2; rc=1; }
  [ "$(cl_exec node1 cat "$key")" = "$good" ] || { cl_note "the key was not restored from key_source"; rc=1; }
  grep -q "File\[$key\]/content: changed \[redacted\] to \[redacted\]" <<<"$out" ||
    { cl_note "no redacted content change of $key in puppet's output"; rc=1; }
  for h in $digests; do
    if grep -q "$h" <<<"$out"; then cl_note "a digest of a key is in puppet's output"; rc=1; fi
    if cl_exec node1 grep -rqs "$h" /var/cache/puppet; then cl_note "a digest of a key is under /var/cache/puppet"; rc=1; fi
  done
  if grep -q -e "$old" -e "$good" <<<"$out"; then cl_note "a key is in puppet's output"; rc=1; fi
  if cl_exec node1 grep -rqs -e "$old" -e "$good" /var/cache/puppet; then
    cl_note "a key is under /var/cache/puppet (filebucket or report)"; rc=1
  fi
  return $rc
}

# A FIFO that a local user made on node2 (in /var/tmp, node2's own) and never writes, behind a
# link that node1's tree has and csync2 brings to node2; and a FIFO in the tree. Then node1
# replaces both by files. Had node2's listener session opened the FIFO (through the link, or in
# the tree) to patch against it, it would wait in open() for a writer for good, with node2's
# lock held: no check, no other session on node2 would go on. csync2 unlinks anything but a
# regular file before it patches, so the files arrive, node2's own changes still go out, and the
# user's FIFO is still there. (The sender's side of the same race, a file that becomes a FIFO
# while csync2 pushes it, is csync2-wait.so's: the ctest real_csync2_push_survives_a_fifo.)
user_fifo_stalls_nothing() {
  local n rc=0 fifo=/var/tmp/clustersync-fifo-$CL_RUN
  cl_exec node2 runuser -u nobody -- mkfifo -m 0666 "$fifo" || { cl_note "node2: no FIFO $fifo"; return 1; }
  cl_sh node1 'ln -s "$3" "$1" && mkfifo "$2"' "$U/to-fifo" "$U/pipe" "$fifo"
  cl_converge 30 uploads "$U" $ALL || return 1
  cl_exec node2 test -L "$U/to-fifo" -a -p "$U/pipe" || { cl_note "node2: no link and FIFO in the tree"; return 1; }
  cl_sh node1 'rm "$1" "$2" && echo "a file again" > "$1" && echo "no pipe" > "$2"' "$U/to-fifo" "$U/pipe"
  cl_converge 30 uploads "$U" $ALL || rc=1
  for n in node2 node3; do
    cl_expect_content "$n" "$U/to-fifo" "a file again" || rc=1
    cl_expect_content "$n" "$U/pipe" "no pipe" || rc=1
  done
  cl_write node2 "$U/after-fifo.txt" <<<"node2 still syncs"
  cl_converge 30 uploads "$U" $ALL || rc=1
  cl_exec node2 test -p "$fifo" || { cl_note "node2: $fifo is no longer a FIFO"; rc=1; }
  # A session stuck on a FIFO (the failure above) gets a writer, so the cases after this run.
  for n in node2 node3; do
    cl_sh "$n" 'for f in "$@"; do [ -p "$f" ] && exec 3<> "$f"; done; true' "$fifo" "$U/pipe"
  done
  return $rc
}

# The key is back: sync still works.
still_syncing() {
  cl_write node2 "$U/after.txt" <<<"after"
  cl_converge 30 uploads "$U" $ALL
}

# A user who may write in part of the tree (here $U/shared, nobody's) replaces a directory there
# on node2 by a link to a directory of root's outside the tree (/etc/clustersync-userlink, on
# node2 only); node1 then creates a file in that directory, which node1 still has. csync2 2.0's
# listener on node2 wrote it through the link, as root, into the directory outside (a file in
# /etc/cron.d would run as root). With csync2-wait.so the listener refuses the path: nothing
# is written outside, the link stays, node1 keeps the file dirty for node2, and node3 has it.
# The push to node2 is run by hand (as the lanes run it), so the check follows a push that is
# known to have ended. The last case of this file: the link is left (a conflict for an
# administrator) and node2's lsyncd stopped.
user_link_in_tree_writes_nothing_outside() {
  local rc=0 outside=/etc/clustersync-userlink n
  cl_exec node2 mkdir -m 0755 "$outside" || return 1
  cl_sh node1 'mkdir -p "$1/d" && chown -R nobody "$1"' "$U/shared"
  cl_converge 30 uploads "$U" $ALL || return 1
  # node2's lsyncd would send the link to the others in seconds (csync2 replaces an empty
  # directory by it): the window in which the others still write into the directory is made
  # to last by stopping it.
  cl_stop_lsyncd node2 || return 1
  cl_exec node2 runuser -u nobody -- sh -c 'rm -r "$1/d" && ln -s "$2" "$1/d"' _ "$U/shared" "$outside" ||
    { cl_note "node2: user nobody could not replace $U/shared/d by a link"; return 1; }
  cl_write node1 "$U/shared/d/evil" <<<"written on node1"
  cl_wait_until 30 cl_exec node3 test -f "$U/shared/d/evil" || { cl_note "node3 never got $U/shared/d/evil"; rc=1; }
  cl_exec node1 csync2 -C uploads -B -A -u -P node2 >/dev/null 2>&1  # fails for this path: expected
  n=$(cl_exec node2 ls -A "$outside")
  [ -z "$n" ] || { cl_note "node2: the listener wrote through the user's link into $outside: $n"; rc=1; }
  cl_exec node2 test -L "$U/shared/d" || { cl_note "node2: $U/shared/d is no longer the user's link"; rc=1; }
  cl_dirty node1 uploads | grep -qF "$U/shared/d/evil" ||
    { cl_note "node1: $U/shared/d/evil is not dirty for node2 after the refused push"; rc=1; }
  return $rc
}

cl_init
cl_set uploads "node1 node2 node3" "$U"
cl_up node1:1 node2:2 node3:3 || exit 1
cl_wait_until 60 cl_at_rest uploads $ALL || cl_log "cluster not at rest after start-up"
# A first change, so every node's checks and listener have created the lock.
cl_write node1 "$U/first.txt" <<<"first"
cl_converge 30 uploads "$U" $ALL || cl_log "first change did not converge"

cl_case private-state private_state
cl_case user-holding-locks-stalls-nothing user_holding_locks
cl_case user-fifo-stalls-nothing user_fifo_stalls_nothing
cl_case listener-accepts-members-only listener_accepts_members_only
cl_case key-source-redacted key_source_redacted
cl_case members-still-sync-after-key-rewrite still_syncing
cl_case user-link-in-tree-writes-nothing-outside user_link_in_tree_writes_nothing_outside
