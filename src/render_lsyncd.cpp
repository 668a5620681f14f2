#include "lua.hpp"
#include "render.hpp"

namespace clustersync {
namespace {

// The part of the config that does not depend on the model. It reads only the locals the
// prologue defines (csync2, node, delay, options) and is explained in docs/lsyncd-action.md.
// Numbers: the kernel takes about 2 MiB of arguments plus environment and 128 KiB per
// argument; a run stays far below with at most 1,000 paths and 256 KiB, counting the second
// path of a Move (not visible before the batch is taken) as PATH_MAX.
constexpr const char* kAction = R"LUA(
-- Limits of one csync2 run.
local max_paths = 1000
local max_bytes = 262144
local path_max = 4096
-- A failed run (peer down, conflict, busy database) is retried after 5 s, then 10, 20, 40
-- and every 60 s; past max_pending paths a retry checks the whole source instead.
local retry_first = 5
local retry_max = 60
local max_pending = 10000
-- Seconds between taking a batch and checking it, so a file the csync2 listener of this node
-- is still writing (renamed into place, not yet recorded) is recorded before it is checked.
local settle = 0.3

local unpack = table.unpack or unpack

-- One lsyncd sync that hands csync2 group `group` exactly the changed paths under `source`.
local function csync2_sync(group, source)
	local prefix = source == "/" and "/" or source .. "/"
	-- pending: paths of failed runs, retried later; running: paths of the run in flight
	-- (one at a time: maxProcesses = 1); blanket: the marker event that starts a retry run.
	local state = { pending = {}, npending = 0, running = {}, backoff = retry_first,
		retry_due = false, inlet = nil, blanket = nil }

	local function command(paths)
		local args = { "-C", group }
		for _, option in ipairs(options) do args[#args + 1] = option end
		args[#args + 1] = "-x"
		args[#args + 1] = "-r"
		args[#args + 1] = "--"
		for _, path in ipairs(paths) do args[#args + 1] = path end
		return args
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

	-- csync2 writes a received file as ".NAME.XXXXXX" beside NAME and renames it into place,
	-- and creates and removes more such scratch files on both ends. A path of that form that
	-- was created within this batch, next to a NAME that changed in it too, is such a file:
	-- csync2 never recorded it, so checking it would only cost a run.
	local function scratch(set, created, path)
		if not created[path] then return false end
		local dir, name = path:match("^(.*)/%.([^/]+)%.%w%w%w%w%w%w$")
		return dir ~= nil and (set[dir .. "/" .. name] or set[dir .. "/." .. name]) == true
	end

	local function add_pending(path)
		if state.pending[source] or state.pending[path] then return end
		if state.npending >= max_pending then
			state.pending = { [source] = true }
			state.npending = 1
			return
		end
		state.pending[path] = true
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

	local function run(agent, paths, wait)
		state.running = paths
		if wait > 0 then
			-- The script is constant; the pause and the command are its arguments.
			spawn(agent, "/bin/sh", "-c", 'sleep "$0" && exec "$@"', tostring(wait), csync2, unpack(command(paths)))
		else
			spawn(agent, csync2, unpack(command(paths)))
		end
	end

	return {
		source = source,
		-- The settle pause comes out of the delay, so a change is still checked `delay`
		-- seconds after it happened.
		delay = math.max(delay - settle, 0),
		onMove = true,
		maxProcesses = 1,

		-- Start-up: one full check of the source catches up on changes made while lsyncd
		-- was not running.
		init = function(event)
			state.inlet = event.inlet
			run(event, { source }, 0)
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

			local set, list = {}, {}
			local function want(path)
				if not set[path] then
					set[path] = true
					list[#list + 1] = path
				end
			end
			-- Move events give both paths: csync2 has no rename, it deletes and copies.
			local created = {}
			local relatives = events.getPaths(function(etype, path, path2)
				if etype == "Blanket" then return false end
				if etype == "Create" then created[absolute(path)] = true end
				return path, path2
			end)
			for _, relative in ipairs(relatives) do
				if relative then want(absolute(relative)) end
			end
			if retry then
				for path in pairs(state.pending) do
					if #list >= max_paths or bytes >= max_bytes then break end
					want(path)
					bytes = bytes + #path + 1
					state.pending[path] = nil
					state.npending = state.npending - 1
				end
			end

			if #list == 0 then
				-- Only the retry marker, and nothing left to retry.
				if state.blanket then
					inlet.discardEvent(state.blanket)
					state.blanket = nil
				end
				return
			end
			state.blanket = nil

			table.sort(list)
			local paths = {}
			for _, path in ipairs(list) do
				if not covered(set, path) and not scratch(set, created, path) then paths[#paths + 1] = path end
			end
			run(events, paths, settle)
		end,

		-- Every outcome ends the events: a failed run's paths go to `pending` and come back
		-- in a retry run after a back-off, so a peer that is down costs no busy loop and
		-- loses no change (csync2 also keeps failed pushes dirty in its database).
		collect = function(agent, exitcode)
			if exitcode == 0 then
				state.backoff = retry_first
				state.running = {}
				schedule(0)
				return "ok"
			end
			log("Normal", "csync2 -C ", group, " exited with ", exitcode, " for ", #state.running,
				" path(s) under ", source, "; they are retried (back-off ", state.backoff, " s)")
			for _, path in ipairs(state.running) do add_pending(path) end
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
        "-- -A: without fsync per change (the listener runs with -B -A as well); see\n"
        "-- docs/lsyncd-action.md for the trade-off.\n"
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
