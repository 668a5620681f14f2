#!/bin/bash
# Manual proof (not a CTest test; needs root) that the rendered lsyncd action really syncs:
# two csync2 members, "nodea" and "nodeb", each in its own network namespace (198.18.0.201/.202)
# and mount namespace (so both see their own /tmp/h2sync/{data,etc,db,log}), each running the
# csync2 listener and lsyncd with the files clustersync-helper rendered for it. Scenarios: create,
# rename, directory tree and its deletion, both directions, a peer that is down and comes back,
# a burst with lsyncd on both members, and catching up at start-up. After each, both trees must
# be identical and no csync2 entry dirty.
#
#   bench/two-node-proof.sh [HELPER]      (default HELPER: build/clustersync-helper)
#   KEEP=1 keeps /tmp/h2sync-nodes (configs, logs) for a look afterwards.
set -u
helper=$(realpath "${1:-build/clustersync-helper}")
top=/tmp/h2sync          # the path every member sees; each binds its own directories onto it
state=/tmp/h2sync-nodes  # per-member directories behind those binds
ns_a=h2proof-a ns_b=h2proof-b
fails=0

kill_tree() {  # kill_tree PID: the process and its descendants (csync2 runs of lsyncd, listener children)
    local child
    for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do kill_tree "$child"; done
    kill -9 "$1" 2>/dev/null
}
cleanup() {
    for pid in ${pids:-}; do kill_tree "$pid"; done
    wait 2>/dev/null
    ip netns del $ns_a 2>/dev/null; ip netns del $ns_b 2>/dev/null
    umount "$top"/* 2>/dev/null
    [ -n "${KEEP:-}" ] && return
    rm -rf "$state" "$top"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
KEEP= cleanup

say() { printf '%s %s\n' "$(date +%T.%N | cut -c1-12)" "$*"; }
check() {  # check DESCRIPTION COMMAND...
    if "${@:2}"; then say "ok:   $1"; else say "FAIL: $1"; fails=$((fails + 1)); fi
}

mkdir -p "$top"/{data,etc,db,log}
cat >"$top/csync2" <<EOF
#!/bin/sh
# csync2 as this proof runs it: config and database in the member's own directories.
CSYNC2_SYSTEM_DIR=$top/etc exec /usr/sbin/csync2 ${VERBOSE:+-v} -D $top/db "\$@"
EOF
chmod 755 "$top/csync2"
printf '127.0.0.1 localhost\n198.18.0.201 nodea\n198.18.0.202 nodeb\n' >"$top/hosts"
key=$(head -c 48 /dev/urandom | base64 | tr -d '/+=' | head -c 60)

model='{"layout":{"csync2_dir":"'$top'/etc","lsyncd_config":"'$top'/etc/lsyncd.conf.lua","csync2_bin":"'$top'/csync2"},
 "logdir":"'$top'/log","sources":{"'$top'/data":"proof"},
 "serversets":{"proof":{"servers":["nodea@198.18.0.201","nodeb@198.18.0.202"],"key_content":true}}}'

for node in nodea nodeb; do
    mkdir -p "$state/$node"/{data,etc,db,log,render}
    "$helper" render --model-json "$model" --node $node --output-dir "$state/$node/render" >/dev/null || exit 1
    cp "$state/$node/render$top/etc/"* "$state/$node/etc/"
    # Experiments: CLIENT_OPTS replaces the csync2 options of the rendered action (LISTENER_OPTS,
    # default "-B -A", those of the listener).
    [ -z "${CLIENT_OPTS:-}" ] || sed -i "s|^local options = .*|local options = { \"-N\", \"$node\", $CLIENT_OPTS }|" \
        "$state/$node/etc/lsyncd.conf.lua"
    # Experiments: SETTLE replaces the action's pause.
    [ -z "${SETTLE:-}" ] || sed -i "s|^local settle = .*|local settle = $SETTLE|" "$state/$node/etc/lsyncd.conf.lua"
    printf '%s\n' "$key" >"$state/$node/etc/csync2_proof.key"
    chmod 600 "$state/$node/etc/csync2_proof.key"
done

ip netns add $ns_a && ip netns add $ns_b || exit 1
ip link add h2pa type veth peer name h2pb
ip link set h2pa netns $ns_a && ip link set h2pb netns $ns_b
ip -n $ns_a addr add 198.18.0.201/24 dev h2pa && ip -n $ns_b addr add 198.18.0.202/24 dev h2pb
for ns in $ns_a $ns_b; do ip -n $ns link set lo up; done
ip -n $ns_a link set h2pa up && ip -n $ns_b link set h2pb up

# Background jobs run nsenter itself (not a shell function), so $! is the process to kill.
# start_member NODE NS: a shell in the member's namespaces that binds its directories, then
# runs the listener (-ii: standalone) and lsyncd. Its pid is the handle for nsenter.
declare -A shell_pid
start_member() {
    local node=$1 ns=$2
    ip netns exec "$ns" unshare --mount --propagation private sh -c '
        for d in data etc db log; do mount --bind "$1/$d" "$2/$d"; done
        mount --bind "$2/hosts" /etc/hosts
        exec sleep infinity' sh "$state/$node" "$top" &
    shell_pid[$node]=$!
    pids="${pids:-} $!"
    sleep 0.3
}
in_member() {  # in_member NODE COMMAND...: runs COMMAND in the member's namespaces
    local node=$1; shift
    nsenter -t "${shell_pid[$node]}" -m -n -- "$@"
}
start_listener() {
    nsenter -t "${shell_pid[$1]}" -m -n -- env CSYNC2_SYSTEM_DIR=$top/etc /usr/sbin/csync2 -ii ${VERBOSE:+-v} -N "$1" ${LISTENER_OPTS:--B -A} -D $top/db \
        >>"$state/$1/listener.out" 2>&1 &
    pids="$pids $!"
    eval "listener_$1=$!"
}
start_lsyncd() {
    nsenter -t "${shell_pid[$1]}" -m -n -- lsyncd -nodaemon -log Normal $top/etc/lsyncd.conf.lua \
        >>"$state/$1/lsyncd.out" 2>&1 &
    pids="$pids $!"
    eval "lsyncd_$1=$!"
}

start_member nodea $ns_a
start_member nodeb $ns_b
for node in nodea nodeb; do start_listener $node; done
sleep 0.5
for node in nodea nodeb; do start_lsyncd $node; done
sleep 2

tree() { in_member "$1" sh -c "cd $top/data && find . -printf '%y %p %s\n' | sort && find . -type f -exec md5sum {} + | sort"; }
dirty() { in_member "$1" $top/csync2 -C proof -N "$1" -M 2>/dev/null; }
# converge TIMEOUT: waits until both trees are equal and nothing is dirty; prints seconds taken.
converge() {
    local start=$SECONDS t0 now
    t0=$(date +%s.%N)
    while [ $((SECONDS - start)) -lt "$1" ]; do
        if [ "$(tree nodea)" = "$(tree nodeb)" ] && [ -z "$(dirty nodea)" ] && [ -z "$(dirty nodeb)" ]; then
            now=$(date +%s.%N); echo "$now - $t0" | bc; return 0
        fi
        sleep 0.1
    done
    return 1
}
converged() {  # converged DESCRIPTION TIMEOUT
    local took
    if took=$(converge "$2"); then say "ok:   $1 (converged in ${took}s)"
    else say "FAIL: $1: not converged in $2 s"; fails=$((fails + 1))
        diff <(tree nodea) <(tree nodeb) | head; dirty nodea | head -3; dirty nodeb | head -3
    fi
}

# Experiment: WAL=1 switches both databases to WAL mode.
if [ -n "${WAL:-}" ]; then
    sleep 1
    for node in nodea nodeb; do sqlite3 "$state/$node/db/${node}_proof.db3" 'PRAGMA journal_mode=WAL;' >/dev/null; done
fi
if [ -z "${ONLY_BURST:-}" ]; then
# One-file latency: from the write on nodea until nodeb holds the file, polled every 20 ms by
# one shell in nodeb (so the polling costs little); median of 5 rounds.
latencies=()
for round in 1 2 3 4 5; do
    t0=$(date +%s.%N)
    in_member nodea sh -c "echo $round > $top/data/latency$round"
    in_member nodeb sh -c "for i in \$(seq 500); do [ -e $top/data/latency$round ] && exit 0; sleep 0.02; done; exit 1" \
        && latencies+=("$(echo "$(date +%s.%N) - $t0" | bc)")
    sleep 1.5
done
say "one-file latency nodea -> nodeb, seconds (delay 1): $(printf '%s\n' "${latencies[@]}" | sort -n | tr '\n' ' ')"
check "one-file latency: every round arrived" test "${#latencies[@]}" = 5
in_member nodea sh -c "echo hello > $top/data/one"
converged "a new file on nodea reaches nodeb" 10
in_member nodea mv $top/data/one "$top/data/one renamed"
converged "a rename on nodea (old path gone, new path there)" 10
in_member nodea sh -c "mkdir -p $top/data/tree/sub && for i in 1 2 3; do echo \$i > $top/data/tree/sub/f\$i; done"
converged "a new directory tree" 10
in_member nodea mv $top/data/tree $top/data/tree2
converged "a renamed directory tree" 10
in_member nodea rm -rf $top/data/tree2
converged "a deleted directory tree" 10
in_member nodeb sh -c "printf 'x\n' > '$top/data/from b \$[x]'"
converged "a file written on nodeb (odd name) reaches nodea" 10

kill "$listener_nodeb"; wait "$listener_nodeb" 2>/dev/null
in_member nodea sh -c "echo while-down > $top/data/while-down"
sleep 3
check "with nodeb's listener down the change waits on nodea" test -n "$(dirty nodea)"
start_listener nodeb
converged "after nodeb's listener is back, the retry delivers it" 20
fi

in_member nodea sh -c "mkdir -p $top/data/burst && cd $top/data/burst && for i in \$(seq ${BURST:-1000}); do echo \$i > f\$i; done"
converged "a ${BURST:-1000}-file burst with lsyncd on both members" 60
sleep 3
check "both lsyncd idle after the burst (no run in the last 2 s)" sh -c "
    ! grep -q \"\$(date -d '-1 sec' +%T)\\|\$(date +%T)\" $state/nodea/log/lsyncd.log $state/nodeb/log/lsyncd.log"

kill "$lsyncd_nodea"; wait "$lsyncd_nodea" 2>/dev/null
in_member nodea sh -c "echo offline > $top/data/offline-change"
start_lsyncd nodea
converged "a change made while lsyncd was down is caught up at start-up" 20

runs_a=$(grep -c 'Exec\|Finished\|exited with' "$state/nodea/log/lsyncd.log")
say "lsyncd log lines about runs: nodea $runs_a, nodeb $(grep -c 'Exec\|Finished\|exited with' "$state/nodeb/log/lsyncd.log")"
say "nodea lsyncd log tail:"; tail -5 "$state/nodea/log/lsyncd.log"
[ "$fails" = 0 ] && say "all scenarios passed" || say "$fails scenario(s) FAILED"
[ "$fails" = 0 ]
