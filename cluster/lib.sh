# shellcheck shell=bash
# cluster/lib.sh: namespaced test servers on one machine, for the live-cluster suite, the demo
# and the benchmark. Source it from bash, as root. Everything it creates is named after one
# run id, lives under one temp directory and is removed by cl_teardown (installed as an
# EXIT trap by cl_init), so parallel or crashed runs never clash.
#
# A test server ("node") is: its own network namespace (veth into a bridge that lives in the
# run's own "net" namespace; address 198.18.0.N/24), its own UTS host name, and a private mount
# namespace held by a sleeping holder process (cluster/holder.sh) with overlays of /etc, /var,
# /run and /dev (upper layers in the run directory) and bind mounts for the synced directories.
# Commands join it with nsenter. Daemons are started the way a node without systemd runs them:
# xinetd with what is in the node's /etc/xinetd.d, lsyncd -nodaemon with the node's config
# (its stdout, where csync2's client output lands, goes to /var/log/lsyncd.stdout), and a tiny
# syslog receiver (cluster/syslogd.pl) so the listener's syslog lines land in /var/log/syslog.
#
# API (functions return non-zero on failure; diagnostics go to stderr):
#   Run
#     cl_require TOOL...           skip the scenario file ("SKIP FILE: TOOL not installed") when a
#                                  command is missing (cl_init requires the common ones)
#     cl_init                      new run: id, temp dir, bridge namespace, EXIT/INT/TERM trap
#     cl_teardown                  kill every process of the run, delete namespaces and temp dir
#     cl_cleanup_stale             tear down leftovers of runs whose owner process is gone
#     cl_log MSG...                timestamped progress line on stderr
#   Nodes
#     cl_node_add NAME NUM         create server NAME at 198.18.0.NUM (synced dirs from cl_set)
#     cl_nodes                     names of all nodes, in creation order
#     cl_addr NAME                 its address
#     cl_exec NAME CMD...          run CMD inside NAME (stdin/stdout/stderr pass through)
#     cl_sh NAME SCRIPT [ARGS]     run a bash script string inside NAME
#     cl_host_path NAME PATH       host-side path of a synced directory PATH of NAME
#     cl_node_dir NAME             the node's run directory (upper/etc, upper/var, logs)
#   Daemons
#     cl_up NAME:NUM...            add, provision (in parallel) and start a whole cluster
#     cl_provision_all NAME...     provision nodes in parallel; cl_start_all NAME... starts them
#     cl_start_daemons NAME        syslog receiver, xinetd, lsyncd (if its config exists)
#     cl_start_syslog / cl_start_xinetd / cl_start_lsyncd NAME [CONFIG]
#     cl_stop_xinetd / cl_stop_lsyncd NAME
#     cl_node_down NAME            the server "goes off": every process killed, link down
#     cl_node_up NAME              link up, daemons started again
#     cl_node_drop NAME            NAME's packets are dropped (host off behind a router: no
#                                  answer, no refusal); its processes keep running
#     cl_node_undrop NAME          NAME answers again
#     cl_listener_freeze NAME      SIGSTOP to NAME's csync2 listener (xinetd and its sessions):
#                                  connections are accepted by the kernel, nothing answers
#     cl_listener_thaw NAME        SIGCONT to them
#   Cluster description and provisioning
#     cl_set NAME "NODES" DIR [--auto A] [--exclude PAT]...   declare a serverset (key generated)
#     CL_ONLY_FROM, CL_SSL, CL_DELAY, CL_PORT                   class parameters (see defaults below)
#     cl_provision NAME            configure NAME: CL_PROVISION=puppet (default: puppet apply of
#                                  the module from the working tree) or classic (hand-written
#                                  files in the original module's style, full csync2 -x per batch)
#   Waiting and checking
#     cl_wait_until TIMEOUT CMD... poll CMD every 0.2 s until it succeeds; 1 on timeout
#     cl_tree NAME DIR             one line per entry: path TAB type mode size sha256 | -> target
#     cl_same_tree DIR NODE...     all nodes hold identical trees under DIR (diff on stderr)
#     cl_dirty NAME GROUP          prints NAME's dirty entries of GROUP; 0 when there are none
#     cl_dirty_except NAME GROUP "NODE..."  the same, not counting entries for those peers
#     cl_lsyncd_idle NAME [SECS]   lsyncd alive, no child and no output for a quiet window
#     cl_lsyncd_idle_except NAME "NODE..." [SECS]  the same, while probes of parked lanes to
#                                  those peers may run
#     cl_mark_logs                 remember log sizes; cl_conflicts reports only newer lines
#     cl_conflicts NAME            prints conflict / error lines logged since the mark; 0 if none
#     cl_at_rest "GROUP..." NODES... no dirty entries, no new conflicts, every lsyncd idle
#                                  (CL_PARKED="NODE...": entries dirty for those peers and their
#                                  lanes' probes do not count)
#     cl_converge TIMEOUT "GROUP..." DIR NODES...  wait for identical trees, then for rest
#     cl_fail MSG                  print MSG and the nodes' recent logs, return 1
#   Scenarios
#     cl_case NAME FUNC [ARGS]     run one scenario, print PASS/FAIL with its time, record it;
#                                  a failure shows the file, line and command that failed
#     cl_write NAME PATH           write stdin to PATH inside NAME
#     cl_expect_eq WHAT EXPECTED ACTUAL   compare; a mismatch reports both, with file and line
#     cl_note MSG                  explain a failure: on stderr, and under the case's FAIL line
#     cl_expect_content NAME PATH TEXT / cl_expect_absent NAME PATH

CL_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CL_REPO=$(cd "$CL_LIB_DIR/.." && pwd)
CL_PREFIX=cst
CL_TMPROOT=${CL_TMPROOT:-/tmp/clustersync-test}
CL_SUBNET=198.18.0
: "${CL_ONLY_FROM:=}"
: "${CL_SSL:=false}"
: "${CL_DELAY:=0.2}"
: "${CL_PORT:=30865}"
: "${CL_PROVISION:=puppet}"
: "${CL_HELPER:=}"

cl_log() { printf '[%s] %s\n' "$(date +%H:%M:%S.%N | cut -c1-12)" "$*" >&2; }

cl_wait_until() {
  local timeout=$1; shift
  local end=$(($(date +%s%N) / 100000000 + timeout * 10))
  while :; do
    if "$@"; then return 0; fi
    if [ $(($(date +%s%N) / 100000000)) -ge "$end" ]; then return 1; fi
    sleep 0.2
  done
}

# ---------------------------------------------------------------------------- run lifecycle

_cl_starttime() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null; }

# cl_require TOOL...: when one of the commands is missing, the scenario file is skipped: prints
# "SKIP FILE: TOOL not installed", records it for cluster/test and exits 0.
cl_require() {
  local tool name
  name=$(basename "$0" .sh)
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 && continue
    echo "SKIP $name: $tool not installed"
    [ -z "${CL_RESULTS:-}" ] || echo "SKIP $name:$tool 0" >> "$CL_RESULTS"
    exit 0
  done
}

# The commands every run needs: namespaces, the daemons, the tools of the checks, and Puppet
# when it provisions.
_cl_tools() {
  echo ip nsenter unshare setsid ss ps csync2 xinetd lsyncd flock perl sha256sum
  [ "$CL_PROVISION" != puppet ] || echo puppet
}

cl_init() {
  # shellcheck disable=SC2046 # one word per tool
  cl_require $(_cl_tools)
  mkdir -p "$CL_TMPROOT"
  cl_cleanup_stale
  CL_RUN=$CL_PREFIX$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
  CL_DIR=$CL_TMPROOT/$CL_RUN
  mkdir -p "$CL_DIR/nodes" "$CL_DIR/sets" "$CL_DIR/keys"
  chmod 0700 "$CL_DIR" "$CL_DIR/keys"
  # Owner = this shell (a $(...) would see its own subshell's BASHPID).
  local me=$BASHPID
  echo "$me $(_cl_starttime "$me")" > "$CL_DIR/owner.tmp"
  mv "$CL_DIR/owner.tmp" "$CL_DIR/owner"
  : > "$CL_DIR/nodes.list"
  trap 'cl_teardown' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  ip netns add "$CL_RUN-net" || return 1
  ip -n "$CL_RUN-net" link add br0 type bridge || return 1
  ip -n "$CL_RUN-net" link set br0 up
  ip -n "$CL_RUN-net" link set lo up
  cl_log "run $CL_RUN in $CL_DIR"
}

# Kills every process of the network namespace NS (all processes of a node live in it).
_cl_kill_ns() {
  local ns=$1 pids round
  for round in 1 2 3 4 5 6 7 8 9 10; do
    mapfile -t pids < <(ip netns pids "$ns" 2>/dev/null)
    [ ${#pids[@]} -gt 0 ] || return 0
    if [ "$round" -le 3 ]; then kill -TERM "${pids[@]}" 2>/dev/null; else kill -KILL "${pids[@]}" 2>/dev/null; fi
    sleep 0.2
  done
}

# Tears down the run in DIR named RUN (also used for stale runs).
_cl_teardown_run() {
  local run=$1 dir=$2 ns
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$run-"); do
    _cl_kill_ns "$ns"
    ip netns del "$ns" 2>/dev/null
  done
  # Mounts live only in the holders' namespaces, which died with them; the upper layers and
  # bound directories are plain directories now.
  [ -n "$dir" ] && [ -d "$dir" ] && rm -rf --one-file-system "$dir"
}

cl_teardown() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "${CL_RUN:-}" ]; then
    if [ -n "${CL_KEEP:-}" ] && [ "$rc" != 0 ]; then
      cl_log "CL_KEEP set: leaving run $CL_RUN running in $CL_DIR"
    else
      _cl_teardown_run "$CL_RUN" "$CL_DIR"
    fi
    CL_RUN=
  fi
  return "$rc"
}

cl_cleanup_stale() {
  local ns run dir pid start
  for run in $( { ip netns list 2>/dev/null | awk '{print $1}' | grep "^${CL_PREFIX}[0-9a-f]\{6\}-" | sed 's/-.*//'
                  find "$CL_TMPROOT" -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | grep "^${CL_PREFIX}[0-9a-f]\{6\}$"; } | sort -u); do
    dir=$CL_TMPROOT/$run
    if [ -f "$dir/owner" ]; then
      read -r pid start < "$dir/owner"
      if [ -n "$pid" ] && [ "$(_cl_starttime "$pid")" = "$start" ]; then continue; fi
    elif [ -d "$dir" ] && [ -n "$(find "$dir" -maxdepth 0 -newermt '-10 seconds')" ]; then
      continue  # a run being created right now has no owner file yet
    fi
    cl_log "removing stale run $run"
    _cl_teardown_run "$run" "$dir"
  done
}

# ---------------------------------------------------------------------------------- nodes

cl_nodes() { cat "$CL_DIR/nodes.list"; }
cl_node_dir() { echo "$CL_DIR/nodes/$1"; }
cl_addr() { cat "$CL_DIR/nodes/$1/addr"; }
cl_host_path() { echo "$CL_DIR/nodes/$1/data$2"; }
_cl_pid() { cat "$CL_DIR/nodes/$1/holder.pid"; }

cl_exec() {
  local name=$1; shift
  nsenter -t "$(_cl_pid "$name")" -m -u -n --wd=/ -- "$@"
}

cl_sh() {
  local name=$1 script=$2; shift 2
  cl_exec "$name" /bin/bash -c "$script" bash "$@"
}

# Every node resolves every node's name (serversets may list plain host names).
_cl_write_hosts() {
  local n
  for n in $(cl_nodes); do
    {
      printf '127.0.0.1\tlocalhost\n'
      awk '{printf "%s\t%s\n", $2, $1}' "$CL_DIR/hosts"
    } | cl_exec "$n" /bin/sh -c 'cat > /etc/hosts'
  done
}

cl_node_add() {
  local name=$1 num=$2 ns="$CL_RUN-$1" dir="$CL_DIR/nodes/$1" d
  local addr=$CL_SUBNET.$num
  mkdir -p "$dir/data"
  echo "$addr" > "$dir/addr"
  : > "$dir/binds"
  for d in $(_cl_all_dirs); do
    echo "$dir/data$d $d" >> "$dir/binds"
  done
  ip netns add "$ns" || return 1
  ip -n "$CL_RUN-net" link add "v$num" type veth peer name eth0 netns "$ns" || return 1
  ip -n "$CL_RUN-net" link set "v$num" master br0 up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$addr/24" dev eth0
  ip -n "$ns" link set eth0 up
  setsid ip netns exec "$ns" unshare --mount --uts --propagation private -- \
    "$CL_LIB_DIR/holder.sh" "$name" "$dir" </dev/null >"$dir/holder.log" 2>&1 &
  if ! cl_wait_until 10 test -s "$dir/holder.pid"; then
    echo "cl_node_add $name: holder did not come up:" >&2; cat "$dir/holder.log" >&2; return 1
  fi
  echo "$name" >> "$CL_DIR/nodes.list"
  echo "$name $addr" >> "$CL_DIR/hosts"
  mkdir -p "$dir/upper/var/log"
  _cl_write_hosts
  cl_log "node $name up at $addr"
}

# ---------------------------------------------------------------------------------- daemons

# Starts CMD inside NAME detached from the caller (no inherited stdout, not our child) and
# prints its pid (nsenter and setsid exec in place, so the pid is CMD's).
_cl_spawn() {
  local name=$1 out=$2 holder; shift 2
  holder=$(_cl_pid "$name")
  # Started from a command substitution, so it is never a job of the caller's shell.
  echo "$( (exec nsenter -t "$holder" -m -u -n --wd=/ -- setsid "$@" </dev/null >>"$out" 2>&1) & echo $!)"
}

cl_start_syslog() {
  local name=$1 dir=$CL_DIR/nodes/$1
  _cl_spawn "$name" "$dir/syslogd.out" perl "$CL_LIB_DIR/syslogd.pl" /dev/log /var/log/syslog > "$dir/syslogd.pid"
  cl_wait_until 10 cl_exec "$name" test -S /dev/log || { echo "syslog receiver did not start on $name" >&2; return 1; }
}

cl_start_xinetd() {
  local name=$1
  cl_exec "$name" rm -f /run/xinetd.pid
  cl_exec "$name" xinetd -stayalive -pidfile /run/xinetd.pid </dev/null >/dev/null 2>&1 || return 1
  cl_wait_until 10 cl_exec "$name" test -s /run/xinetd.pid || { echo "xinetd did not start on $name" >&2; return 1; }
  # Ready when it listens on the csync2 port.
  cl_wait_until 10 _cl_listening "$name" "$CL_PORT" || { echo "xinetd on $name does not listen on $CL_PORT" >&2; return 1; }
}

_cl_listening() { cl_exec "$1" ss -Hltn "sport = :$2" | grep -q .; }

cl_stop_xinetd() {
  local name=$1 pid
  pid=$(cl_exec "$name" cat /run/xinetd.pid 2>/dev/null) || return 0
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  cl_wait_until 5 _cl_not_alive "$pid"
  cl_exec "$name" rm -f /run/xinetd.pid
}

_cl_not_alive() { ! kill -0 "$1" 2>/dev/null; }

_cl_lsyncd_config() { echo "${CL_LSYNCD_CONFIG:-/etc/lsyncd/lsyncd.conf.lua}"; }

cl_start_lsyncd() {
  local name=$1 config=${2:-$(_cl_lsyncd_config)} dir=$CL_DIR/nodes/$1 pid
  mkdir -p "$dir/upper/var/log"
  pid=$(_cl_spawn "$name" "$dir/upper/var/log/lsyncd.stdout" lsyncd -nodaemon "$config")
  echo "$pid" > "$dir/lsyncd.pid"
  # lsyncd exits at once on a bad config; give it a moment to prove it is alive.
  sleep 0.3
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "lsyncd did not start on $name:" >&2; tail -n 20 "$dir/upper/var/log/lsyncd.stdout" >&2; return 1
  fi
}

cl_stop_lsyncd() {
  local name=$1 pidfile=$CL_DIR/nodes/$1/lsyncd.pid pid
  [ -s "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null
  cl_wait_until 10 _cl_not_alive "$pid" || kill -KILL "$pid" 2>/dev/null
  rm -f "$pidfile"
}

cl_start_daemons() {
  local name=$1
  cl_start_syslog "$name" || return 1
  cl_start_xinetd "$name" || return 1
  if cl_exec "$name" test -f "$(_cl_lsyncd_config)"; then cl_start_lsyncd "$name" || return 1; fi
}

# Provisions the named nodes in parallel (one manifest / one set of files for all).
cl_provision_all() {
  local name pids=() rc=0 p
  if [ "$CL_SSL" = true ]; then _cl_ssl_material || return 1; fi
  if [ "$CL_PROVISION" = puppet ]; then _cl_puppet_prepare || return 1; fi
  for name in "$@"; do _CL_PREPARED=1 cl_provision "$name" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  return $rc
}

# Starts the daemons of the named nodes: every listener before any lsyncd (whose start-up
# sync would otherwise find peers unreachable).
cl_start_all() {
  local name
  for name in "$@"; do cl_start_syslog "$name" && cl_start_xinetd "$name" || return 1; done
  for name in "$@"; do
    if cl_exec "$name" test -f "$(_cl_lsyncd_config)"; then cl_start_lsyncd "$name" || return 1; fi
  done
}

# Brings up a cluster: nodes NAME:NUM..., added, provisioned in parallel and started.
cl_up() {
  local spec names=()
  for spec in "$@"; do cl_node_add "${spec%%:*}" "${spec#*:}" || return 1; names+=("${spec%%:*}"); done
  cl_provision_all "${names[@]}" && cl_start_all "${names[@]}"
}

cl_node_down() {
  local name=$1 pid pids=()
  for pid in $(ip netns pids "$CL_RUN-$name"); do
    [ "$pid" = "$(_cl_pid "$name")" ] || pids+=("$pid")
  done
  [ ${#pids[@]} = 0 ] || kill -KILL "${pids[@]}" 2>/dev/null
  rm -f "$CL_DIR/nodes/$name/lsyncd.pid"
  cl_exec "$name" rm -f /run/xinetd.pid
  ip -n "$CL_RUN-$name" link set eth0 down
  cl_log "node $name down"
}

cl_node_up() {
  local name=$1
  ip -n "$CL_RUN-$name" link set eth0 up
  cl_start_daemons "$name" || return 1
  cl_log "node $name up again"
}

# Blackhole routes inside NAME's namespace, more specific than the subnet's own route: NAME
# still receives packets but every reply is discarded without a word, as behind a router that
# drops them.
cl_node_drop() {
  ip -n "$CL_RUN-$1" route add blackhole "$CL_SUBNET.0/25" &&
    ip -n "$CL_RUN-$1" route add blackhole "$CL_SUBNET.128/25" || return 1
  cl_log "node $1 drops its packets"
}

cl_node_undrop() {
  ip -n "$CL_RUN-$1" route del blackhole "$CL_SUBNET.0/25"
  ip -n "$CL_RUN-$1" route del blackhole "$CL_SUBNET.128/25"
  cl_log "node $1 answers again"
}

# The listener's processes: xinetd and the sessions it started (flock, csync2 -i).
_cl_listener_pids() {
  local pid
  pid=$(cl_exec "$1" cat /run/xinetd.pid 2>/dev/null) || return 1
  [ -n "$pid" ] || return 1
  echo "$pid"
  ps -o pid= --ppid "$pid"
  for pid in $(ps -o pid= --ppid "$pid"); do ps -o pid= --ppid "$pid"; done
}

cl_listener_freeze() {
  local pids
  mapfile -t pids < <(_cl_listener_pids "$1" | tr -d " ")
  [ ${#pids[@]} -gt 0 ] || { echo "no listener on $1" >&2; return 1; }
  kill -STOP "${pids[@]}" || return 1
  cl_log "listener of $1 frozen"
}

cl_listener_thaw() {
  local pids
  mapfile -t pids < <(_cl_listener_pids "$1" | tr -d " ")
  [ ${#pids[@]} -gt 0 ] || { echo "no listener on $1" >&2; return 1; }
  kill -CONT "${pids[@]}" || return 1
  cl_log "listener of $1 thawed"
}

# ---------------------------------------------------------------- cluster description

# cl_set NAME "NODE..." DIR... [--auto A] [--exclude PAT]...: a serverset over DIRs.
cl_set() {
  local name=$1 nodes=$2; shift 2
  local dirs=() auto=none excludes=()
  while [ $# -gt 0 ]; do
    case $1 in
      --auto) auto=$2; shift 2 ;;
      --exclude) excludes+=("$2"); shift 2 ;;
      *) dirs+=("$1"); shift ;;
    esac
  done
  local d=$CL_DIR/sets/$name
  mkdir -p "$d"
  echo "$nodes" > "$d/nodes"
  printf '%s\n' "${dirs[@]}" > "$d/dirs"
  echo "$auto" > "$d/auto"
  if [ ${#excludes[@]} -gt 0 ]; then printf '%s\n' "${excludes[@]}" > "$d/exclude"; else : > "$d/exclude"; fi
  [ -f "$CL_DIR/keys/$name.key" ] || (umask 077 && csync2 -k "$CL_DIR/keys/$name.key") || return 1
}

_cl_sets() { ls "$CL_DIR/sets" 2>/dev/null; }
_cl_all_dirs() { cat "$CL_DIR"/sets/*/dirs 2>/dev/null | sort -u; }
_cl_set_nodes() { cat "$CL_DIR/sets/$1/nodes"; }
_cl_member() { case " $(_cl_set_nodes "$2") " in *" $1 "*) return 0 ;; esac; return 1; }

cl_provision() {
  local name=$1
  case $CL_PROVISION in
    puppet) _cl_provision_puppet "$name" ;;
    classic) _cl_provision_classic "$name" ;;
    *) echo "CL_PROVISION must be puppet or classic, not '$CL_PROVISION'" >&2; return 1 ;;
  esac
}

# The original module's shape, written by hand: one csync2 group file per set, the xinetd
# service, and an lsyncd config whose action runs a full `csync2 -C SET -x` per batch.
_cl_provision_classic() {
  local name=$1 set n d pat sources=""
  for set in $(_cl_sets); do
    _cl_member "$name" "$set" || continue
    {
      [ "$CL_SSL" = true ] || echo 'nossl * *;'
      echo
      echo "group $set {"
      for n in $(_cl_set_nodes "$set"); do echo "  host $n@$(cl_addr "$n");"; done
      echo "  key /etc/csync2_$set.key;"
      while read -r d; do echo "  include $d;"; done < "$CL_DIR/sets/$set/dirs"
      while read -r pat; do [ -n "$pat" ] && echo "  exclude $pat;"; done < "$CL_DIR/sets/$set/exclude"
      [ "$(cat "$CL_DIR/sets/$set/auto")" = none ] || echo "  auto $(cat "$CL_DIR/sets/$set/auto");"
      echo "}"
    } | cl_sh "$name" 'cat > "$1"' "/etc/csync2_$set.cfg"
    cl_sh "$name" 'umask 077; cat > "$1"' "/etc/csync2_$set.key" < "$CL_DIR/keys/$set.key"
    while read -r d; do sources+="  [\"$d\"] = \"$set\","$'\n'; done < "$CL_DIR/sets/$set/dirs"
  done
  if [ "$CL_SSL" = true ]; then
    _cl_ssl_material || return 1
    cl_sh "$name" 'cat > /etc/csync2_ssl_cert.pem' < "$CL_DIR/keys/ssl_cert.pem"
    cl_sh "$name" 'umask 077; cat > /etc/csync2_ssl_key.pem' < "$CL_DIR/keys/ssl_key.pem"
  fi
  {
    echo 'service csync2'
    echo '{'
    echo '  disable     = no'
    echo '  flags       = REUSE'
    echo '  socket_type = stream'
    echo '  protocol    = tcp'
    echo '  wait        = no'
    echo '  user        = root'
    echo '  server      = /usr/sbin/csync2'
    echo '  server_args = -i -l'
    echo "  port        = $CL_PORT"
    echo '  type        = UNLISTED'
    [ -n "$CL_ONLY_FROM" ] && echo "  only_from   = $CL_ONLY_FROM"
    echo '}'
  } | cl_sh "$name" 'cat > /etc/xinetd.d/csync2'
  [ -n "$sources" ] || return 0
  cl_sh "$name" 'mkdir -p /etc/lsyncd /var/log/lsyncd && cat > /etc/lsyncd/lsyncd.conf.lua' <<EOF
settings {
  logfile = "/var/log/lsyncd/lsyncd.log",
  statusFile = "/var/log/lsyncd/lsyncd.status",
  statusInterval = 1,
}

-- Every batch of events triggers a full check of the whole set (csync2 -x without paths).
local csync2_classic = {
  delay = ${CL_CLASSIC_DELAY:-1},
  maxProcesses = 1,
  checkgauge = { syncid = true },
  action = function(inlet)
    local events = inlet.getEvents(function(event) return event.etype ~= "Init" end)
    spawn(events, "/usr/sbin/csync2", "-C", inlet.getConfig().syncid, "-x")
  end,
  init = function(event)
    spawn(event, "/usr/sbin/csync2", "-C", event.inlet.getConfig().syncid, "-x")
  end,
  collect = function(agent, exitcode)
    if exitcode ~= 0 and agent.isList then return "again" end
  end,
}

local sources = {
$sources}
for source, set in pairs(sources) do
  sync { csync2_classic, source = source, syncid = set }
end
EOF
}

# One key and certificate shared by all members (csync2 pins peers by certificate; per-host
# self-signed certificates fail), made once per run.
_cl_ssl_material() {
  [ -s "$CL_DIR/keys/ssl_cert.pem" ] && return 0
  (umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=clustersync-test \
     -keyout "$CL_DIR/keys/ssl_key.pem" -out "$CL_DIR/keys/ssl_cert.pem" >/dev/null 2>&1) ||
    { echo "openssl could not make the test certificate" >&2; return 1; }
}

_cl_helper() {
  if [ -n "$CL_HELPER" ]; then echo "$CL_HELPER"; return; fi
  local b
  for b in "$CL_REPO/build/clustersync-helper" /usr/bin/clustersync-helper /usr/local/bin/clustersync-helper; do
    [ -x "$b" ] && { echo "$b"; return; }
  done
  echo "clustersync-helper not built (set CL_HELPER or run scripts/build)" >&2
  return 1
}

# Puppet manifest of the cluster (same for every node; it selects by host name). Holds the
# keys, so it is written 0600 into the run directory and never passed on a command line.
_cl_manifest() {
  local set n d pat helper first
  helper=$(_cl_helper) || return 1
  echo "file { [$(for d in $(_cl_all_dirs); do printf "'%s', " "$d"; done)]: ensure => directory }"
  echo "class { 'clustersync':"
  echo "  sources         => {"
  for set in $(_cl_sets); do
    while read -r d; do echo "    '$d' => '$set',"; done < "$CL_DIR/sets/$set/dirs"
  done
  echo "  },"
  [ -n "$CL_ONLY_FROM" ] && echo "  csync_only_from => '$CL_ONLY_FROM',"
  [ "$CL_PORT" = 30865 ] || echo "  csync_port      => $CL_PORT,"
  [ "$CL_DELAY" = 0.2 ] || echo "  lsyncd_delay    => $CL_DELAY,"
  if [ "$CL_SSL" = true ]; then
    _cl_ssl_material || return 1
    echo "  ssl             => true,"
    echo "  ssl_cert        => '$(cat "$CL_DIR/keys/ssl_cert.pem")',"
    echo "  ssl_key         => Sensitive('$(cat "$CL_DIR/keys/ssl_key.pem")'),"
  fi
  echo "  helper_path     => '$helper',"
  echo "  manage_services => false,"
  echo "}"
  for set in $(_cl_sets); do
    echo "clustersync::serverset { '$set':"
    printf '  servers     => ['
    first=1
    for n in $(_cl_set_nodes "$set"); do
      [ $first = 1 ] || printf ', '; first=0
      printf "'%s@%s'" "$n" "$(cl_addr "$n")"
    done
    echo '],'
    if [ -s "$CL_DIR/sets/$set/exclude" ]; then
      printf '  exclude     => ['
      first=1
      while read -r pat; do [ $first = 1 ] || printf ', '; first=0; printf "'%s'" "$pat"; done < "$CL_DIR/sets/$set/exclude"
      echo '],'
    fi
    [ "$(cat "$CL_DIR/sets/$set/auto")" = none ] || echo "  auto        => '$(cat "$CL_DIR/sets/$set/auto")',"
    echo "  key_content => Sensitive('$(head -n1 "$CL_DIR/keys/$set.key")'),"
    echo "}"
  done
}

# The module path (this working tree as `clustersync`, Debian's stdlib) and the manifest,
# written once per provisioning round before the nodes apply it in parallel.
_cl_puppet_prepare() {
  local mp=$CL_DIR/modulepath
  if [ ! -d "$mp" ]; then
    mkdir -p "$mp"
    ln -s "$CL_REPO" "$mp/clustersync"
    ln -s /usr/share/puppet/modules/stdlib "$mp/stdlib"
  fi
  (umask 077 && _cl_manifest > "$CL_DIR/site.pp.tmp" && mv "$CL_DIR/site.pp.tmp" "$CL_DIR/site.pp")
}

_cl_provision_puppet() {
  local name=$1 mp=$CL_DIR/modulepath dir=$CL_DIR/nodes/$1
  [ -n "${_CL_PREPARED:-}" ] || _cl_puppet_prepare || return 1
  # --detailed-exitcodes: 0 no change, 2 changes, 4/6 failures.
  cl_exec "$name" puppet apply --detailed-exitcodes --color=false --modulepath "$mp" "$CL_DIR/site.pp" \
    > "$dir/puppet.log" 2>&1
  local rc=$?
  if [ "$rc" != 0 ] && [ "$rc" != 2 ]; then
    echo "puppet apply failed on $name (exit $rc):" >&2
    grep -v 'Facter: Permission denied' "$dir/puppet.log" | tail -n 30 >&2
    return 1
  fi
}

# ------------------------------------------------------------------------ checks and waits

cl_tree() {
  local name=$1 dir=$2
  cl_sh "$name" '
    cd "$1" || exit 1
    t=$(mktemp) && s=$(mktemp) || exit 1
    # Directory sizes depend on history, not content: leave them out.
    find . -mindepth 1 \( -type d -printf "%P\td %m -\n" \) -o \( -type l -printf "%P\tl %m -> %l\n" \) \
      -o \( -type f -printf "%P\tf %m %s\n" \) -o -printf "%P\t%y %m -\n" > "$t"
    # Not sha256sum: it follows a link that replaced a file after find listed it (tree-hashes.pl).
    perl "$2" > "$s" || { rm -f "$t" "$s"; exit 1; }
    awk -F "\t" -v OFS="\t" "NR == FNR { h[\$1] = \$2; next } { print \$1, \$2 ((\$1 in h) ? \" \" h[\$1] : \"\") }" "$s" "$t" \
      | LC_ALL=C sort
    rm -f "$t" "$s"
  ' "$dir" "$CL_LIB_DIR/tree-hashes.pl"
}

cl_same_tree() {
  local dir=$1; shift
  local first=$1 n ref other rc=0
  ref=$(cl_tree "$first" "$dir") || return 1
  shift
  for n in "$@"; do
    other=$(cl_tree "$n" "$dir") || return 1
    if [ "$ref" != "$other" ]; then
      [ -n "${CL_QUIET_DIFF:-}" ] || { echo "trees differ under $dir: $first vs $n" >&2
        diff <(echo "$ref") <(echo "$other") | head -n 20 >&2; }
      rc=1
    fi
  done
  return $rc
}

cl_dirty() {
  local name=$1 group=$2 out rc
  out=$(cl_exec "$name" csync2 -C "$group" -M 2>&1); rc=$?
  # -M exits 2 when the dirty list is empty.
  [ "$rc" = 2 ] && return 0
  echo "$out"
  return 1
}

_cl_lsyncd_logs() { ls "$CL_DIR/nodes/$1/upper/var/log/lsyncd.stdout" "$CL_DIR/nodes/$1"/upper/var/log/lsyncd/*.log 2>/dev/null; }

_cl_lsyncd_snapshot() {
  local name=$1 pid=$2 f
  # Children's CPU time (reaped children) and the size of every log it writes.
  awk '{print $16, $17}' "/proc/$pid/stat" 2>/dev/null
  for f in $(_cl_lsyncd_logs "$name"); do stat -c '%n %s' "$f"; done
}

cl_lsyncd_idle() {
  local name=$1 window=${2:-$((${CL_DELAY%.*} + 1))} pid before end
  pid=$(cat "$CL_DIR/nodes/$name/lsyncd.pid" 2>/dev/null) || { echo "no lsyncd on $name" >&2; return 1; }
  kill -0 "$pid" 2>/dev/null || { echo "lsyncd on $name is not running" >&2; return 1; }
  before=$(_cl_lsyncd_snapshot "$name" "$pid")
  end=$(($(date +%s%N) / 100000000 + window * 10))
  while [ $(($(date +%s%N) / 100000000)) -lt "$end" ]; do
    if [ -n "$(ps -o pid= --ppid "$pid")" ]; then return 1; fi
    sleep 0.1
  done
  [ "$before" = "$(_cl_lsyncd_snapshot "$name" "$pid")" ]
}

# Logs a scenario inspects for conflicts: csync2's client output (under lsyncd), lsyncd's
# log, and the listener's syslog.
_cl_logs() {
  ls "$CL_DIR/nodes/$1/upper/var/log/lsyncd.stdout" "$CL_DIR/nodes/$1"/upper/var/log/lsyncd/*.log \
     "$CL_DIR/nodes/$1/upper/var/log/syslog" 2>/dev/null
}

cl_mark_logs() {
  local n f
  for n in $(cl_nodes); do
    for f in $(_cl_logs "$n"); do stat -c '%s %n' "$f"; done
  done > "$CL_DIR/logmark"
}

# Lines written since cl_mark_logs to NAME's logs.
cl_new_log_lines() {
  local name=$1 f off
  for f in $(_cl_logs "$name"); do
    off=$(awk -v f="$f" '$2 == f {print $1}' "$CL_DIR/logmark" 2>/dev/null)
    tail -c +$((${off:-0} + 1)) "$f" | sed "s#^#$name: #"
  done
}

CL_CONFLICT_RE='conflict|also marked dirty|stays in dirty state|File is different|Identification failed|Connection closed|ERROR'

# Lines matching CL_EXPECTED_RE (set by a scenario that causes them) are not reported.
cl_conflicts() {
  local out
  out=$(cl_new_log_lines "$1" | grep -E -i "$CL_CONFLICT_RE")
  [ -n "${CL_EXPECTED_RE:-}" ] && out=$(grep -E -v "$CL_EXPECTED_RE" <<<"$out")
  [ -z "$out" ] && return 0
  echo "$out"
  return 1
}

# One member's part of cl_at_rest; prints its complaints.
_cl_node_at_rest() {
  local n=$1 groups=$2 group rc=0
  for group in $groups; do
    # A member of only some of the groups: the others have no config file here.
    cl_exec "$n" test -f "${CL_CSYNC2_DIR:-/etc}/csync2_$group.cfg" || continue
    if ! cl_wait_until "${CL_REST_WAIT:-20}" cl_dirty_except "$n" "$group" "${CL_PARKED:-}" >/dev/null; then
      echo "$n: entries left dirty in $group${CL_PARKED:+ (not counting those for $CL_PARKED)}:"
      cl_dirty_except "$n" "$group" "${CL_PARKED:-}" | head -n 10; rc=1
    fi
  done
  local idle=(cl_lsyncd_idle "$n")
  [ -z "${CL_PARKED:-}" ] || idle=(cl_lsyncd_idle_except "$n" "$CL_PARKED")
  if ! cl_wait_until "${CL_REST_WAIT:-20}" "${idle[@]}" 2>&1; then echo "$n: lsyncd never went idle"; rc=1; fi
  if ! cl_conflicts "$n" > "$CL_DIR/conflicts.$n"; then
    echo "$n: unexpected conflicts/errors logged:"; head -n 10 "$CL_DIR/conflicts.$n"; rc=1
  fi
  return $rc
}

# At rest: no node has dirty entries in any of GROUPS ("g1 g2"; groups a node is not a
# member of are skipped), none logged a conflict since the last cl_mark_logs, every lsyncd is
# idle. Waits (bounded: CL_REST_WAIT seconds, default 20, for each) for dirty lists and lsyncd
# to settle; the members are checked in parallel.
# CL_PARKED="NODE...": entries dirty for those peers (members that are down or do not answer,
# whose lanes are parked) do not count, nor their lanes' probes (cl_lsyncd_idle_except);
# check only the live members then.
cl_at_rest() {
  local groups=$1; shift
  local n rc=0 pids=() i=0
  for n in "$@"; do
    _cl_node_at_rest "$n" "$groups" > "$CL_DIR/rest.$n" 2>&1 & pids+=($!)
  done
  for n in "$@"; do
    wait "${pids[$i]}" || { rc=1; cat "$CL_DIR/rest.$n" >&2; }
    i=$((i + 1))
  done
  return $rc
}

cl_converge() {
  local timeout=$1 group=$2 dir=$3; shift 3
  local t0; t0=$(date +%s%N)
  if ! CL_QUIET_DIFF=1 cl_wait_until "$timeout" cl_same_tree "$dir" "$@"; then
    cl_same_tree "$dir" "$@"
    cl_fail "no convergence of $dir on $* within ${timeout}s"
    return 1
  fi
  cl_log "converged $dir on $* in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
  cl_at_rest "$group" "$@" || { cl_fail "$group not at rest on $*"; return 1; }
  cl_log "at rest $(( ($(date +%s%N) - t0) / 1000000 )) ms after the change"
}

cl_fail() {
  local n f off
  cl_note "FAILURE: $*"
  for n in $(cl_nodes); do
    for f in $(_cl_logs "$n"); do
      off=$(awk -v f="$f" '$2 == f {print $1}' "$CL_DIR/logmark" 2>/dev/null)
      echo "--- $n: ${f##*/upper} (last lines since the case began):" >&2
      tail -c +$((${off:-0} + 1)) "$f" | grep -v 'Reading included configuration' | tail -n 8 >&2
    done
  done
  return 1
}

# ------------------------------------------------------------------------------ scenarios

# cl_case NAME FUNC [ARGS]: runs one scenario in a subshell with set -e, prints "PASS|FAIL NAME
# (S s)" and records the result in $CL_RESULTS for cluster/test. A command that fails where
# set -e stops the case is reported by an ERR trap with its file, line and text, and the
# functions that led there; what the cl_expect_* helpers and cl_fail report is collected too,
# and a failed case prints all of it under its FAIL line, each line as "    | ...". Log lines
# before the case do not count as its conflicts.
cl_case() {
  local name=$1; shift
  local t0 rc secs
  # CL_ONLY="word...": run only the cases whose names contain one of the words.
  if [ -n "${CL_ONLY:-}" ]; then
    local w hit=
    for w in $CL_ONLY; do case $name in *"$w"*) hit=1 ;; esac; done
    [ -n "$hit" ] || return 0
  fi
  t0=$(date +%s%N)
  cl_mark_logs
  cl_log "--- case $name"
  CL_CASE_NOTES=$CL_DIR/case.notes
  : > "$CL_CASE_NOTES"
  # For the ERR trap: the case function, and the subshell level of the case's own shell.
  local _cl_case_func=$1 _cl_case_shell=$((BASH_SUBSHELL + 1))
  ( set -eE; trap '_cl_case_err $?' ERR; "$@" )
  rc=$?
  secs=$(awk -v ns="$(( $(date +%s%N) - t0 ))" 'BEGIN { printf "%.1f", ns / 1e9 }')
  if [ "$rc" = 0 ]; then
    echo "PASS $name (${secs} s)"
  else
    echo "FAIL $name (${secs} s)"
    sed 's/^/    | /' "$CL_CASE_NOTES"
  fi
  CL_CASE_NOTES=
  [ -n "${CL_RESULTS:-}" ] && echo "$([ "$rc" = 0 ] && echo PASS || echo FAIL) $name $secs" >> "$CL_RESULTS"
  return 0
}

# A path as the report shows it: relative to the working tree.
_cl_where() { echo "${1#"$CL_REPO"/}"; }

# The ERR trap of cl_case: STATUS of the failed command. Its frames: 1 is the function the
# command failed in, the line of the failure is BASH_LINENO[0]; each further frame is the caller,
# up to cl_case. It reports where set -e stops the case: in the case's own shell (commands of
# pipelines and of $(...) run in subshells, whose failures set -e leaves to the command around
# them).
_cl_case_err() {
  local status=$1 i msg
  [ "$BASH_SUBSHELL" = "$_cl_case_shell" ] || return 0
  if [ "${FUNCNAME[1]}" = cl_case ]; then
    cl_note "$_cl_case_func returned $status (its checks above say why)"
    return
  fi
  # BASH_COMMAND is the last simple command run, inside the function when a function failed:
  # the source text names what the case called.
  msg="$(_cl_where "${BASH_SOURCE[1]}"):${BASH_LINENO[0]}: in ${FUNCNAME[1]}: $(_cl_source "${BASH_SOURCE[1]}" "${BASH_LINENO[0]}") (exit $status)"
  for ((i = 1; i + 1 < ${#FUNCNAME[@]}; i++)); do
    [ "${FUNCNAME[i + 1]}" = cl_case ] && break
    msg+=$'\n'"  called from $(_cl_where "${BASH_SOURCE[i + 1]}"):${BASH_LINENO[i]}: in ${FUNCNAME[i + 1]}"
  done
  cl_note "$msg"
}

# _cl_source FILE LINE: the command at LINE of FILE with the lines it continues and that
# continue it (a trailing backslash), joined, blanks squeezed.
_cl_source() {
  awk -v n="$2" '
    { line[NR] = $0 }
    NR > n && line[NR - 1] !~ /\\$/ { exit }
    END {
      first = n; while (first > 1 && line[first - 1] ~ /\\$/) first--
      for (i = first; i in line && (i <= n || line[i - 1] ~ /\\$/); i++) {
        part = line[i]; sub(/\\$/, "", part); text = text " " part
      }
      gsub(/[ \t]+/, " ", text); sub(/^ /, "", text); sub(/ $/, "", text); print text
    }' "$1"
}

# cl_note MSG...: a line that explains a failure: on stderr (the scenario's log) and, inside a
# case, under its FAIL line.
cl_note() {
  echo "$*" >&2
  [ -z "${CL_CASE_NOTES:-}" ] || echo "$*" >> "$CL_CASE_NOTES"
}

# _cl_caller: "FILE:LINE" of the call of the function that calls it (in a scenario, the line of
# the cl_expect_* that failed).
_cl_caller() {
  local line file
  read -r line _ file < <(caller 1)
  echo "$(_cl_where "$file"):$line"
}

# cl_expect_eq WHAT EXPECTED ACTUAL: 0 when ACTUAL is EXPECTED; otherwise reports both, with
# the file and line of the call, and returns 1.
cl_expect_eq() {
  [ "$3" = "$2" ] && return 0
  cl_note "$(_cl_caller): $1: expected '$2', got '$3'"
  return 1
}

# Writes stdin to PATH inside NAME (through the node's own view, so its lsyncd sees it).
cl_write() { cl_sh "$1" 'cat > "$1"' "$2"; }

# Asserts that PATH on NAME holds exactly TEXT (one line).
cl_expect_content() {
  local got
  got=$(cl_exec "$1" cat "$2" 2>/dev/null) || { cl_note "$(_cl_caller): $1: $2 missing, expected '$3'"; return 1; }
  [ "$got" = "$3" ] || { cl_note "$(_cl_caller): $1: $2: expected '$3', got '$got'"; return 1; }
}

# Asserts that PATH does not exist on NAME.
cl_expect_absent() {
  if cl_exec "$1" test -e "$2" -o -L "$2"; then cl_note "$(_cl_caller): $1: $2 exists but must not"; return 1; fi
}

# cl_dirty_except NAME GROUP "NODE...": like cl_dirty, but entries waiting for one of those
# peers (named or addressed as in the group file: csync2 -M prints force, this host, peer,
# path) do not count; an empty list is cl_dirty itself.
cl_dirty_except() {
  local name=$1 group=$2 parked=$3 out rc p skip=""
  [ -n "$parked" ] || { cl_dirty "$name" "$group"; return; }
  out=$(cl_exec "$name" csync2 -C "$group" -M 2>&1); rc=$?
  [ "$rc" = 2 ] && return 0
  for p in $parked; do skip+=" $p $(cl_addr "$p")"; done
  out=$(awk -F '\t' -v skip="$skip" '
    BEGIN { n = split(skip, s, " "); for (i = 1; i <= n; i++) parked[s[i]] = 1 }
    !(NF == 4 && ($3 in parked))' <<<"$out")
  [ -z "$out" ] && return 0
  echo "$out"
  return 1
}

# cl_lsyncd_idle_except NAME "NODE..." [SECS]: cl_lsyncd_idle for a member whose lanes to those
# peers are parked (they do not answer): such a lane's probe, a lane runner started with probe
# 1 for one of those peers, may run during the window; any other child (a check, a push, a
# runner for another peer) or a new log line is activity. The children's CPU time is not
# compared: every probe adds to it.
cl_lsyncd_idle_except() {
  local name=$1 parked=$2 window=${3:-$((${CL_DELAY%.*} + 1))} pid before end child p addrs=" "
  for p in $parked; do addrs+="$(cl_addr "$p") $p "; done
  pid=$(cat "$CL_DIR/nodes/$name/lsyncd.pid" 2>/dev/null) || { echo "no lsyncd on $name" >&2; return 1; }
  kill -0 "$pid" 2>/dev/null || { echo "lsyncd on $name is not running" >&2; return 1; }
  before=$(for p in $(_cl_lsyncd_logs "$name"); do stat -c '%n %s' "$p"; done)
  end=$(($(date +%s%N) / 100000000 + window * 10))
  while [ $(($(date +%s%N) / 100000000)) -lt "$end" ]; do
    for child in $(ps -o pid= --ppid "$pid"); do
      _cl_parked_probe "$child" "$addrs" || return 1
    done
    sleep 0.1
  done
  [ "$before" = "$(for p in $(_cl_lsyncd_logs "$name"); do stat -c '%n %s' "$p"; done)" ]
}

# True when process PID is a lane runner probing one of ADDRS (" addr name ... "): the action
# spawns it as bash -c SCRIPT clustersync-lane PROBE COUNTFILE PEER PORT CSYNC2... A process
# already gone (or a zombie, whose command line is empty) counts as nothing.
_cl_parked_probe() {
  local args=()
  mapfile -d '' args 2>/dev/null < "/proc/$1/cmdline" || return 0
  [ ${#args[@]} -gt 0 ] || return 0
  [ "${args[3]:-}" = clustersync-lane ] && [ "${args[4]:-}" = 1 ] && [[ $2 == *" ${args[6]:-} "* ]]
}

# cl_fingerprint NAME PATH...: one line per PATH as NAME sees it, without following symbolic
# links: type, mode, owner, size, mtime and ctime (ns), sha256 of a regular file, target of a
# link; a directory is listed with everything below it; a missing PATH prints "PATH absent".
# Two fingerprints are equal only if nothing was created, written, chmod-ed or replaced there.
cl_fingerprint() {
  local name=$1; shift
  cl_sh "$name" '
    for p in "$@"; do
      if [ ! -e "$p" ] && [ ! -L "$p" ]; then echo "$p absent"; continue; fi
      find "$p" -printf "%p %y %m %U:%G %s %T@ %C@ %l\n" | LC_ALL=C sort
      find "$p" -type f -print0 | xargs -0 -r sha256sum | LC_ALL=C sort -k 2
    done' "$@"
}

# cl_puppet_apply NAME MANIFEST: puppet apply of MANIFEST (a file) on NAME with the run's module
# path (this working tree and Debian's stdlib), as cl_provision does it; puppet's output on
# stdout, its --detailed-exitcodes status returned (0 nothing to do, 2 changes, else failures).
cl_puppet_apply() {
  [ -d "$CL_DIR/modulepath" ] || _cl_puppet_prepare || return 1
  cl_exec "$1" puppet apply --detailed-exitcodes --color=false --modulepath "$CL_DIR/modulepath" "$2" 2>&1
}
