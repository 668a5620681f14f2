-- Unit tests of the lsyncd action's decisions (src/lsyncd_action.lua, table `decide`), with
-- plain Lua 5.3: no lsyncd, no clock, no processes. Run by CTest:
--   lua5.3 unittest/lua/test_action.lua src/lsyncd_action.lua
-- Each case names what it checks; a failure prints the case, the expected and the actual value.

local action_file = assert(arg[1], "usage: test_action.lua PATH/lsyncd_action.lua")
local f = assert(io.open(action_file, "r"))
local text = f:read("a")
f:close()
-- The prologue the helper renders before the action (one line, so line numbers stay true).
local prologue = 'local csync2 = "/usr/sbin/csync2"; local delay = 1; local options = { "-B", "-A" };'
	.. ' local port = 30865; local state_dir = "/var/lib/clustersync";'
local chunk = assert(load(prologue .. text .. "\nreturn decide", "@" .. action_file))
local decide = chunk()

local failures, checks = 0, 0

-- A stable text of any value: tables with sorted keys.
local function show(v)
	if type(v) ~= "table" then return type(v) == "string" and string.format("%q", v) or tostring(v) end
	local keys = {}
	for k in pairs(v) do keys[#keys + 1] = k end
	table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
	local parts = {}
	for _, k in ipairs(keys) do
		parts[#parts + 1] = (type(k) == "number" and "" or tostring(k) .. "=") .. show(v[k])
	end
	return "{" .. table.concat(parts, ", ") .. "}"
end

local function expect(name, actual, expected)
	checks = checks + 1
	if show(actual) ~= show(expected) then
		failures = failures + 1
		print("FAIL " .. name .. "\n  expected: " .. show(expected) .. "\n  actual:   " .. show(actual))
	end
end

local S = "/srv/up"

-- decide.absolute: lsyncd's relative paths under the source, as csync2's include names them.
for _, c in ipairs({
	{ "/", S }, { "/a", S .. "/a" }, { "/d/", S .. "/d" }, { "/d/e", S .. "/d/e" },
}) do
	expect("absolute " .. c[1], decide.absolute(S, c[1]), c[2])
end
expect("absolute under the root source", decide.absolute("/", "/a/"), "/a")

-- decide.kinds: what a batch checks, and how.
local none = {}
for _, c in ipairs({
	{ "a new file is checked, not marked", { { "Create", "/a" } }, { [S .. "/a"] = {} } },
	{ "an existing file written here is marked", { { "Modify", "/b" } }, { [S .. "/b"] = { m = true } } },
	{ "a file created and written in the batch is not marked (what the listener does)",
		{ { "Create", "/b" }, { "Modify", "/b" } }, { [S .. "/b"] = {} } },
	{ "a deletion is checked recursively", { { "Delete", "/d/" } }, { [S .. "/d"] = { r = true } } },
	{ "a move gives both paths, recursively", { { "Move", "/m", "/d/m2" } },
		{ [S .. "/m"] = { r = true }, [S .. "/d/m2"] = { r = true } } },
	{ "a file that came and went is left out", { { "Create", "/swap" }, { "Delete", "/swap" } }, {} },
	{ "a file created and renamed away leaves only its new name",
		{ { "Create", "/a" }, { "Move", "/a", "/a2" } }, { [S .. "/a2"] = { r = true } } },
	{ "a Modify after the Delete does not bring a path back",
		{ { "Create", "/.d.Wx56Vu" }, { "Delete", "/.d.Wx56Vu" }, { "Modify", "/.d.Wx56Vu" } }, {} },
	{ "csync2's scratch file beside a received file is left out",
		{ { "Create", "/.b.Xy12Z9" }, { "Create", "/b" } }, { [S .. "/b"] = {} } },
	{ "a dot file of that shape alone is a user's file",
		{ { "Create", "/.htaccess.backup" } }, { [S .. "/.htaccess.backup"] = {} } },
	{ "a received file renamed onto its name: checked recursively, not marked",
		{ { "Create", "/.b.Xy12Z9" }, { "Move", "/.b.Xy12Z9", "/b" }, { "Modify", "/b" } },
		{ [S .. "/b"] = { m = true, r = true } } },
}) do
	expect("kinds: " .. c[1], decide.kinds(S, c[2], none, none), c[3])
end
expect("kinds: a path left to retry is kept even when it came and went",
	decide.kinds(S, { { "Create", "/swap" }, { "Delete", "/swap" } }, none, { [S .. "/swap"] = true }),
	{ [S .. "/swap"] = { r = true } })
expect("kinds: retried paths join the batch with their kind",
	decide.kinds(S, { { "Create", "/c" } }, { [S .. "/b"] = { m = true } }, none),
	{ [S .. "/b"] = { m = true }, [S .. "/c"] = {} })

expect("kinds: a file created in the batch before and written now is checked, not marked",
	decide.kinds(S, { { "Modify", "/b" } }, none, none, { [S .. "/b"] = true }), { [S .. "/b"] = {} })
expect("kinds: other files written now are still marked",
	decide.kinds(S, { { "Modify", "/c" } }, none, none, { [S .. "/b"] = true }), { [S .. "/c"] = { m = true } })
expect("kinds: a deletion of a file created in the batch before stays recursive",
	decide.kinds(S, { { "Delete", "/b" } }, none, none, { [S .. "/b"] = true }), { [S .. "/b"] = { r = true } })
local _, created = decide.kinds(S, { { "Create", "/n" }, { "Modify", "/n" }, { "Modify", "/o" } }, none, none)
expect("kinds: returns the paths created in the batch", created, { [S .. "/n"] = true })

-- decide.fresh: of the paths a batch created, those with events queued while it ran.
expect("fresh: a created path written while its batch ran",
	decide.fresh(S, { [S .. "/n"] = true, [S .. "/m"] = true },
		{ { "Modify", "/x" }, { "Modify", "/n" }, { "Create", "/y" } }, 1, 3), { [S .. "/n"] = true })
expect("fresh: only the events from `first` to `last` count",
	decide.fresh(S, { [S .. "/n"] = true }, { [4] = { "Modify", "/n" } }, 1, 0), {})
expect("fresh: nothing created, nothing fresh", decide.fresh(S, {}, { { "Modify", "/n" } }, 1, 1), {})

-- decide.steps: mark, recursive check, check; a path under a recursive one is left to it.
expect("steps of a mixed batch", decide.steps(S, {
	[S .. "/b"] = { m = true }, [S .. "/d"] = { r = true }, [S .. "/d/e"] = {},
	[S .. "/d/m2"] = { r = true }, [S .. "/c"] = {}, [S .. "/x"] = { m = true, r = true },
}), { mark = { S .. "/b" }, rec = { S .. "/d", S .. "/x" }, flat = { S .. "/b", S .. "/c" } })
expect("steps: the source itself covers everything", decide.steps(S, {
	[S] = { r = true }, [S .. "/a"] = {}, [S .. "/b"] = { m = true },
}), { mark = { S .. "/b" }, rec = { S }, flat = {} })
expect("steps: a sibling with a common prefix is not covered", decide.steps(S, {
	[S .. "/d"] = { r = true }, [S .. "/dx"] = {},
}), { mark = {}, rec = { S .. "/d" }, flat = { S .. "/dx" } })

-- decide.whole: a check of the whole source alone runs in chunks; anything else as one batch.
for _, c in ipairs({
	{ "the start-up check", { [S] = { r = true } }, true },
	{ "the source with another path", { [S] = { r = true }, [S .. "/a"] = {} }, false },
	{ "the source without -r", { [S] = {} }, false },
	{ "the source marked too", { [S] = { r = true, m = true } }, false },
	{ "a subtree", { [S .. "/d"] = { r = true } }, false },
	{ "an empty batch", {}, false },
}) do
	expect("whole: " .. c[1], decide.whole(S, c[2]), c[3])
end

-- decide.take: one batch off a source's gathered events, in order, within the limits.
for _, c in ipairs({
	{ "everything when under the limits", { { "Create", "/a" }, { "Modify", "/a" } }, 1, 10, 1000, 2, 3 },
	{ "stops at the path limit", { { "Create", "/a" }, { "Create", "/b" }, { "Create", "/c" } }, 1, 2, 1000, 2, 3 },
	{ "a move counts two paths", { { "Move", "/a", "/b" }, { "Create", "/c" } }, 1, 2, 1000, 1, 2 },
	{ "a move counts its second path at its longest", { { "Move", "/a", "/b" }, { "Create", "/c" } }, 1, 10, 4096, 1, 2 },
	{ "stops at the byte limit", { { "Create", "/aaaa" }, { "Create", "/b" } }, 1, 10, 5, 1, 2 },
	{ "takes from `first` on", { nil, { "Create", "/b" }, { "Create", "/c" } }, 2, 1, 1000, 1, 3 },
	{ "an empty queue gives an empty batch", {}, 1, 10, 1000, 0, 1 },
	{ "more events of a path in the batch cost nothing",
		{ { "Create", "/a" }, { "Modify", "/a" }, { "Attrib", "/a" }, { "Create", "/b" } }, 1, 1, 1000, 3, 4 },
}) do
	local name, queue, first, paths, bytes, n, next_first = table.unpack(c)
	local originals = {}
	for i = first, first + n - 1 do originals[#originals + 1] = queue[i] end
	local taken, left = decide.take(queue, first, 0, paths, bytes)
	expect("take: " .. name .. ": the events", taken, originals)
	expect("take: " .. name .. ": the first event left", left, next_first)
	local gone = true
	for i = first, left - 1 do gone = gone and queue[i] == nil end
	expect("take: " .. name .. ": taken events leave the queue", gone, true)
end
expect("take counts the source's prefix", #decide.take({ { "Create", "/a" }, { "Create", "/b" } }, 1, 10, 10, 13), 1)

-- decide.check_args: the runner's words, each step counted, paths after "--".
expect("check_args", decide.check_args("up", { mark = { S .. "/b" }, rec = {}, flat = { S .. "/b", S .. "/c" } },
	"/usr/sbin/csync2", { "-B", "-A" }), {
	"13", "/usr/bin/flock", "-w", "120", "/var/lib/clustersync/csync2.lock", "/usr/sbin/csync2", "-C", "up", "-B", "-A", "-v",
	"-m", "--", S .. "/b",
	"14", "/usr/bin/flock", "-w", "120", "/var/lib/clustersync/csync2.lock", "/usr/sbin/csync2", "-C", "up", "-B", "-A", "-v",
	"-c", "--", S .. "/b", S .. "/c",
})
expect("check_args of an empty batch", decide.check_args("up", { mark = {}, rec = {}, flat = {} }, "c", {}), {})

-- decide.backoff
local seq, b = {}, nil
for i = 1, 7 do
	b = decide.backoff(b, 5, 60)
	seq[i] = b
end
expect("back-off of failed checks and pushes", seq, { 5, 10, 20, 40, 60, 60, 60 })

-- decide.batch_wait: the first batch after a quiet spell waits the short time, any other the delay.
expect("a source's first batch ever waits the short time", decide.batch_wait(0.2, 0.05, 50, nil), 0.05)
expect("a batch that begins `delay` after the last check ended waits the short time",
	decide.batch_wait(0.2, 0.05, 10.2, 10), 0.05)
expect("a batch that begins sooner after the last check waits the delay", decide.batch_wait(0.2, 0.05, 10.19, 10), 0.2)
expect("a batch whose first event came while a check ran waits the delay", decide.batch_wait(0.2, 0.05, 9.5, 10), 0.2)
expect("a delay of 1 after a quiet spell: the short time", decide.batch_wait(1, 0.05, 20, 10), 0.05)
expect("a delay of 1 while busy: 1", decide.batch_wait(1, 0.05, 10.5, 10), 1)
expect("a delay shorter than the short time is kept", decide.batch_wait(0.02, 0.05, 50, nil), 0.02)
expect("a delay of 0 is kept", decide.batch_wait(0, 0.05, 50, nil), 0)

-- decide.shown: escaped, at most `limit`.
expect("shown escapes control characters and backslashes",
	decide.shown({ "a\nb", "c\\d" }, 5), "a\\010b, c\\092d")
expect("shown names at most the limit", decide.shown({ "a", "b", "c" }, 2), "a, b and 1 more")

-- The lanes.
local function lane() return decide.new_lane("up", "node3", "198.18.0.3") end

do
	local l = lane()
	expect("a new lane starts at a kick", decide.lane_kick(l), true)
	expect("its first push does not probe", decide.lane_start(l, 100), false)
	expect("no second push while one runs", decide.lane_kick(l), false)
	local out = decide.lane_done(l, 0, 101)
	expect("a kick during the push pushes again at once", out, { log = {}, again = true, others = false })
	expect("state after a push", { l.state, l.since, l.last_ok, l.failures, l.pushing_since },
		{ "up", 101, 101, 0 })
	decide.lane_start(l, 102)
	expect("nothing new: no second push", decide.lane_done(l, 0, 103), { log = {}, again = false, others = false })
	decide.lane_start(l, 104)
	expect("a push that marked entries for other peers: a success that wakes the other lanes",
		decide.lane_done(l, 11, 105), { log = {}, again = false, others = true })
	expect("and the lane is up", { l.state, l.last_ok, l.failures }, { "up", 105, 0 })
	expect("the line of a push that runs long", decide.slow_line(l, 30),
		"a push to peer node3 (198.18.0.3) of group up has been running for 30 s: its listener accepts"
		.. " connections but does not answer (frozen or overloaded), or a very large file is on its way;"
		.. " the other peers are not held up")
	expect("since stays while up", l.since, 101)
end

do
	local l = lane()
	decide.lane_start(l, 100)
	local out = decide.lane_done(l, 3, 102)
	expect("unreachable: one line, probed again after 1 s", { #out.log, out.retry, l.state, l.since },
		{ 1, 1, "unreachable", 102 })
	expect("the line says the peer does not answer and nothing is lost",
		out.log[1]:match("^peer node3 %(198%.18%.0%.3%) of group up does not answer %(no connection to port 30865 within 1 s%)") ~= nil
			and out.log[1]:find("stay dirty", 1, true) ~= nil, true)
	expect("a kick while parked waits for the probe", (function()
		l.waiting = true
		return decide.lane_kick(l)
	end)(), false)
	l.waiting = false
	local retries = {}
	for i = 1, 5 do
		expect("a parked lane probes first (" .. i .. ")", decide.lane_start(l, 103 + i), true)
		local o = decide.lane_done(l, 3, 103 + i)
		expect("no new line while it stays unreachable (" .. i .. ")", #o.log, 0)
		retries[i] = o.retry
	end
	expect("probe back-off", retries, { 2, 4, 5, 5, 5 })
	decide.lane_start(l, 130)
	local back = decide.lane_done(l, 0, 132, 17)
	expect("back: one line with the time and the entries that waited", back.log,
		{ "peer node3 (198.18.0.3) of group up answers again after 30 s; 17 entries that waited for it are pushed now" })
	expect("back: up, failures reset", { l.state, l.failures, l.since, l.last_ok }, { "up", 0, 132, 132 })
	expect("back: that push took every waiting entry, none follows", back.again, false)
end

do
	local l = lane()
	decide.lane_start(l, 100)
	local out = decide.lane_done(l, 1, 101)
	expect("a failed push of a peer that answers: one line, back-off from 5 s",
		{ #out.log, out.retry, l.state }, { 1, 5, "failing" })
	expect("the line tells a conflict from an outage",
		out.log[1]:find("is not an outage but a conflict or a refused session", 1, true) ~= nil, true)
	expect("no probe for a peer that answers", decide.lane_start(l, 106), false)
	local again = decide.lane_done(l, 1, 107)
	expect("still failing: no new line, longer back-off", { #again.log, again.retry }, { 0, 10 })
	decide.lane_start(l, 117)
	local ok = decide.lane_done(l, 0, 118)
	expect("failing to up: one line", #ok.log, 1)
	expect("the line counts the failed attempts", ok.log[1]:find("after 2 failed attempt(s)", 1, true) ~= nil, true)
	local down = lane()
	decide.lane_start(down, 10)
	decide.lane_done(down, 1, 11)
	decide.lane_start(down, 16)
	local unreachable = decide.lane_done(down, 3, 17)
	expect("failing, then unreachable: the outage is reported, its probe back-off starts at 1 s",
		{ #unreachable.log, unreachable.retry, down.state, down.since }, { 1, 1, "unreachable", 17 })
end

do
	local l = lane()
	expect("a lane that never pushed is idle", decide.lane_idle(l, 100), true)
	expect("its first push (start-up: how much is dirty is not known) does not probe and takes the database lock",
		{ decide.lane_start(l, 100) }, { false, true })
	expect("counting starts again with each push", l.pending, 0)
	decide.lane_done(l, 0, 100)
	expect("a lane whose push ended 1 s ago is not idle", decide.lane_idle(l, 101), false)
	expect("one whose push ended 2 s ago is", decide.lane_idle(l, 102), true)
	decide.lane_kick(l, 1)
	expect("a push right after another takes the lock, however small", select(2, decide.lane_start(l, 101)), true)
	decide.lane_done(l, 0, 101)
	decide.lane_kick(l, 3)
	decide.lane_kick(l, 97)
	expect("100 paths after a quiet spell go without the lock (a peer gone silent holds up no other)",
		select(2, decide.lane_start(l, 103)), false)
	decide.lane_done(l, 0, 103)
	decide.lane_kick(l, 60)
	decide.lane_kick(l, 41)
	expect("101 take it", select(2, decide.lane_start(l, 110)), true)
	decide.lane_done(l, 0, 110)
	decide.lane_kick(l, nil)
	expect("so does an unknown amount (another push marked entries for this peer)", select(2, decide.lane_start(l, 120)), true)
	decide.lane_done(l, 0, 120)
	decide.lane_kick(l, math.huge)
	expect("or a recursive check", select(2, decide.lane_start(l, 130)), true)
	decide.lane_done(l, 1, 130)
	decide.lane_kick(l, 1)
	expect("and the retry of a failed push", select(2, decide.lane_start(l, 140)), true)
	decide.lane_done(l, 3, 141)
	decide.lane_kick(l, 1)
	expect("a parked lane probes first, then pushes what waited for its peer under the lock",
		{ decide.lane_start(l, 150) }, { true, true })
end

expect("lane report", decide.lane_report("up", {
	{ peer = "198.18.0.3", name = "node3", state = "unreachable", since = 1700000000, failures = 4,
		pushing_since = 1700000100 },
	{ peer = "node2", name = "node2", state = "up", since = 1700000001, last_ok = 1700000002, failures = 0 },
}), "# clustersync push lanes of group up (written by lsyncd): peer, name, state, since, last_ok, pushing_since, failures\n"
	.. "198.18.0.3\tnode3\tunreachable\t1700000000\t-\t1700000100\t4\n"
	.. "node2\tnode2\tup\t1700000001\t1700000002\t-\t0\n")

print(string.format("lua action decisions: %d checks, %d failed", checks, failures))
os.exit(failures == 0 and 0 or 1)
