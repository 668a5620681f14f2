#include "lua.hpp"
#include "render.hpp"

namespace clustersync {
namespace {

// The part of the config that does not depend on the model. It reads only the locals the
// prologue defines (csync2, node, delay, options) and is explained in docs/lsyncd-action.md.
// Numbers: the kernel takes about 2 MiB of arguments plus environment and 128 KiB per
// argument; a batch stays far below with at most 5,000 paths and 256 KiB, counting the second
// path of a Move (not visible before the batch is taken) as PATH_MAX, even though a path can
// appear in three of its steps (mark, check, update).
constexpr const char* kAction = R"LUA(
-- Limits of one batch.
local max_paths = 5000
local max_bytes = 262144
local path_max = 4096
-- A failed batch (peer down, conflict, busy database) is retried after 5 s, then 10, 20, 40
-- and every 60 s; past max_pending paths a retry checks the whole source instead.
local retry_first = 5
local retry_max = 60
local max_pending = 10000
-- At most this many paths of a failed batch are named in the log line that reports it.
local log_paths = 5
-- The checks (-m, -c) hold this lock, and so does every session of this node's csync2
-- listener (templates/xinetd-csync2.epp, templates/csync2@.service.epp): a check never sees
-- a file the listener is halfway through (renamed into place, mode and mtime not yet set,
-- record being rewritten), so what the listener writes is never marked dirty here and sent
-- back, and a batch is checked as soon as it is taken. The update (-u) talks to the peers'
-- listeners and holds no lock, so no two members can wait for each other.
local flock = "/usr/bin/flock"
local lock = "/run/clustersync-csync2.lock"

local unpack = table.unpack or unpack

-- Runs the steps of one batch: each step as a count N followed by the N words of its
-- command ($0 is only a name). Every step runs; the exit status is the last failing step's.
-- The last step replaces the shell when all before it succeeded (one process less per batch).
-- The script is constant: paths are only ever arguments.
local runner = [[
status=0
while [ $# -gt 0 ]; do
	n=$1; shift
	if [ "$n" -eq $# ] && [ "$status" -eq 0 ]; then exec "$@"; fi
	(
		i=0
		for a; do
			[ "$i" -eq 0 ] && set --
			[ "$i" -lt "$n" ] || break
			set -- "$@" "$a"
			i=$((i + 1))
		done
		exec "$@"
	) || status=$?
	shift "$n"
done
exit "$status"
]]

-- Paths of the log line of a failed batch: control characters and backslashes escaped, so a
-- file name cannot forge a line.
local function shown(paths)
	local out = {}
	for i = 1, math.min(#paths, log_paths) do
		out[i] = (paths[i]:gsub("[%c\\]", function(c) return string.format("\\%03d", c:byte()) end))
	end
	local text = table.concat(out, ", ")
	if #paths > log_paths then text = text .. " and " .. (#paths - log_paths) .. " more" end
	return text
end

-- One lsyncd sync that hands csync2 group `group` exactly the changed paths under `source`.
local function csync2_sync(group, source)
	local prefix = source == "/" and "/" or source .. "/"
	-- pending: path -> { r = recursive, m = mark } of failed batches, retried later;
	-- running: the same for the batch in flight (one at a time: maxProcesses = 1);
	-- blanket: the marker event that starts a retry run.
	local state = { pending = {}, npending = 0, running = {}, backoff = retry_first,
		retry_due = false, inlet = nil, blanket = nil }

	-- One csync2 step: its word count, then csync2 (under the lock for a check), `-C group`,
	-- the options, the mode flags and the paths after "--".
	local function step(args, flags, paths)
		if #paths == 0 then return end
		local count_at = #args + 1
		args[count_at] = 0
		if flags[1] ~= "-u" then
			args[#args + 1] = flock
			args[#args + 1] = lock
		end
		args[#args + 1] = csync2
		args[#args + 1] = "-C"
		args[#args + 1] = group
		for _, option in ipairs(options) do args[#args + 1] = option end
		for _, flag in ipairs(flags) do args[#args + 1] = flag end
		args[#args + 1] = "--"
		for _, path in ipairs(paths) do args[#args + 1] = path end
		args[count_at] = tostring(#args - count_at)
	end

	local function absolute(relative)
		relative = relative:gsub("^/", "")
		relative = relative:gsub("/$", "")
		if relative == "" then return source end
		return prefix .. relative
	end

	-- True when an ancestor of `path` is in `set`: csync2 -r on it covers `path` too.
	local function covered(set, path)
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
	-- scratch files on both ends. A path of that form that
	-- was created within this batch, next to a NAME that changed in it too, is such a file:
	-- csync2 never recorded it, so checking it would only cost a run.
	local function scratch(set, created, path)
		if not created[path] then return false end
		local dir, name = path:match("^(.*)/%.([^/]+)%.%w%w%w%w%w%w$")
		return dir ~= nil and (set[dir .. "/" .. name] or set[dir .. "/." .. name]) ~= nil
	end

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
		if state.retry_due or state.npending == 0 or not state.inlet then return end
		state.retry_due = true
		alarm(now() + wait, function()
			state.retry_due = false
			state.blanket = state.inlet.createBlanketEvent()
		end)
	end

	-- A batch: `kinds` maps each path to { r = true } (deleted or moved: checked recursively,
	-- a directory's recorded contents go with it) or { m = true } (an existing file written
	-- and closed here, lsyncd's Modify without a Create in the same batch: marked dirty first,
	-- so a rewrite that keeps size and mtime still goes out) or {} (created or changed: the
	-- path alone, so a directory the listener is still filling is not walked).
	-- Steps: mark, recursive check, check, then one update of everything dirty under them.
	local function run(agent, kinds)
		local all, rec, flat, mark = {}, {}, {}, {}
		for path in pairs(kinds) do all[#all + 1] = path end
		table.sort(all)
		local recset, allset = {}, {}
		for _, path in ipairs(all) do
			allset[path] = true
			if kinds[path].r then recset[path] = true end
		end
		local update = {}
		for _, path in ipairs(all) do
			local kind = kinds[path]
			if kind.m and not kind.r then mark[#mark + 1] = path end
			if not covered(recset, path) then
				if kind.r then rec[#rec + 1] = path else flat[#flat + 1] = path end
			end
			-- The update is recursive: it sends whatever is dirty under each path once.
			if not covered(allset, path) then update[#update + 1] = path end
		end
		state.running = kinds
		local args = {}
		step(args, { "-m" }, mark)
		step(args, { "-c", "-r" }, rec)
		step(args, { "-c" }, flat)
		step(args, { "-u", "-r" }, update)
		spawn(agent, "/bin/sh", "-c", runner, "clustersync", unpack(args))
	end

	return {
		source = source,
		delay = delay,
		onMove = true,
		maxProcesses = 1,

		-- Start-up: one full check of the source catches up on changes made while lsyncd
		-- was not running.
		init = function(event)
			state.inlet = event.inlet
			run(event, { [source] = { r = true } })
		end,

		action = function(inlet)
			state.inlet = inlet
			local count, bytes, retry = 0, 0, false
			local events = inlet.getEvents(function(event)
				if event.etype == "Init" then return false end
				if event.etype == "Blanket" then
					retry = true
					return true
				end
				if count >= max_paths or bytes >= max_bytes then return "break" end
				count = count + 1
				bytes = bytes + #prefix + #event.path + 1
				if event.etype == "Move" then
					count = count + 1
					bytes = bytes + #prefix + path_max + 1
				end
				return true
			end)

			local kinds, n = {}, 0
			local function want(path, r, m)
				local kind = kinds[path]
				if not kind then
					kind = {}
					kinds[path] = kind
					n = n + 1
				end
				kind.r = kind.r or r
				kind.m = kind.m or m
			end
			-- Move events give both paths: csync2 has no rename, it deletes and copies.
			local created = {}
			local typed = {}
			-- Per path in this batch: its first event, and whether it is there after the
			-- last Create or Delete (a Move deletes its first path and creates its second).
			-- A Modify after the Delete changes nothing: csync2 writes to scratch files it
			-- has already unlinked.
			local first, present = {}, {}
			local function seen(path, etype)
				first[path] = first[path] or etype
				if etype == "Create" then present[path] = true end
				if etype == "Delete" then present[path] = false end
			end
			events.getPaths(function(etype, path, path2)
				if etype == "Blanket" then return false end
				typed[#typed + 1] = { etype, path, path2 }
				if etype == "Create" then created[absolute(path)] = true end
				if etype == "Move" then
					seen(absolute(path), "Delete")
					if path2 then seen(absolute(path2), "Create") end
				else
					seen(absolute(path), etype)
				end
				return false
			end)
			for _, event in ipairs(typed) do
				local etype, path, path2 = event[1], absolute(event[2]), event[3]
				if etype == "Move" then
					want(path, true, false)
					if path2 then want(absolute(path2), true, false) end
				elseif etype == "Delete" then
					want(path, true, false)
				else
					want(path, false, etype == "Modify")
				end
			end
			local retried = {}
			if retry then
				for path, kind in pairs(state.pending) do
					if n >= max_paths or bytes >= max_bytes then break end
					retried[path] = true
					want(path, kind.r, kind.m)
					bytes = bytes + #path + 1
					state.pending[path] = nil
					state.npending = state.npending - 1
				end
			end

			if n == 0 then
				-- Only the retry marker, and nothing left to retry.
				if state.blanket then
					inlet.discardEvent(state.blanket)
					state.blanket = nil
				end
				return
			end
			state.blanket = nil

			-- A path created in this batch is new here and the check finds it: it is never
			-- marked. This matters on a receiving member: csync2 2.0's listener renames a
			-- scratch file onto the target (lsyncd: Create) and then writes the content into
			-- it (Modify). Marking that would send every received file back to every member.
			for path in pairs(created) do
				local kind = kinds[path]
				if kind and scratch(kinds, created, path) then
					kinds[path] = nil
				elseif kind then
					kind.m = nil
				end
			end
			-- A path that was not there when the batch began (its first event is a Create)
			-- and is gone again has no record and leaves nothing to
			-- send, unless an earlier batch left it to retry: csync2's scratch files on the
			-- sending end, an editor's swap file.
			for path, etype in pairs(first) do
				if etype == "Create" and present[path] == false and kinds[path]
						and not state.pending[path] and not retried[path] then
					kinds[path] = nil
				end
			end
			-- With nothing left to check, the run is empty and only ends the events.
			run(events, kinds)
		end,

		-- Every outcome ends the events: a failed batch's paths go to `pending` and come back
		-- in a retry run after a back-off, so a peer that is down costs no busy loop and
		-- loses no change (csync2 also keeps failed pushes dirty in its database).
		collect = function(agent, exitcode)
			if exitcode == 0 then
				state.backoff = retry_first
				state.running = {}
				schedule(0)
				return "ok"
			end
			local paths = {}
			for path in pairs(state.running) do paths[#paths + 1] = path end
			table.sort(paths)
			log("Normal", "csync2 -C ", group, " exited with ", exitcode, " for ", #paths,
				" path(s) under ", source, " (", shown(paths), "); they are retried (back-off ",
				state.backoff, " s). Files that stay dirty: csync2 -C ", group,
				" -M; one changed here and on a peer is a conflict: csync2 -C ", group,
				" -f PATH on the member whose version wins")
			for path, kind in pairs(state.running) do add_pending(path, kind) end
			state.running = {}
			local wait = state.backoff
			state.backoff = math.min(state.backoff * 2, retry_max)
			schedule(wait)
			return "ok"
		end,
	}
end
)LUA";

}  // namespace

std::string render_lsyncd(const NodePlan& plan) {
    const std::string logdir = plan.logdir == "/" ? "" : plan.logdir;
    std::string out =
        "-- Managed by Puppet (clustersync): local changes are overwritten.\n"
        "-- lsyncd 2.2.3: each sync hands csync2 only the paths that changed, so the cost of a\n"
        "-- change does not grow with the size of the tree.\n"
        "\n"
        "settings {\n"
        "\tlogfile = " + lua_string(logdir + "/lsyncd.log") + ",\n"
        "\tstatusFile = " + lua_string(logdir + "/lsyncd.status") + ",\n"
        "}\n"
        "\n"
        "local csync2 = " + lua_string(plan.layout.csync2_bin) + "\n"
        "local delay = " + std::to_string(plan.lsyncd_delay) + "\n"
        "-- -N (only with node_name): the name the group files use for this node; csync2 then\n"
        "-- also binds its connections to the address that name resolves to.\n"
        "-- -B: commit each database change at once, so these runs and the csync2 listener on\n"
        "-- this node see each other's records instead of marking a file dirty on both sides.\n"
        "-- -A: without fsync per change (the listener runs with -A too, but without -B: it\n"
        "-- holds the lock below for its whole session); see docs/lsyncd-action.md.\n"
        "local options = { ";
    if (plan.node_name_flag) out += "\"-N\", " + lua_string(plan.node) + ", ";
    out += "\"-B\", \"-A\"";
    if (plan.port != 30865) out += ", \"-p\", " + lua_string(std::to_string(plan.port));
    out += " }\n";
    out += kAction;
    out += "\n";
    for (const auto& group : plan.groups)
        for (const auto& source : group.includes)
            out += "sync(csync2_sync(" + lua_string(group.name) + ", " + lua_string(source) + "))\n";
    return out;
}

}  // namespace clustersync
