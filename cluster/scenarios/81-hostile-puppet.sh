#!/bin/bash
# Hostile input (issue 14): bad Puppet input on a running member. On two members provisioned
# with the module (puppet apply, as the harness does), lsyncd and xinetd running: puppet apply
# of a bad change over the good configuration on node1 fails with a message naming the
# parameter, and leaves every file the module manages (content, mode, mtime) and the running
# lsyncd and xinetd alone; a new file still converges afterwards, and each case ends at rest.
# shellcheck disable=SC2086 # lists of nodes and paths ($ALL, ...) are split into words on purpose
# shellcheck source=cluster/lib.sh
. "$(dirname "$0")/../lib.sh"

U=/var/uploads
ALL="node1 node2"

converge() { cl_converge 30 uploads "$U" $ALL; }

# The harness provisions with manage_services => false: with services managed, Puppet would
# run Debian's init scripts, and those stop and start daemons by name across the whole machine
# (the nodes share the PID namespace). The bad changes are applied with manage_services => true,
# as on a real server: a bad catalog fails at compile time and no service resource runs. To be
# safe even if a bad change compiles (csync2_bin with an argument did until the fix), node1's
# /etc/init.d/xinetd and /etc/init.d/lsyncd and (bind-mounted in node1's private mount
# namespace only) systemctl are stubs that only log their call: the case fails on any call.

MANAGED_FILES="/etc/csync2_uploads.cfg /etc/csync2_uploads.key /etc/lsyncd/lsyncd.conf.lua /etc/xinetd.d/csync2"
MANAGED_DIRS="/var/log/lsyncd /var/lib/csync2/clustersync-tmp"
SERVICE_LOG=/run/clustersync-hostile-services.log

_guard_services() {
  cl_sh node1 'printf "#!/bin/sh\necho \"\$0 \$*\" >> %s\nexit 0\n" "$1" > /run/hostile-service-stub &&
    chmod 0755 /run/hostile-service-stub &&
    cp /run/hostile-service-stub /etc/init.d/xinetd && cp /run/hostile-service-stub /etc/init.d/lsyncd &&
    mount --bind /run/hostile-service-stub /usr/bin/systemctl' "$SERVICE_LOG" || return 1
  # The bind mount lives in node1's namespace only.
  if grep -q clustersync-hostile /usr/bin/systemctl; then cl_note "the host sees the systemctl stub"; return 1; fi
}

# Files (content, mode, owner, times) and directories (mode, owner) the module manages.
_managed() {
  cl_fingerprint "$1" $MANAGED_FILES && cl_exec "$1" stat -c '%n %a %U:%G' $MANAGED_DIRS
}

# lsyncd's and xinetd's pids with their start times (a restarted daemon differs).
_daemon_pids() {
  local l x
  l=$(cat "$CL_DIR/nodes/$1/lsyncd.pid") && x=$(cl_exec "$1" cat /run/xinetd.pid) || return 1
  echo "lsyncd $l $(_cl_starttime "$l") xinetd $x $(_cl_starttime "$x")"
}

# _bad_manifest AFTER TEXT [DROP]: the good manifest with manage_services => true, TEXT
# inserted after the line matching AFTER, lines matching DROP left out; written to bad.pp
# (0600: it holds the key).
_bad_manifest() {
  (umask 077 && AFTER=$1 TEXT=$2 DROP=${3:-} awk '
    ENVIRON["DROP"] != "" && $0 ~ ENVIRON["DROP"] { next }
    /^  manage_services => false,$/ { print "  manage_services => true,"; next }
    { print }
    $0 ~ ENVIRON["AFTER"] { print ENVIRON["TEXT"] }' "$CL_DIR/site.pp" > "$CL_DIR/bad.pp")
}

# bad_input LABEL PARAM AFTER TEXT [DROP]
bad_input() {
  local label=$1 param=$2 out prc=0 rc=0 before pids
  _bad_manifest "$3" "$4" "${5:-}" || return 1
  grep -qF -- "$4" "$CL_DIR/bad.pp" || { cl_note "bad.pp lacks the change"; return 1; }
  before=$(_managed node1) && pids=$(_daemon_pids node1) || return 1
  cl_exec node1 rm -f "$SERVICE_LOG"
  out=$(cl_puppet_apply node1 "$CL_DIR/bad.pp") || prc=$?
  if [ "$prc" = 0 ] || [ "$prc" = 2 ]; then
    cl_note "node1: puppet apply accepted the bad $param (exit $prc)"; rc=1
  elif ! grep -i 'error' <<<"$out" | grep -q -- "$param"; then
    cl_note "node1: puppet failed (exit $prc) without naming $param:"; rc=1
  fi
  grep -i -E 'error|warning' <<<"$out" | grep -v 'Facter: Permission denied' | head -n 5 >&2
  if ! _managed node1 | diff <(echo "$before") - >&2; then
    cl_note "node1: the bad apply changed files the module manages (diff above); restoring them"
    cl_puppet_apply node1 "$CL_DIR/site.pp" >/dev/null || true
    rc=1
  fi
  cl_expect_eq "node1: pids of lsyncd and xinetd (another: restarted or died)" "$pids" "$(_daemon_pids node1)" || rc=1
  if cl_exec node1 test -s "$SERVICE_LOG"; then
    cl_note "node1: service resources ran:"; cl_exec node1 cat "$SERVICE_LOG" >&2; rc=1
  fi
  cl_write node1 "$U/after-$label.txt" <<<"written after the bad $param"
  converge || rc=1
  cl_expect_content node2 "$U/after-$label.txt" "written after the bad $param" || rc=1
  return $rc
}

# The serverset's servers line with one bad name in front of the members.
bad_servers() { grep '^  servers ' "$CL_DIR/site.pp" | sed "s/\\[/['$1', /"; }

CLASS="^class \\{ 'clustersync':\$"
SET="^clustersync::serverset \\{ 'uploads':\$"

cl_init
if [ "$CL_PROVISION" != puppet ]; then cl_note "this scenario needs CL_PROVISION=puppet"; exit 1; fi
cl_set uploads "$ALL" "$U"
cl_up node1:1 node2:2 || exit 1
cl_wait_until 60 cl_at_rest uploads $ALL || cl_log "cluster not at rest after start-up"
_guard_services || exit 1

cl_case bad-port bad_input port csync_port "$CLASS" "  csync_port => '70000'," '^  csync_port '
cl_case bad-server-space bad_input server-space servers "$SET" "$(bad_servers 'evil host@198.18.0.9')" '^  servers '
cl_case bad-server-semicolon bad_input server-semicolon servers "$SET" "$(bad_servers 'evil;host@198.18.0.9')" '^  servers '
cl_case bad-exclude-newline bad_input exclude-newline exclude "$SET" '  exclude => ["*.tmp\ninclude /etc;"],' '^  exclude '
cl_case bad-source-relative bad_input source-relative sources '^  sources +=> \{$' "    'var/uploads' => 'uploads',"
cl_case bad-csync2-bin bad_input csync2-bin csync2_bin "$CLASS" "  csync2_bin => '/usr/sbin/csync2 -x'," '^  csync2_bin '
