-- wrk script for the measured redirect runs.
--
-- Usage: wrk ... -s slugs.lua http://127.0.0.1:PORT -- SLUG_FILE [SEED]
--   SLUG_FILE: one slug per line (no leading slash).
--
-- Each request is GET /<slug> with the slug drawn UNIFORMLY at random from the
-- file (math.random, seeded per thread so runs are repeatable).  All request
-- strings are pre-formatted in init(), so request() is a table lookup and the
-- Lua overhead per request stays small.  No response() callback is defined on
-- purpose: it would make wrk parse every response in Lua and slow the client.
-- Status correctness is checked separately by walk.lua; here we rely on wrk's
-- own count of responses with status >= 400 (summary.errors.status).
--
-- done() prints one machine-readable line:
--   RESULT rps=<req/s> p50_ms=<> p90_ms=<> p99_ms=<> p999_ms=<> max_ms=<>
--          requests=<n> bytes_per_resp=<> http_errors=<n> sock_errors=<n>
--          duration_s=<>

local reqs = {}
local n = 0

function init(args)
  local file = args[1]
  if not file then
    error("slugs.lua: pass the slug file after --")
  end
  for line in io.lines(file) do
    local slug = line:match("^%s*(%S+)")
    if slug then
      n = n + 1
      reqs[n] = wrk.format("GET", "/" .. slug)
    end
  end
  if n == 0 then
    error("slugs.lua: no slugs in " .. file)
  end
  local seed = tonumber(args[2] or "42")
  math.randomseed(seed)
end

function request()
  return reqs[math.random(n)]
end

-- done(): the RESULT line, shared with the other redirect script.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "result.lua")
