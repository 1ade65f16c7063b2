-- wrk script that walks the link list SEQUENTIALLY, once, and checks every
-- answer: status must be 302 and Location must equal the expected URL.
-- Used (a) to verify that a server holds exactly the benchmark's links and
-- (b) to touch every slug once (fills Kurz's cache for the heap measurement).
--
-- Usage: wrk -t1 -c1 -d60s -s walk.lua http://127.0.0.1:PORT -- LINK_FILE
--   LINK_FILE: "<slug> <url>" per line.
-- Run it with -t1 -c1: one request is in flight at a time, so each response
-- belongs to the slug of the one outstanding request.  request() only moves to
-- the next slug once the previous one was answered; this also absorbs the
-- extra request() call wrk makes before the run to verify the script, and a
-- resend after a reconnect.  After the last link the thread stops and
-- prints WALK_DONE, on which run.sh ends wrk with SIGINT (wrk then still prints
-- its summary and runs done()); -d is only an upper bound.
--
-- done() prints one line:
--   WALK checked=<n> ok=<n> bad_status=<n> bad_location=<n> total=<n>
--   (plus up to 5 "WALK_BAD ..." example lines)

local slugs, urls, reqs = {}, {}, {}
local n = 0
local cur, seen = 0, 0
local outstanding = false
ok, bad_status, bad_location = 0, 0, 0
local examples = 0

function init(args)
  local file = args[1]
  if not file then
    error("walk.lua: pass the link file after --")
  end
  for line in io.lines(file) do
    local s, u = line:match("^(%S+)%s+(%S+)")
    if s then
      n = n + 1
      slugs[n] = s
      urls[n] = u
      reqs[n] = wrk.format("GET", "/" .. s)
    end
  end
  total = n
end

function request()
  if not outstanding then
    cur = cur + 1
    outstanding = true
  end
  return reqs[((cur - 1) % n) + 1]
end

local function header(headers, name)
  for k, v in pairs(headers) do
    if k:lower() == name then return v end
  end
  return nil
end

function response(status, headers, body)
  outstanding = false
  seen = seen + 1
  if seen > n then
    wrk.thread:stop()
    return
  end
  local i = ((cur - 1) % n) + 1
  local loc = header(headers, "location")
  if status ~= 302 then
    bad_status = bad_status + 1
    if examples < 5 then
      examples = examples + 1
      io.write(string.format("WALK_BAD slug=%s status=%d\n", slugs[i], status))
    end
  elseif loc ~= urls[i] then
    bad_location = bad_location + 1
    if examples < 5 then
      examples = examples + 1
      io.write(string.format("WALK_BAD slug=%s location=%s expected=%s\n",
        slugs[i], tostring(loc), urls[i]))
    end
  else
    ok = ok + 1
  end
  checked = seen
  if seen == n then
    -- tell run.sh we are through (it then ends wrk early with SIGINT)
    io.write("WALK_DONE\n")
    io.stdout:flush()
    wrk.thread:stop()
  end
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local c, o, bs, bl, t = 0, 0, 0, 0, 0
  for _, th in ipairs(threads) do
    c = c + (th:get("checked") or 0)
    o = o + (th:get("ok") or 0)
    bs = bs + (th:get("bad_status") or 0)
    bl = bl + (th:get("bad_location") or 0)
    t = t + (th:get("total") or 0)
  end
  io.write(string.format("WALK checked=%d ok=%d bad_status=%d bad_location=%d total=%d\n",
    c, o, bs, bl, t))
end
