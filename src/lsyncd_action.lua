-- clustersync's lsyncd action (lsyncd 2.2.3), explained in docs/lsyncd-action.md.
--
-- The helper renders this file into every node's lsyncd config after a prologue that defines
-- the locals csync2, delay, options, port and state_dir, and before one group(...) line per
-- csync2 group the node is a member of. Everything from the model reaches this code as those
-- locals or as arguments of group(...), never as code.
--
-- Two kinds of lsyncd sync:
--   * per synced directory, a source sync that gathers its inotify events into batches (and
--     takes them out of lsyncd's queue at once: see source_syncs), and a check sync that runs
--     csync2's checks on exactly a batch's changed paths, under the node's lock;
--   * a lane per peer of each group: pushes what is dirty for that peer (csync2 -u -P PEER), one
--     push at a time; a peer that is down is found and parked, so it holds up only its own lane.
--     The lanes push in parallel when csync2 waits for its database (csync2-wait.so); without
--     it they take turns with the checks on the node's csync2 database (db_lock below). A lane is an lsyncd sync too (over an empty directory of its own), which gives it lsyncd's
--     process handling: one child, its exit code, alarms for the back-off.
-- The decisions are the plain functions of the table `decide` (no lsyncd, no clock, no I/O);
-- unittest/lua/test_action.lua tests them with lua5.3.

-- Limits of one batch.
local max_paths = 5000
local max_bytes = 262144
local path_max = 4096
-- A failed check is retried after 5 s, then 10, 20, 40 and every 60 s; past max_pending paths
-- a retry checks the whole source instead. A lane whose push failed (the peer answered) is
-- retried on the same back-off.
local retry_first = 5
local retry_max = 60
local max_pending = 10000
-- A source's gathered events (see source_syncs) past this many: the source is checked whole
-- instead (in chunks), so a storm of events costs bounded memory.
local max_queued = 200000
-- A lane whose peer does not answer is probed again after 1 s, 2 s, 4 s, then every 5 s, so it
-- catches up within seconds of the peer's listener being back. A probe is one TCP connection to
-- the listener's port that must succeed within probe_timeout seconds.
local probe_first = 1
local probe_max = 5
local probe_timeout = 1
-- While a push runs, its peer is probed once the push has done nothing for watch_first
-- seconds, then after every watch_every seconds of silence; a push whose peer stopped
-- answering is ended (csync2 has no connect timeout: it
-- would wait for the kernel's SYN retries, about 130 s).
local watch_first = 1
local watch_every = 5
-- The checks of a group take turns on the node's csync2 database (db_lock): each holds the
-- group's database lock, state_dir/GROUP.db.lock (a file only root can open), while it runs.
-- csync2 2.0 sleeps a whole second whenever it finds its sqlite database locked by another
-- writer, and parallel pushes and checks do: docs/lsyncd-action.md. With csync2-wait.so
-- (csync2_wait above) csync2 waits for the lock instead, and the pushes take no turns: every
-- lane pushes at once. Without it, the pushes take turns with the checks and each other.
-- A push gives the lock up once it has done nothing for watch_first seconds while its peer
-- answers (a frozen listener, a large file), so a slow peer holds up the others about a second.
-- A lane whose last push ended at least idle_after seconds ago, woken by checks of at most
-- small_push paths, pushes without the lock: after a quiet spell a push of a few changes
-- costs no contention worth a turn, and a peer that went silent meanwhile must not hold up
-- the others' first push (the watchdog below finds it within about two seconds).
local idle_after = 2
local small_push = 100
-- At most this many paths of a failed check are named in the log line that reports it.
local log_paths = 5
-- A batch is checked `delay` seconds after its oldest event, except the first after a quiet
-- spell (no check of the source running or ended within the last `delay` seconds): that one
-- waits at most quiet_wait seconds. A lone change then goes out sooner, while a burst or a
-- steady stream of writes is still gathered into batches `delay` seconds apart, as before
-- (decide.batch_wait; the figures are in docs/benchmarks-delay.md).
local quiet_wait = 0.05
-- A check of a whole source (at start-up, and when more than max_pending paths wait for a
-- retry) runs in chunks of the source's top-level entries, about startup_chunk recorded files
-- each, every chunk a csync2 run that takes the locks anew: the changes made meanwhile are
-- checked between two chunks instead of after the whole tree (startup_runner below).
local startup_chunk = 10000
-- The checks (-m, -c) hold this lock, and so does every session of this node's csync2
-- listener (templates/xinetd-csync2.epp, templates/csync2@.service.epp): a check never sees
-- a file the listener is halfway through (renamed into place, mode and mtime not yet set,
-- record being rewritten), so what the listener writes is never marked dirty here and sent
-- back, and a batch is checked as soon as it is taken. The pushes (-u) talk to the peers'
-- listeners and hold no lock, so no two members can wait for each other.
-- The lock lives in state_dir, a directory only root can enter (0700, made so below and by
-- the module): no other user can open it, so none can take it and stall sync. Every wait on
-- it, and on the database lock, is bounded by lock_wait seconds: a check that times out fails
-- and is retried (nothing is lost), a push that times out goes on without the database lock.
local flock = "/usr/bin/flock"
local lock = state_dir .. "/csync2.lock"
local lock_wait = "120"
local timeout = "/usr/bin/timeout"
-- csync2-wait.so (src/preload/csync2_wait.c, installed by the helper's package): preloaded into
-- csync2 when it exists, it makes csync2 wait for its database instead of sleeping a second, so
-- the lanes push in parallel (see db_lock below), and spares each csync2 run the count of its
-- whole file table that csync2 2.0 makes at start. Without it the lanes take turns, as before.
local csync2_wait = "/usr/lib/clustersync/csync2-wait.so"
local bash = "/bin/bash"
-- Exit status of a lane's runner when its peer did not answer, and when its push succeeded
-- and marked entries dirty for other peers; of the check runner when its checks succeeded and
-- marked nothing dirty.
local unreachable = 3
local marked_others = 11
local nothing_marked = 10
-- A push still running after this many seconds is logged once (its listener accepts
-- connections but does not answer: frozen or overloaded; or a very large file).
local slow_after = 30

local unpack = table.unpack or unpack

-- Runs the check steps of one batch: each step as a count N followed by the N words of its
-- command ($0 is only a name). Every step runs. csync2 runs with -v, so it says which files it
-- marks dirty; the filter counts those lines, drops csync2's chatter of a run without errors,
-- and passes everything else on to lsyncd's log. Exit status: the last failing step's; 0 when
-- every step succeeded and something was marked dirty (the lanes then push); 10 when nothing
-- was (a member's check of files its listener received and recorded: no lane is woken).
-- $1 is the group's database lock, held while the steps run (taken before the node's lock,
-- which the listener holds too: see db_lock above). The script is constant: paths are only
-- ever arguments. It is a bash script: a step's words are sliced off the arguments with
-- "${@:1:n}" in one go (a batch carries up to max_paths paths; rebuilding the list word by word
-- in sh costs time quadratic in it: 0.7 CPU-s for 2,000 paths, 3.4 s for 5,000).
local check_runner = [[
umask 077
exec 8>>"$1" && ]] .. flock .. [[ -w ]] .. lock_wait .. [[ 8 ||
	{ echo "clustersync: database lock $1 not taken within ]] .. lock_wait .. [[ s" >&2; exit 75; }
shift
steps() {
	status=0
	while [ $# -gt 0 ]; do
		n=$1; shift
		"${@:1:n}" || status=$?
		shift "$n"
	done
	echo "clustersync-exit $status"
}
preload=
[ -r ]] .. csync2_wait .. [[ ] && preload=]] .. csync2_wait .. [[

set -- $({ LD_PRELOAD=${preload:-$LD_PRELOAD} steps "$@"; } 2>&1 | awk '
	/^Marking file as dirty: / { marked++; next }
	/^Connection closed\.$/ || /^Finished with 0 errors\.$/ { next }
	/^clustersync-exit [0-9]+$/ { status = $2; next }
	{ print > "/dev/stderr" }
	END { print status + 0, marked + 0 }')
[ "$1" -ne 0 ] && exit "$1"
[ "$2" -gt 0 ] && exit 0
exit 10
]]

-- The check of a whole source, in chunks: $1 the check runner, $2 the group's database lock,
-- $3 the chunk size (recorded files), $4 the word count N of the recursive check's command up to
-- "--" (flock ... csync2 -C GROUP OPTIONS -v -c -r --), then those N words, then the source.
-- The chunks are the source's top-level entries, those on disk and those csync2 has records of
-- (`csync2 -L`: entries deleted while lsyncd was down), sorted, grouped to about $3 recorded files;
-- each chunk is one run of the check runner (a `-c -r` of its entries; the first one also checks
-- the source itself, without -r), so the locks are taken anew for every chunk and a batch of
-- new changes waits for one chunk, not for the whole tree. When the listing cannot be split
-- (csync2 -L failed, a top-level name holds a newline), the whole source is checked in one run,
-- as the source's own `-c -r`. Exit status as the check runner's: the first failure's, else 0
-- when some chunk marked something, else 10. Constant: paths are only ever arguments.
local startup_runner = [[
run=$1 dblock=$2 chunk=$3 n=$4
shift 4
step=("${@:1:n}")
src=${@:n+1:1}
prefix=${src%/}/
status=10
check() {
	]] .. bash .. [[ -c "$run" clustersync "$dblock" "$@"
	local s=$?
	case $s in
		0) [ "$status" = 10 ] && status=0 ;;
		10) ;;
		*) [ "$status" = 0 ] || [ "$status" = 10 ] && status=$s ;;
	esac
	return 0
}
whole() {
	check "$((n + 1))" "${step[@]}" "$src"
	exit "$status"
}
# Top-level entries with the number of recorded files under each, "COUNT<TAB>NAME", sorted by
# name; a line "BAD" when the listing cannot be trusted.
entries() {
	{
		find "$src" -mindepth 1 -maxdepth 1 -printf 'F\t%f\n' || echo BAD
		[ -z "$(find "$src" -mindepth 1 -maxdepth 1 -name '*
*' -print -quit)" ] || echo BAD
		"${step[@]:4:n-8}" -L 2>/dev/null
		case $? in 0|2) ;; *) echo BAD ;; esac  # 2: nothing listed; 1: an error
	} | awk -v p="$prefix" '
		$0 == "BAD" { bad = 1; next }
		substr($0, 1, 2) == "F\t" { count[substr($0, 3)] += 0; next }
		/^v1[^\t]*\t/ {
			path = substr($0, index($0, "\t") + 1)
			if (substr(path, 1, length(p)) != p || length(path) == length(p)) next
			rel = substr(path, length(p) + 1)
			slash = index(rel, "/")
			count[slash ? substr(rel, 1, slash - 1) : rel]++
			next
		}
		{ bad = 1 }
		END { if (bad) { print "BAD"; exit } for (name in count) print count[name] "\t" name }' |
		LC_ALL=C sort -t '	' -k 2
}
first=1
paths=()
sum=0
flush() {
	[ "${#paths[@]}" -gt 0 ] || return 0
	local args=()
	if [ "$first" = 1 ]; then
		args=("$n" "${step[@]:0:n-2}" -- "$src")
		first=0
	fi
	check "${args[@]}" "$((n + ${#paths[@]}))" "${step[@]}" "${paths[@]}"
	paths=()
	sum=0
}
while IFS= read -r line; do
	[ "$line" = BAD ] && whole
	paths+=("$prefix${line#*	}")
	sum=$((sum + ${line%%	*} + 1))
	[ "$sum" -ge "$chunk" ] && flush
done < <(entries)
flush
[ "$first" = 1 ] && whole
exit "$status"
]]

-- One push of a lane: $1 probe first (1) or not (0), $2 the file that receives the number of
-- entries waiting for the peer ("" for none), $3 the peer as csync2 names it (the address it
-- connects to), $4 the port, $5 the group's database lock ("" to push without it), then
-- csync2 with -C GROUP and the options. Exit 3 when the peer does not answer a probe (before
-- the push; while it is silent, which ends it; or after it failed), 11 when the push
-- succeeded and marked entries dirty for other peers, otherwise csync2's exit status.
-- Constant, like the check runner. It runs in bash: lsyncd
-- starts its children with SIGCHLD blocked, and dash's `wait` for a background job then never
-- returns.
local lane_runner = [[
probe=$1 count=$2 peer=$3 port=$4 dblock=$5
shift 5
reach() {
	]] .. timeout .. [[ -k 1 ]] .. probe_timeout .. [[ ]] .. bash .. [[ -c 'exec 3<>"/dev/tcp/$0/$1"' "$peer" "$port" 2>/dev/null
}
# With csync2-wait.so, csync2 waits for its database (and does not count its file table at
# start) and the push takes no lock; without it, the database lock. The lock is the runner's
# alone (csync2 and the filter do not inherit it), so the runner can give it up while the push
# goes on.
preload=
[ -r ]] .. csync2_wait .. [[ ] && preload=]] .. csync2_wait .. [[

if [ "$probe" = 1 ]; then
	reach || exit 3
	if [ -n "$count" ]; then
		LD_PRELOAD=${preload:-$LD_PRELOAD} "$@" -M 2>/dev/null |
			awk -F '\t' -v p="$peer" '$3 == p { n++ } END { print n + 0 }' >"$count.new" &&
			mv -f "$count.new" "$count"
	fi
fi
held=0
if [ -n "$dblock" ] && [ -z "$preload" ]; then
	umask 077
	exec 8>>"$dblock" && ]] .. flock .. [[ -w ]] .. lock_wait .. [[ 8 && held=1
fi
# The push runs in a process substitution: `read -t` on its output is a bounded wait that
# costs no process of its own. csync2 runs with -v, so an awk filter says "." for each file it
# sends or deletes (progress), drops the rest of what -v adds (and the "stays in dirty state"
# beside each error, which csync2 prints without -v itself), counts the lines of files it marks
# dirty (csync2 marks a whole subtree dirty for every peer when this peer lacks its parent
# directory: the other lanes must then push too), passes everything else on to lsyncd's log,
# and says "marked" at the end.
exec 4< <(exec 8>&-; [ -n "$preload" ] && export LD_PRELOAD=$preload; exec "$@" -v -u -P "$peer" 2> >(exec awk '
	/^Marking file as dirty: / { marked++; next }
	/^(Updating |Deleting )/ { print "."; fflush(); next }
	/^(Connecting to host |missing parent dir )/ { next }
	/^(Connection closed\.|Finished with 0 errors\.|File is already up to date on peer\.)$/ { next }
	/^(File|Host) stays in dirty state\. Try again later\.\.\.$/ { next }
	{ print > "/dev/stderr"; fflush("/dev/stderr") }
	END { if (marked) print "marked" }'))
push=$!
ended=0 marked=0
wait_for=]] .. watch_first .. [[

# Silence (no file done) for wait_for seconds: the peer is probed; one that does not answer
# ends the push; one that does keeps it going, without the database lock.
while :; do
	read -r -t "$wait_for" -u 4 line
	case $? in
		0) [ "$line" = marked ] && marked=1; continue ;;
		1) break ;;
	esac
	reach || { kill "$push" 2>/dev/null; ended=1; break; }
	[ "$held" = 1 ] && ]] .. flock .. [[ -u 8 && held=0
	wait_for=]] .. watch_every .. [[

done
wait "$push"
status=$?
[ "$ended" = 1 ] && exit 3
# A push that failed at once (connection refused, no route) is an outage too.
[ "$status" != 0 ] && ! reach && exit 3
[ "$status" = 0 ] && [ "$marked" = 1 ] && exit 11
exit "$status"
]]

-- The decisions, as plain functions of plain values.
local decide = {}

-- Paths of a log line: control characters and backslashes escaped, so a file name cannot
-- forge a line; at most `limit` of them.
function decide.shown(paths, limit)
	local out = {}
	for i = 1, math.min(#paths, limit) do
		out[i] = (paths[i]:gsub("[%c\\]", function(c) return string.format("\\%03d", c:byte()) end))
	end
	local text = table.concat(out, ", ")
	if #paths > limit then text = text .. " and " .. (#paths - limit) .. " more" end
	return text
end

-- The absolute path of lsyncd's `relative` (leading "/", trailing "/" for a directory) under
-- `source`, as csync2's include names it.
function decide.absolute(source, relative)
	relative = relative:gsub("^/", "")
	relative = relative:gsub("/$", "")
	if relative == "" then return source end
	return (source == "/" and "/" or source .. "/") .. relative
end

-- True when an ancestor of `path` (or the source itself) is in `set`: csync2 -r on it covers
-- `path` too.
function decide.covered(set, source, path)
	if path ~= source and set[source] then return true end
	local parent = path:match("^(.+)/[^/]*$")
	while parent and #parent > #source do
		if set[parent] then return true end
		parent = parent:match("^(.+)/[^/]*$")
	end
	return false
end

-- Without its tempdir (csync_tempdir false or missing), csync2 writes a received file as
-- ".NAME.XXXXXX" beside NAME and renames it into place, and creates and removes more such
-- scratch files on both ends. A path of that form that was created within this batch, next to
-- a NAME that changed in it too, is such a file: csync2 never recorded it, so checking it would
-- only cost a run.
function decide.scratch(set, created, path)
	if not created[path] then return false end
	local dir, name = path:match("^(.*)/%.([^/]+)%.%w%w%w%w%w%w$")
	return dir ~= nil and (set[dir .. "/" .. name] or set[dir .. "/." .. name]) ~= nil
end

-- What one batch checks. `events` lists the batch's events in order, each { etype, path,
-- path2 } with lsyncd's relative paths; `retried` maps the paths of failed checks that come
-- back in this batch to their kind; `keep` holds paths that an earlier failed check left to
-- retry (never dropped as transient). Returns path -> kind: { r = true } (deleted or moved:
-- checked recursively, a directory's recorded contents go with it), { m = true } (an existing
-- file written and closed here, lsyncd's Modify without a Create in the same batch: marked
-- dirty first, so a rewrite that keeps size and mtime still goes out) or {} (created or
-- changed: the path alone, so a directory the listener is still filling is not walked).
-- `fresh` (optional) holds paths created in the batch before whose write came while that batch
-- was being checked (decide.fresh): such a path is not marked either. Also returns the paths
-- created in this batch.
function decide.kinds(source, events, retried, keep, fresh)
	local kinds = {}
	local function want(path, r, m)
		local kind = kinds[path]
		if not kind then
			kind = {}
			kinds[path] = kind
		end
		if r then kind.r = true end
		if m then kind.m = true end
	end
	-- Per path: its first event in the batch, and whether it is there after the last Create or
	-- Delete (a Move deletes its first path and creates its second). A Modify after the Delete
	-- changes nothing: csync2 writes to scratch files it has already unlinked.
	local created, first, present = {}, {}, {}
	local function seen(path, etype)
		first[path] = first[path] or etype
		if etype == "Create" then present[path] = true end
		if etype == "Delete" then present[path] = false end
	end
	for _, event in ipairs(events) do
		local etype, path = event[1], decide.absolute(source, event[2])
		-- Move events give both paths: csync2 has no rename, it deletes and copies.
		local path2 = event[3] and decide.absolute(source, event[3])
		if etype == "Create" then created[path] = true end
		if etype == "Move" then
			seen(path, "Delete")
			want(path, true, false)
			if path2 then
				seen(path2, "Create")
				want(path2, true, false)
			end
		elseif etype == "Delete" then
			seen(path, etype)
			want(path, true, false)
		else
			seen(path, etype)
			want(path, false, etype == "Modify")
		end
	end
	for path, kind in pairs(retried) do want(path, kind.r, kind.m) end
	-- A path created in this batch is new here and the check finds it: it is never marked.
	-- This matters on a receiving member: csync2 2.0's listener renames a scratch file onto the
	-- target (lsyncd: Create) and then writes the content into it (Modify). Marking that would
	-- send every received file back to every member.
	for path in pairs(created) do
		local kind = kinds[path]
		if kind and decide.scratch(kinds, created, path) then
			kinds[path] = nil
		elseif kind then
			kind.m = nil
		end
	end
	for path in pairs(fresh or {}) do
		if kinds[path] and not created[path] then kinds[path].m = nil end
	end
	-- A path that was not there when the batch began (its first event is a Create) and is gone
	-- again has no record and leaves nothing to send, unless an earlier batch left it to retry:
	-- csync2's scratch files on the sending end, an editor's swap file.
	for path, etype in pairs(first) do
		if etype == "Create" and present[path] == false and kinds[path] and not keep[path] then
			kinds[path] = nil
		end
	end
	return kinds, created
end

-- The paths of `created` (the paths a batch created, from decide.kinds) that have an event among
-- queue[first..last], the events that came while that batch was being checked: the next batch's
-- `fresh`. csync2's listener renames a received file into place and then writes it; when the
-- batch was taken between the two, the write must not be marked as a change made here.
-- lsyncd's own queue dropped such a write (it absorbs a Modify into a Create being run).
function decide.fresh(source, created, queue, first, last)
	local fresh = {}
	for i = first, last do
		local path = decide.absolute(source, queue[i][2])
		if created[path] then fresh[path] = true end
	end
	return fresh
end

-- The check steps of a batch, each a sorted list of paths: mark (-m), recursive check
-- (-c -r) and check (-c). A path under another one of the recursive check is left to it.
function decide.steps(source, kinds)
	local all, recset = {}, {}
	for path, kind in pairs(kinds) do
		all[#all + 1] = path
		if kind.r then recset[path] = true end
	end
	table.sort(all)
	local steps = { mark = {}, rec = {}, flat = {} }
	for _, path in ipairs(all) do
		local kind = kinds[path]
		if kind.m and not kind.r then steps.mark[#steps.mark + 1] = path end
		if not decide.covered(recset, source, path) then
			local list = kind.r and steps.rec or steps.flat
			list[#list + 1] = path
		end
	end
	return steps
end

-- True when `kinds` is a check of the whole source and nothing else: the start-up check, or
-- a retry of more paths than max_pending. It then runs in chunks (startup_runner).
function decide.whole(source, kinds)
	local kind = kinds[source]
	if not (kind and kind.r and not kind.m) then return false end
	return next(kinds, nil) == source and next(kinds, source) == nil
end

-- Takes one batch off `queue`, a source's gathered events in order (each { etype, path, path2 },
-- lsyncd's relative paths) from index `first`: events until the batch names `limit_paths`
-- distinct paths or `limit_bytes` bytes of the check's arguments (each path prefixed by
-- `prefix_len` bytes of the source; the second path of a Move counts at its longest). Events of
-- a path already in the batch cost nothing more. Taken events leave `queue`. Returns the taken
-- events and the index of the first event left.
function decide.take(queue, first, prefix_len, limit_paths, limit_bytes)
	local taken, seen, count, bytes = {}, {}, 0, 0
	local i = first
	while queue[i] do
		local event = queue[i]
		local cost, size = 0, 0
		if not seen[event[2]] then cost, size = 1, prefix_len + #event[2] + 1 end
		if event[1] == "Move" then cost, size = cost + 1, size + prefix_len + path_max + 1 end
		if cost > 0 and (count >= limit_paths or bytes >= limit_bytes) then break end
		seen[event[2]] = true
		count, bytes = count + cost, bytes + size
		taken[#taken + 1] = event
		queue[i] = nil
		i = i + 1
	end
	return taken, i
end

-- The check runner's arguments for `steps`: per step its word count, then flock, csync2,
-- -C group, the options, -v (csync2 names each file it marks), the mode flags and the paths
-- after "--".
function decide.check_args(group, steps, csync2_bin, csync2_options)
	local args = {}
	local function step(flags, paths)
		if #paths == 0 then return end
		local count_at = #args + 1
		args[count_at] = 0
		for _, word in ipairs({ flock, "-w", lock_wait, lock, csync2_bin, "-C", group }) do args[#args + 1] = word end
		for _, option in ipairs(csync2_options) do args[#args + 1] = option end
		args[#args + 1] = "-v"
		for _, flag in ipairs(flags) do args[#args + 1] = flag end
		args[#args + 1] = "--"
		for _, path in ipairs(paths) do args[#args + 1] = path end
		args[count_at] = tostring(#args - count_at)
	end
	step({ "-m" }, steps.mark)
	step({ "-c", "-r" }, steps.rec)
	step({ "-c" }, steps.flat)
	return args
end

-- The next back-off after `current` (nil: the first), doubling up to `max`.
function decide.backoff(current, first, max)
	if not current then return first end
	return math.min(current * 2, max)
end

-- A lane: the pushes of one group to one peer. `peer` is the peer as csync2 names it (its
-- address when the group file says NAME@ADDRESS), `name` its host name.
-- state: "unknown" (no push ended yet), "up" (the last push succeeded), "unreachable" (the peer
-- did not answer a probe) or "failing" (it answered, but the push failed: a conflict, a refused
-- session, a busy database). since: when it entered that state; last_ok: when a push last
-- succeeded; pushing_since: when the running push began; ended: when the last push ended;
-- pending: how many paths the checks that woke the lane since its last push began had
-- (math.huge when not known: at start-up, after a failed push, when another push marked
-- entries for this peer).
function decide.new_lane(group, name, peer)
	return { group = group, name = name, peer = peer, state = "unknown", failures = 0,
		wanted = false, running = false, queued = false, waiting = false, pending = math.huge }
end

-- A check of `paths` paths (nil: not known) may have marked something for the peer. True when
-- a push should start now: not while one runs or is queued (it is then pushed again when
-- that one ends), and not while the lane waits for its back-off (the retry pushes it).
function decide.lane_kick(lane, paths)
	lane.wanted = true
	lane.pending = lane.pending + (paths or math.huge)
	return not (lane.running or lane.queued or lane.waiting)
end

-- Whether `lane` has been idle at `clock`: no push since start-up, or its last push ended at
-- least idle_after seconds ago.
function decide.lane_idle(lane, clock)
	return lane.ended == nil or clock - lane.ended >= idle_after
end

-- A push starts at `clock` (seconds). Returns whether the runner probes the peer first (only
-- when it did not answer last time, so a healthy lane costs no extra connection), and whether
-- it takes the database lock (not for a few changes after a quiet spell: see small_push).
function decide.lane_start(lane, clock)
	local locked = not (decide.lane_idle(lane, clock) and lane.pending <= small_push)
	lane.queued = false
	lane.wanted = false
	lane.running = true
	lane.pushing_since = clock
	lane.pending = 0
	return lane.state == "unreachable", locked
end

-- The push ended with `code` at `clock`; `waited` is the number of entries that were dirty for
-- the peer when a probe found it back (nil when not counted). Returns { log = lines, retry =
-- seconds or nil, again = bool }: the log lines (one per change of state, never one per
-- push), when to retry, whether to push again at once (a kick came while it ran), and whether
-- the other lanes of the group must push (others: this push marked entries dirty for them).
function decide.lane_done(lane, code, clock, waited)
	local out = { log = {}, again = false, others = code == marked_others }
	if code == marked_others then code = 0 end
	local what = "peer " .. lane.name .. (lane.name ~= lane.peer and " (" .. lane.peer .. ")" or "")
		.. " of group " .. lane.group
	local was = lane.state
	lane.running = false
	lane.pushing_since = nil
	lane.ended = clock
	if code == 0 then
		if was == "unreachable" then
			out.log[#out.log + 1] = what .. " answers again after " .. (clock - lane.since)
				.. " s; " .. (waited and waited .. " entries" or "the entries") .. " that waited for it are pushed now"
		elseif was == "failing" then
			out.log[#out.log + 1] = "pushes to " .. what .. " succeed again, after " .. lane.failures
				.. " failed attempt(s) since " .. os.date("!%Y-%m-%dT%H:%M:%SZ", lane.since)
		end
		lane.state = "up"
		lane.since = (was == "up") and lane.since or clock
		lane.last_ok = clock
		lane.failures = 0
		lane.backoff = nil
		out.again = lane.wanted
		return out
	end
	lane.failures = lane.failures + 1
	lane.wanted = true
	lane.pending = math.huge
	if code == unreachable then
		if was ~= "unreachable" then
			lane.since = clock
			lane.backoff = nil
			out.log[#out.log + 1] = what .. " does not answer (no connection to port " .. port
				.. " within " .. probe_timeout .. " s): its changes stay dirty in csync2 and wait for it;"
				.. " it is probed every few seconds and catches up when it answers; the other peers are not held up"
		end
		lane.state = "unreachable"
		lane.backoff = decide.backoff(lane.backoff, probe_first, probe_max)
	else
		if was ~= "failing" then
			lane.since = clock
			lane.backoff = nil
			out.log[#out.log + 1] = "csync2 -C " .. lane.group .. " -u -P " .. lane.peer .. " exited with "
				.. code .. ": " .. what .. " answers, so this is not an outage but a conflict or a refused"
				.. " session (the peer's syslog says which); retried with a back-off up to " .. retry_max
				.. " s. Files that stay dirty: csync2 -C " .. lane.group .. " -M; one changed here and on"
				.. " the peer is a conflict: csync2 -C " .. lane.group .. " -f PATH on the member whose version wins"
		end
		lane.state = "failing"
		lane.backoff = decide.backoff(lane.backoff, retry_first, retry_max)
	end
	out.retry = lane.backoff
	return out
end

-- The line logged once for a push that is still running after `after` seconds.
function decide.slow_line(lane, after)
	return "a push to peer " .. lane.name .. (lane.name ~= lane.peer and " (" .. lane.peer .. ")" or "")
		.. " of group " .. lane.group .. " has been running for " .. after .. " s: its listener accepts"
		.. " connections but does not answer (frozen or overloaded), or a very large file is on its way;"
		.. " the other peers are not held up"
end

-- How long a new batch waits, from its oldest event (`since`), before it is checked: `delay`,
-- or quiet_wait when it is shorter and the source has been quiet, i.e. no check of it ever
-- ended (`last_end` nil) or the last one ended at least `delay` before `since` (a batch whose
-- first event came while a check ran is never quiet). The times are lsyncd's clock (only `+`
-- and `<` are used, so plain numbers do in tests).
function decide.batch_wait(delay, quiet, since, last_end)
	if quiet >= delay then return delay end
	if last_end == nil or not (since < last_end + delay) then return quiet end
	return delay
end

-- The lanes' state as the file `clustersync-helper facts` and `doctor` read: a comment, then
-- one tab-separated line per peer: peer, name, state, since, last_ok, pushing_since, failures
-- (times in seconds since the epoch, "-" for none).
function decide.lane_report(group, lanes)
	local lines = { "# clustersync push lanes of group " .. group
		.. " (written by lsyncd): peer, name, state, since, last_ok, pushing_since, failures" }
	local function t(v) return v and string.format("%d", v) or "-" end
	for _, lane in ipairs(lanes) do
		lines[#lines + 1] = table.concat({ lane.peer, lane.name, lane.state, t(lane.since),
			t(lane.last_ok), t(lane.pushing_since), tostring(lane.failures) }, "\t")
	end
	return table.concat(lines, "\n") .. "\n"
end

-- Replaces `path` with `text` (a new file renamed into place: a reader never sees half).
local function write_file(path, text)
	local f = io.open(path .. ".new", "w")
	if not f then return end
	f:write(text)
	f:close()
	os.rename(path .. ".new", path)
end

local function read_number(path)
	local f = io.open(path, "r")
	if not f then return nil end
	local n = tonumber(f:read("l") or "")
	f:close()
	os.remove(path)
	return n
end

-- A name for a file: anything but [A-Za-z0-9._:-] becomes "_".
local function file_part(text)
	return (text:gsub("[^%w._:-]", "_"))
end

-- lsyncd 2.2.3 cannot hold a blanket event (its "run now" marker) in one sync while another
-- sync waits for a timed event: comparing the two alarms raises a Lua error and lsyncd stops.
-- So what must run on demand (a lane's push, a retry of failed checks) is an lsyncd sync of its
-- own over an empty directory, state_dir/kick/NAME, and is woken by writing the file "kick"
-- there: lsyncd sees an ordinary event, due at once.
local function kick_dir(name)
	local dir = state_dir .. "/kick/" .. file_part(name)
	os.execute("install -d -m 0700 '" .. state_dir .. "' '" .. state_dir .. "/kick' '" .. dir .. "'")
	return dir
end

local function kick(dir)
	local f = io.open(dir .. "/kick", "w")
	if f then f:close() end
end

-- An lsyncd sync over kick directory `dir`: `start(agent)` spawns its one process (at start-up
-- and whenever it is kicked), `done(exitcode)` handles the end.
local function kicked_sync(dir, start, done)
	return {
		source = dir,
		delay = 0,
		maxProcesses = 1,
		init = function(event) start(event) end,
		action = function(inlet) start(inlet.getEvents()) end,
		collect = function(_, exitcode)
			done(exitcode)
			return "ok"
		end,
	}
end

-- The group's database lock (db_lock above).
local function db_lock(group)
	return state_dir .. "/" .. file_part(group) .. ".db.lock"
end

-- The lanes of one group, each an lsyncd sync of its own; `kick(paths)` asks every lane to
-- push after a check of `paths` paths.
local function lane_set(group, peers)
	local lanes = {}
	local report = state_dir .. "/" .. group .. ".lanes"
	local dblock = db_lock(group)
	local function publish() write_file(report, decide.lane_report(group, lanes)) end

	-- A lane that is woken pushes (lane.queued: its push is coming).
	local function wake(lane, paths)
		if decide.lane_kick(lane, paths) then
			lane.queued = true
			kick(lane.dir)
		end
	end

	local function lane_sync(lane)
		local count = state_dir .. "/" .. group .. "." .. file_part(lane.peer) .. ".waiting"
		local pushes = 0
		local function push(agent)
			local probe, locked = decide.lane_start(lane, os.time())
			pushes = pushes + 1
			local this = pushes
			alarm(now() + slow_after, function()
				if lane.running and pushes == this then log("Normal", decide.slow_line(lane, slow_after)) end
			end)
			publish()
			local args = { csync2, "-C", group }
			for _, option in ipairs(options) do args[#args + 1] = option end
			spawn(agent, bash, "-c", lane_runner, "clustersync-lane", probe and "1" or "0",
				probe and count or "", lane.peer, tostring(port), locked and dblock or "", unpack(args))
		end
		local function pushed(exitcode)
			local out = decide.lane_done(lane, exitcode, os.time(), read_number(count))
			for _, line in ipairs(out.log) do log("Normal", line) end
			publish()
			if out.others then
				for _, other in ipairs(lanes) do
					if other ~= lane then wake(other) end
				end
			end
			if out.again then
				wake(lane)
			elseif out.retry then
				lane.waiting = true
				alarm(now() + out.retry, function()
					lane.waiting = false
					wake(lane)
				end)
			end
		end
		-- Start-up: push whatever an earlier run left dirty for the peer.
		return kicked_sync(lane.dir, push, pushed)
	end

	for _, peer in ipairs(peers) do
		local lane = decide.new_lane(group, peer[1], peer[2])
		lane.dir = kick_dir("lane." .. group .. "." .. peer[2])
		lane.sync = lane_sync(lane)
		lanes[#lanes + 1] = lane
	end
	return {
		lanes = lanes,
		kick = function(paths) for _, lane in ipairs(lanes) do wake(lane, paths) end end,
	}
end

-- The syncs that check exactly the changed paths under `source` for csync2 group `group`, then
-- ask the group's lanes to push: the source's own sync, and one that retries failed checks.
local function source_syncs(group, index, source, lanes)
	local prefix = source == "/" and "/" or source .. "/"
	-- pending: path -> kind of failed checks, retried later. The source's batch and a retry can
	-- run at once (`running` below holds both); the node's lock orders their csync2 runs.
	-- Start-up: the whole source waits, so the retry sync's first run is the start-up check, in
	-- chunks, while the source's own sync checks new changes between the chunks.
	local state = { pending = { [source] = { r = true } }, npending = 1, backoff = nil, retry_due = false }
	local retry_dir = kick_dir("retry." .. group .. "." .. index)

	local function add_pending(path, kind)
		if state.pending[source] then return end
		local old = state.pending[path]
		if old then
			old.r = old.r or kind.r
			old.m = old.m or kind.m
			return
		end
		if state.npending >= max_pending then
			state.pending = { [source] = { r = true } }
			state.npending = 1
			return
		end
		state.pending[path] = { r = kind.r, m = kind.m }
		state.npending = state.npending + 1
	end

	local function schedule(wait)
		if state.retry_due or state.npending == 0 then return end
		state.retry_due = true
		alarm(now() + wait, function()
			state.retry_due = false
			kick(retry_dir)
		end)
	end

	-- Takes up to the batch limits of the pending paths, `bytes` already used.
	local function take_pending(bytes)
		local taken, n = {}, 0
		for path, kind in pairs(state.pending) do
			if n >= max_paths or bytes >= max_bytes then break end
			taken[path] = kind
			n = n + 1
			bytes = bytes + #path + 1
		end
		for path in pairs(taken) do
			state.pending[path] = nil
			state.npending = state.npending - 1
		end
		return taken
	end

	local function run(agent, kinds)
		local args = decide.check_args(group, decide.steps(source, kinds), csync2, options)
		if decide.whole(source, kinds) then
			-- args: the step's word count (the source included), the words up to "--", the
			-- source; the runner wants the count of the words up to "--".
			local words = { "-c", startup_runner, "clustersync-startup", check_runner, db_lock(group),
				tostring(startup_chunk), tostring(tonumber(args[1]) - 1) }
			for i = 2, #args do words[#words + 1] = args[i] end
			spawn(agent, bash, unpack(words))
			return
		end
		spawn(agent, bash, "-c", check_runner, "clustersync", db_lock(group), unpack(args))
	end

	-- Every outcome ends the events; the lanes push when the check marked something (or failed
	-- halfway). A failed check's paths go to `pending` and come back in a retry run after a
	-- back-off, so nothing is lost and a failing check costs no busy loop.
	local function checked(kinds, exitcode)
		if exitcode ~= nothing_marked then
			-- How much the lanes may have to push: a recursive check (a deleted or moved
			-- path, the whole source) can mark any number of entries.
			local n = 0
			for _, kind in pairs(kinds) do n = n + (kind.r and math.huge or 1) end
			lanes.kick(n)
		end
		if exitcode == 0 or exitcode == nothing_marked then
			state.backoff = nil
			schedule(0)
			return
		end
		local paths = {}
		for path in pairs(kinds) do paths[#paths + 1] = path end
		table.sort(paths)
		state.backoff = decide.backoff(state.backoff, retry_first, retry_max)
		log("Normal", "the check of csync2 -C ", group, " exited with ", exitcode, " for ", #paths,
			" path(s) under ", source, " (", decide.shown(paths, log_paths),
			"); they are checked again in ", state.backoff, " s (csync2's output above says why)")
		for path, kind in pairs(kinds) do add_pending(path, kind) end
		schedule(state.backoff)
	end

	-- The source's events, gathered in order: lsyncd hands them over as they come and they
	-- leave its queue at once. lsyncd 2.2.3 compares every new event with every event still in
	-- its queue (Sync.delay), so a queue of n events costs n^2/2 comparisons: 1.8 CPU-seconds
	-- for a burst of 2,000 files, on the writer and again on every member whose listener
	-- receives them. Here a burst costs its length. queue[qfirst..qlast] holds the events;
	-- since: when the oldest of them came; a batch is checked `delay` seconds after that (a
	-- batch after a quiet spell sooner: decide.batch_wait).
	local queue, qfirst, qlast, since = {}, 1, 0, nil
	local check_dir = kick_dir("check." .. group .. "." .. index)
	local check_due, checking = false, false
	-- The paths the running batch created, and those of them written while it ran (decide.fresh).
	local created, fresh = {}, {}

	-- When the last check of a batch ended (nil: none yet).
	local last_end = nil

	-- Kicks the check decide.batch_wait seconds after the oldest waiting event came (at once if
	-- that is past), unless a check is due or running already (its end looks again).
	local function want_check()
		if qlast < qfirst or check_due or checking then return end
		check_due = true
		alarm(since + decide.batch_wait(delay, quiet_wait, since, last_end), function() kick(check_dir) end)
	end

	-- Too many events waiting: the whole source is checked instead (in chunks, by the retry sync).
	local function overflow()
		log("Normal", "more than ", max_queued, " events wait under ", source,
			"; the whole source is checked instead")
		queue, qfirst, qlast, since = {}, 1, 0, nil
		state.pending = { [source] = { r = true } }
		state.npending = 1
		schedule(0)
	end

	local running = {}
	local main = {
		source = source,
		delay = 0,
		onMove = true,
		maxProcesses = 1,

		-- Start-up: nothing to run here; the check of the whole source, which catches up on
		-- changes made while lsyncd was not running, is the retry sync's first run
		-- (state.pending above). Discarding the init event lets lsyncd hand over events at once.
		init = function(event)
			event.inlet.discardEvent(event)
		end,

		-- Takes every event lsyncd holds for the source into `queue` and discards it from
		-- lsyncd's queue, in lsyncd's order (an event blocked by an earlier one is freed when that
		-- one is discarded).
		action = function(inlet)
			local taken = {}
			local events = inlet.getEvents(function(event)
				taken[#taken + 1] = event
				return true
			end)
			if qlast < qfirst then since = now() end
			events.getPaths(function(etype, path, path2)
				qlast = qlast + 1
				queue[qlast] = { etype, path, path2 }
				return false
			end)
			for _, event in ipairs(taken) do inlet.discardEvent(event) end
			if qlast - qfirst + 1 > max_queued then overflow() end
			want_check()
		end,
	}

	-- The check of one batch: a sync of its own, kicked by want_check.
	local check = kicked_sync(check_dir, function(agent)
		check_due, checking = false, true
		local typed
		typed, qfirst = decide.take(queue, qfirst, #prefix, max_paths, max_bytes)
		if qlast < qfirst then queue, qfirst, qlast = {}, 1, 0 end
		local keep = {}
		for path in pairs(state.pending) do keep[path] = true end
		running.main, created = decide.kinds(source, typed, {}, keep, fresh)
		if next(running.main) == nil then
			-- Nothing to check (no events, or only csync2's scratch files): the run only ends
			-- the kick.
			spawn(agent, "/bin/sh", "-c", "exit " .. nothing_marked)
			return
		end
		run(agent, running.main)
	end, function(exitcode)
		checking = false
		last_end = now()
		fresh = decide.fresh(source, created, queue, qfirst, qlast)
		checked(running.main, exitcode)
		want_check()
	end)
	local retry = kicked_sync(retry_dir, function(agent)
		running.retry = take_pending(0)
		run(agent, running.retry)
	end, function(exitcode)
		checked(running.retry, exitcode)
	end)
	return main, check, retry
end

-- One csync2 group of this node: its peers, each { host name, name csync2 connects to }, and
-- its sources. One lane per peer, two syncs per source.
local function group(name, peers, sources)
	local lanes = lane_set(name, peers)
	for index, source in ipairs(sources) do
		local main, check, retry = source_syncs(name, index, source, lanes)
		sync(main)
		sync(check)
		sync(retry)
	end
	for _, lane in ipairs(lanes.lanes) do sync(lane.sync) end
end
