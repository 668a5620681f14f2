# shellcheck shell=bash
# bench/cluster-lib.sh: measurement functions for bench/cluster, on top of cluster/lib.sh
# (which must be sourced first). Every wait is bounded; nothing here edits cluster/ files.
#
#   bc_now                          wall clock in seconds with milliseconds (for differences)
#   bc_make_tree DIR N MTIME        N files of a few bytes, 100 per directory, all with MTIME
#   bc_prefill GROUP DIR TEMPLATE NODE...  copy TEMPLATE into DIR of each node (mtimes kept) and
#                                  record it in csync2's database as in sync (-cIr), no transfer;
#                                  the database is made once per TEMPLATE and copied
#   bc_dirty_count GROUP NODE...    total csync2 -M entries of the nodes (0 when all empty)
#   bc_dirty_save GROUP FILE NODE...  the nodes' csync2 -M entries into FILE, NODE TAB entry
#   bc_lsyncd_idle NODE WINDOW      cl_lsyncd_idle's test, polled from /proc (cheap: see below)
#   bc_all_idle WINDOW NODE...      every node's lsyncd idle for WINDOW s (checked in parallel)
#   bc_wait_idle TIMEOUT NODE...    wait (bounded) until bc_all_idle 2 holds
#   bc_cpu_ticks NODE               clock ticks of reaped children of NODE's lsyncd and xinetd
#   bc_cpu_ticks_xinetd NODE        the same of NODE's xinetd alone (the csync2 listener)
#   bc_cluster_ticks NODE...        bc_cpu_ticks summed over the nodes
#   bc_lsyncd_own_ticks NODE...     clock ticks of the nodes' lsyncd processes themselves
#   bc_nodes M                      "node1 ... nodeM"
#   bc_peer_lanes NODE              the peers of NODE's lsyncd lanes, as csync2 names them
#   bc_children_ms VAR              user+system ms of this shell's reaped children, into VAR
#   bc_machine_ticks                busy clock ticks of the whole machine (/proc/stat, all CPUs)
#   bc_wait_files TIMEOUT FILE CONTENT NODE...   poll host-side (every 10 ms) until every NODE
#                                  holds FILE with CONTENT; 1 on timeout

bc_now() { date +%s.%N | cut -c1-14; }

bc_elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

bc_make_tree() {
  local dir=$1 n=$2 mtime=$3
  mkdir -p "$dir"
  perl -e '
    my ($dir, $n, $mtime) = @ARGV;
    for my $i (0 .. $n - 1) {
      my $d = sprintf("%s/d%04d", $dir, int($i / 100));
      mkdir $d unless -d $d;
      my $f = sprintf("%s/f%03d", $d, $i % 100);
      open(my $fh, ">", $f) or die "$f: $!";
      print $fh "file $i\n";
      close $fh;
      utime $mtime, $mtime, $f;
    }
    opendir(my $dh, $dir) or die;
    for my $e (readdir $dh) { next if $e =~ /^\./; utime $mtime, $mtime, "$dir/$e"; }
    utime $mtime, $mtime, $dir;
  ' "$dir" "$n" "$mtime"
}

bc_prefill() {
  local group=$1 dir=$2 template=$3; shift 3
  local n pids=() rc=0 p first=$1 cache=$template.db3
  for n in "$@"; do
    cp -a "$template/." "$(cl_host_path "$n" "$dir")/" & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  [ $rc = 0 ] || { echo "bc_prefill: copy failed" >&2; return 1; }
  # -I (init run): new files go into the database without being marked dirty for the peers.
  # The database holds only paths and stat data, the same on every member with this tree, so
  # it is made once per tree (on the first member) and copied to the others under their names.
  # The copy keeps what provisioning put into a member's database: the module's index
  # (csync_db_index) is made again where the member had it, and its write-ahead-log mode
  # (csync_db_wal, kept in the file's header) set again; the cache holds neither (it is taken
  # from a member the module may have set to WAL, so its mode is set back to csync2's default).
  if [ ! -f "$cache" ]; then
    cl_exec "$first" csync2 -C "$group" -N "$first" -cIr "$dir" || { echo "bc_prefill: csync2 -cIr failed" >&2; return 1; }
    cl_exec "$first" cat "/var/lib/csync2/${first}_$group.db3" > "$cache.tmp" &&
      sqlite3 "$cache.tmp" 'DROP INDEX IF EXISTS clustersync_count' 'PRAGMA journal_mode = DELETE' >/dev/null &&
      mv "$cache.tmp" "$cache" || return 1
  fi
  for n in "$@"; do
    cl_sh "$n" 'db=$1
      had=$(sqlite3 -readonly "$db" "SELECT count(*) FROM sqlite_master WHERE name = '"'clustersync_count'"'" 2>/dev/null)
      mode=$(sqlite3 -readonly "$db" "PRAGMA journal_mode" 2>/dev/null)
      # No csync2 runs yet: the log and shared-memory files are empty leftovers of the reads above.
      rm -f "$db-wal" "$db-shm"
      mkdir -p /var/lib/csync2 && cat > "$db" || exit 1
      [ "$had" != 1 ] || sqlite3 "$db" "CREATE INDEX IF NOT EXISTS clustersync_count ON file(0)" || exit 1
      [ "$mode" != wal ] || [ "$(sqlite3 "$db" "PRAGMA journal_mode = WAL")" = wal ]' \
      "/var/lib/csync2/${n}_$group.db3" < "$cache" || return 1
  done
  local dirty
  dirty=$(bc_dirty_count "$group" "$@")
  [ "$dirty" = 0 ] || { echo "bc_prefill: $dirty entries dirty after -cIr" >&2; return 1; }
}

bc_dirty_count() {
  local group=$1 n out rc total=0
  shift
  for n in "$@"; do
    out=$(cl_exec "$n" csync2 -C "$group" -N "$n" -M 2>/dev/null); rc=$?
    # -M exits 2 when the list is empty.
    [ "$rc" = 2 ] && continue
    total=$((total + $(printf '%s\n' "$out" | grep -c .)))
  done
  echo "$total"
}

# The test of cl_lsyncd_idle (cluster/lib.sh): lsyncd alive, no child during WINDOW seconds
# (polled every 0.1 s), and its reaped children's CPU and its logs' sizes the same at both ends
# of the window. cl_lsyncd_idle asks `ps --ppid` at each poll, which reads every process's stat
# (about 8 ms on this machine): one checker per member of an 8-member cluster then took more
# than half a CPU from the cluster being measured, right after each burst. This one reads the
# kernel's list of lsyncd's children (/proc/PID/task/TID/children) with builtins.
bc_lsyncd_idle() {
  local name=$1 window=$2 pid before end f c
  pid=$(cat "$CL_DIR/nodes/$name/lsyncd.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  before=$(_cl_lsyncd_snapshot "$name" "$pid")
  end=$(( ${EPOCHREALTIME/./} + window * 1000000 ))
  while [ "${EPOCHREALTIME/./}" -lt "$end" ]; do
    for f in /proc/"$pid"/task/*/children; do
      c=
      { read -r c < "$f"; } 2>/dev/null
      [ -z "$c" ] || return 1
    done
    [ -d "/proc/$pid" ] || return 1
    sleep 0.1
  done
  [ "$before" = "$(_cl_lsyncd_snapshot "$name" "$pid")" ]
}

# bc_dirty_save GROUP FILE NODE...: every node's csync2 -M entries into FILE, each line
# prefixed with the node's name (kept with the raw results when something stays dirty); then
# into FILE.context each node's lanes file and the listener's syslog (lines about dirty files,
# conflicts and errors, then its last lines).
bc_dirty_save() {
  local group=$1 file=$2 n
  shift 2
  for n in "$@"; do
    cl_exec "$n" csync2 -C "$group" -N "$n" -M 2>/dev/null | sed "s/^/$n\t/"
  done > "$file"
  for n in "$@"; do
    echo "== $n: lanes"
    cl_exec "$n" sh -c 'cat /var/lib/clustersync/*.lanes' 2>/dev/null
    echo "== $n: syslog (the listener's log), lines about dirty files, conflicts and errors, then the last 20"
    grep -iE 'dirty|conflict|error' "$(cl_node_dir "$n")/upper/var/log/syslog" 2>/dev/null | tail -n 40
    echo "--"
    tail -n 20 "$(cl_node_dir "$n")/upper/var/log/syslog" 2>/dev/null
  done > "$file.context"
}

bc_all_idle() {
  local window=$1 n pids=() rc=0 p
  shift
  for n in "$@"; do bc_lsyncd_idle "$n" "$window" 2>/dev/null & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  return $rc
}

bc_wait_idle() {
  local timeout=$1; shift
  cl_wait_until "$timeout" bc_all_idle 2 "$@"
}

bc_cpu_ticks() {
  local n=$1 lpid xpid
  lpid=$(cat "$(cl_node_dir "$n")/lsyncd.pid")
  xpid=$(cl_exec "$n" cat /run/xinetd.pid)
  # Fields 16 and 17 of /proc/PID/stat: user and system time of waited-for children. csync2
  # runs as a direct child of lsyncd (client) and of xinetd (listener), both reap them.
  awk '{ s += $16 + $17 } END { print s }' "/proc/$lpid/stat" "/proc/$xpid/stat"
}

bc_cpu_ticks_xinetd() {  # the listener's share only (no lsyncd needed)
  awk '{ print $16 + $17 }' "/proc/$(cl_exec "$1" cat /run/xinetd.pid)/stat"
}

bc_cluster_ticks() {
  local n t=0
  for n in "$@"; do t=$((t + $(bc_cpu_ticks "$n"))); done
  echo "$t"
}

bc_lsyncd_own_ticks() {  # fields 14 and 15: the lsyncd process's own user and system time
  local n t=0
  for n in "$@"; do
    t=$((t + $(awk '{ print $14 + $15 }' "/proc/$(cat "$(cl_node_dir "$n")/lsyncd.pid")/stat")))
  done
  echo "$t"
}

bc_nodes() { local i s=""; for ((i = 1; i <= $1; i++)); do s+="node$i "; done; echo "${s% }"; }

# The peers NODE's lsyncd config gives a lane each (the second name of each pair of the
# group(...) line: what csync2 connects to, the address when the serverset names one).
bc_peer_lanes() {
  cl_exec "$1" grep '^group(' /etc/lsyncd/lsyncd.conf.lua |
    grep -o '{ "[^"]*", "[^"]*" }' | sed 's/^{ "[^"]*", "\([^"]*\)" }$/\1/'
}

bc_children_ms() {  # bc_children_ms VAR: user+system ms of this shell's reaped children into VAR
  # `times` must run in this shell, not in a command substitution's subshell.
  times > "$CL_DIR/times"
  printf -v "$1" '%s' "$(awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); s += t[1] * 60000 + t[2] * 1000 } print int(s) }' "$CL_DIR/times")"
}

bc_machine_ticks() {  # busy clock ticks of the whole machine, all CPUs (/proc/stat: all but idle and iowait)
  awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 }' /proc/stat
}

bc_wait_files() {
  local timeout=$1 file=$2 content=$3 n p line ok end paths=()
  shift 3
  # Host-side paths computed once, and only builtins in the loop but the sleep: polling must
  # not cost more than its 10 ms period on a loaded machine.
  for n in "$@"; do paths+=("$(cl_host_path "$n" "$file")"); done
  end=$(( ${EPOCHREALTIME/./} + timeout * 1000000 ))
  while :; do
    ok=1
    for p in "${paths[@]}"; do
      line=
      if [ ! -f "$p" ] || ! { read -r line < "$p"; } 2>/dev/null || [ "$line" != "$content" ]; then ok=0; break; fi
    done
    [ $ok = 1 ] && return 0
    [ "${EPOCHREALTIME/./}" -lt "$end" ] || return 1
    sleep 0.01
  done
}

# Median, min and max of numbers on stdin: "MED MIN MAX".
bc_stats() {
  sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "- - -"; exit }
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.3f %.3f %.3f\n", m, v[1], v[NR] }'
}
