#!/bin/bash
# `clustersync-helper doctor` (and `facts`) on namespaced servers running the real csync2, xinetd
# and lsyncd. Three servers, two serversets in the shape of the original README's example (www on
# all three, data on node1 and node2). Each case breaks one thing, runs doctor, repairs it and
# asserts that doctor named it (check, subject, message) and exited 1; the healthy cluster must
# report healthy (exit 0, no error) before and after.
#   cluster/test doctor      (CL_PROVISION=classic provisions by hand instead of puppet apply)
# shellcheck source=cluster/lib.sh
. "$(dirname "$0")/../lib.sh"
cl_require ruby sqlite3
helper=$(_cl_helper) || exit 1

# doctor NODE [PREFIX...] -- [ARGS...]: runs doctor --json inside NODE (PREFIX wraps the helper,
# e.g. an unshare); sets $report and $status.
doctor() {
  local node=$1; shift
  local prefix=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do prefix+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  report=$(cl_exec "$node" "${prefix[@]}" "$helper" doctor --json "$@" 2>&1) && status=0 || status=$?
}

# finding STATUS CHECK SUBJECT MESSAGE_REGEX: the last doctor report holds such a finding.
finding() {
  ruby -rjson -e '
    status, check, subject, re = ARGV
    r = JSON.parse(STDIN.read)
    hit = r["findings"].any? { |f| f["status"] == status && f["check"] == check && f["subject"] == subject && f["message"] =~ Regexp.new(re) }
    exit(hit ? 0 : 1)' "$@" <<<"$report" 2>/dev/null
}

# errors: the checks of the error findings in the last report, sorted and unique.
errors() {
  ruby -rjson -e 'puts JSON.parse(STDIN.read)["findings"].select { |f| f["status"] == "error" }.map { |f| f["check"] }.uniq.sort.join(" ")' \
    <<<"$report" 2>/dev/null
}

# expect_report STATUS ERRORS [FINDING_ARGS...]: the last report's exit status, the checks with
# errors, and (when given) one finding as `finding` takes it. A mismatch is reported, with the
# report on stderr.
expect_report() {
  local want_status=$1 want_errors=$2 rc=0; shift 2
  cl_expect_eq "doctor's exit status" "$want_status" "$status" || rc=1
  cl_expect_eq "the checks with errors" "$want_errors" "$(errors)" || rc=1
  if [ $# -gt 0 ] && ! finding "$@"; then cl_note "$(_cl_caller): no finding $*"; rc=1; fi
  [ "$rc" = 0 ] || indented <<<"$report" >&2
  return "$rc"
}

indented() { sed 's/^/    /'; }

reports_healthy() { doctor "$1" && [ "$status" = 0 ]; }

# healthy NODE: doctor reports NODE healthy; waits (bounded) for the cluster to settle.
healthy() {
  cl_wait_until 30 reports_healthy "$1" || true  # the report below says what is wrong
  expect_report 0 "" ok sync www 'in sync with every peer'
}

# facts on a healthy member: host name, both serversets, nothing dirty, lsyncd running with watches.
facts() {
  local out
  out=$(cl_exec node1 "$helper" facts --cache-dir "")
  if ! ruby -rjson -e '
    c = JSON.parse(STDIN.read)["clustersync"]
    ok = c["hostname"] == "node1" && c["serversets"].keys == %w[data www] &&
         c["serversets"].values.all? { |s| s["dirty"] == 0 } && c["lsyncd"]["running"] &&
         c["inotify"]["watches"].to_i >= 5 && c["csync2"]["config_dir"] == "/etc"
    exit(ok ? 0 : 1)' <<<"$out"; then
    cl_note "facts on node1 lack the host name, a serverset, zero dirty counts, lsyncd or its watches:"
    indented <<<"$out" >&2
    return 1
  fi
}

# A host name that is not a member: node3's host name becomes an FQDN, which csync2 never
# matches with a short name (its listener then refuses too, until the name is back).
not_member() {
  cl_exec node3 hostname node3.example.net
  doctor node3
  cl_exec node3 hostname node3
  expect_report 1 "membership" \
    error membership www 'this host \(node3\.example\.net\) is not a member: the hosts are node1, node2, node3'
}

missing_key() {
  cl_exec node2 mv /etc/csync2_data.key /etc/csync2_data.key.away
  doctor node2
  cl_exec node2 mv /etc/csync2_data.key.away /etc/csync2_data.key
  expect_report 1 "config key" error key data 'key file /etc/csync2_data.key is missing'
}

world_readable_key() {
  cl_exec node1 chmod 0644 /etc/csync2_www.key
  doctor node1
  cl_exec node1 chmod 0600 /etc/csync2_www.key
  expect_report 1 "key" error key www 'readable or writable by group or others \(mode 0644\)'
}

# csync2's tempdir. Here the synced directories are bind mounts, so the tempdir Puppet made in
# /var is on another filesystem than they are: a warning (doctor still exits 0). Readable by
# everyone: a warning that comes first, with its fix.
TMPD=/var/lib/csync2/clustersync-tmp
tempdir_other_filesystem() {
  doctor node1
  expect_report 0 "" warning tempdir www "$TMPD is on another filesystem than /srv/www: csync2 cannot rename"
}

tempdir_readable() {
  cl_exec node1 chmod 0755 "$TMPD"
  doctor node1
  cl_exec node1 chmod 0700 "$TMPD"
  expect_report 0 "" warning tempdir www "$TMPD is root's with mode 0755"
}

# The index Puppet adds to each csync2 database (csync_db_index): present after provisioning
# (the real exec ran), then dropped: a warning whose fix, run as given, puts it back.
DB=/var/lib/csync2/node1_www.db3
index_found() {
  doctor node1
  expect_report 0 "" ok database www "^$DB has the clustersync_count index"
}

index_missing() {
  cl_exec node1 sqlite3 "$DB" 'DROP INDEX clustersync_count'
  doctor node1
  expect_report 0 "" warning database www "^$DB has no clustersync_count index"
}

index_fix() {
  local fix
  doctor node1
  fix=$(ruby -rjson -e 'f = JSON.parse(STDIN.read)["findings"].find { |x| x["check"] == "database" && x["status"] == "warning" }
    puts f["fix"][/or: (sqlite3 .*)\z/, 1]' <<<"$report")
  [ -n "$fix" ]
  cl_sh node1 "$fix"
  doctor node1
  expect_report 0 "" ok database www "^$DB has the clustersync_count index"
}

# An unreachable peer: node2's listener stops. node1 cannot reach it in either serverset, and
# csync2 -T cannot compare with it.
unreachable_peer() {
  cl_stop_xinetd node2
  doctor node1
  cl_start_xinetd node2
  expect_report 1 "peer sync" error peer data/node2 "listener at $CL_SUBNET\.2:$CL_PORT is unreachable"
  finding error peer www/node2 "listener at $CL_SUBNET\.2:$CL_PORT is unreachable"
}

# Too few inotify watches: the sources of node1 hold 5 directories; doctor runs in a user
# namespace whose watch limit is 3 (the kernel's real limit for that namespace).
few_watches() {
  doctor node1 unshare --user --map-root-user sh -c 'echo 3 > /proc/sys/user/max_inotify_watches && exec "$@"' sh --
  expect_report 1 "watches" \
    error watches '' '^5 directories under the sources need one inotify watch each; the limit is 3'
}

lsyncd_stopped() {
  cl_stop_lsyncd node2
  doctor node2
  cl_start_lsyncd node2
  expect_report 1 "lsyncd" error lsyncd '' 'lsyncd is not running'
}

lock_file() {
  cl_exec node3 touch /etc/csync2.lock
  doctor node3
  cl_exec node3 rm /etc/csync2.lock
  expect_report 1 "lock" error lock '' '/etc/csync2.lock exists: csync2 refuses to run'
}

bad_config() {
  cl_exec node3 cp /etc/csync2_www.cfg /etc/csync2_www.cfg.good
  cl_sh node3 'echo "group broken {" >> /etc/csync2_www.cfg'
  doctor node3
  cl_exec node3 mv /etc/csync2_www.cfg.good /etc/csync2_www.cfg
  expect_report 1 "config" error config www 'csync2 refuses /etc/csync2_www.cfg: .*(syntax error|Config error)'
}

# A member that never received the old files (csync2 is push-only): node3 starts over with an
# empty tree and no database, as a newly added server does. csync2 -T compares the members'
# databases, so doctor sees it on the new member; the fix doctor prints, run on node1, repairs it
# (the next case; node3's lsyncd stays stopped until then).
new_member_named() {
  cl_stop_lsyncd node3
  cl_sh node3 'rm -rf /srv/www/* /var/lib/csync2/node3_www.db3'
  doctor node3
  expect_report 1 "lsyncd sync" error sync www 'differs from its peers \(csync2 -T: [0-9]+ differences'
}

new_member_fix() {
  local rc=0
  doctor node3
  grep -q 'csync2 -C www -TUXI' <<<"$report" || { cl_note "doctor gives no fix with csync2 -C www -TUXI"; rc=1; }
  if [ "$rc" = 0 ]; then
    cl_mark_logs  # the errors the broken states above logged are not this step's
    # -T's exit status says whether it found differences; the convergence below is the verdict.
    cl_exec node1 csync2 -C www -TUXI >/dev/null || true
    cl_exec node1 csync2 -C www -u || { cl_note "csync2 -C www -u on node1 failed"; rc=1; }
  fi
  cl_start_lsyncd node3 || rc=1
  [ "$rc" = 0 ] && cl_converge 60 www /srv/www node1 node2 node3
}

# The text form names the problem and its fix too.
text_report() {
  local text text_status
  cl_exec node1 chmod 0640 /etc/csync2_data.key
  text=$(cl_exec node1 "$helper" doctor 2>&1) && text_status=0 || text_status=$?
  cl_exec node1 chmod 0600 /etc/csync2_data.key
  if ! { cl_expect_eq "doctor's exit status" 1 "$text_status" &&
         grep -Eq '^ERROR +key +data: key file /etc/csync2_data.key is readable' <<<"$text" &&
         grep -q 'fix: chmod 0600 /etc/csync2_data.key' <<<"$text" && grep -q '^node1: 1 error' <<<"$text"; }; then
    cl_note "the text report lacks the key's error line, its fix or the count 'node1: 1 error':"
    indented <<<"$text" >&2
    return 1
  fi
}

cl_init
cl_set www "node1 node2 node3" /srv/www
cl_set data "node1 node2" /srv/data
cl_up node1:1 node2:2 node3:3 || { cl_fail "cluster did not come up"; exit 1; }
cl_sh node1 'mkdir -p /srv/www/a/b /srv/www/c && echo hello > /srv/www/a/b/f && echo data > /srv/data/g'
cl_converge 60 www /srv/www node1 node2 node3 || exit 1
cl_converge 60 data /srv/data node1 node2 || exit 1

for n in node1 node2 node3; do cl_case "doctor-$n-healthy-before" healthy "$n"; done
cl_case doctor-facts-on-a-member facts
cl_case doctor-names-a-host-name-not-a-member not_member
cl_case doctor-names-a-missing-key-file missing_key
cl_case doctor-names-a-world-readable-key-file world_readable_key
cl_case doctor-names-a-tempdir-on-another-filesystem tempdir_other_filesystem
cl_case doctor-names-a-tempdir-readable-by-others tempdir_readable
if [ "$CL_PROVISION" = puppet ]; then
  cl_case doctor-finds-the-database-index-puppet-added index_found
  cl_case doctor-names-a-database-without-the-index index_missing
  cl_case doctor-fix-restores-the-index index_fix
fi
cl_case doctor-names-an-unreachable-peer-in-every-serverset unreachable_peer
cl_case doctor-names-too-few-inotify-watches few_watches
cl_case doctor-names-lsyncd-not-running lsyncd_stopped
cl_case doctor-names-a-csync2-lock-file lock_file
cl_case doctor-names-a-config-csync2-refuses bad_config
cl_case doctor-names-a-member-missing-the-old-files new_member_named
cl_case doctor-fix-for-a-new-member-converges new_member_fix
cl_case doctor-text-report-names-problem-fix-and-count text_report
for n in node1 node2 node3; do cl_case "doctor-$n-healthy-after" healthy "$n"; done
