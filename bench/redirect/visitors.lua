-- wrk script: realistic visitors for the measured redirect runs (VISITORS=realistic in run.sh).
--
-- Usage: wrk ... -s visitors.lua http://127.0.0.1:PORT -- SLUG_FILE SEED TRAFFIC [REQUESTS]
--   SLUG_FILE: one slug per line; TRAFFIC: uniform | zipf (s = 1, rank = line number);
--   REQUESTS: how many distinct requests to prepare (default 200000), sent in a random cycle.
--
-- Every request comes "from" another visitor: X-Forwarded-For carries a public IPv4 address drawn
-- from 1,000,000 (the server must trust 127.0.0.1 as a proxy), User-Agent is one of 5,000 Chrome
-- builds on one of 5 platforms (Windows, macOS, Linux, Android, iOS), Referer one of 5 (or none),
-- Accept-Language one of 6. All requests are formatted in init(), so request() is a table lookup
-- and wrk is not the bottleneck. done() prints the same RESULT line as slugs.lua.

local reqs = {}
local n = 0

local platforms = {
  "Windows NT 10.0; Win64; x64",
  "Macintosh; Intel Mac OS X 10_15_7",
  "X11; Linux x86_64",
  "Linux; Android 14; Pixel 8",
  "iPhone; CPU iPhone OS 17_5 like Mac OS X",
}
local referers = {
  "https://www.google.com/", "https://t.co/", "https://www.facebook.com/",
  "https://news.ycombinator.com/", "https://mail.example.org/inbox", nil,
}
local languages = {
  "en-US,en;q=0.9", "de-DE,de;q=0.9,en;q=0.8", "fr-FR,fr;q=0.9", "es-ES,es;q=0.9,en;q=0.7",
  "ja-JP,ja;q=0.9", "pt-BR,pt;q=0.9,en-US;q=0.8",
}

local function agent(build, platform)
  local major = 100 + build % 45
  local minor = 4000 + (build * 7919) % 3000
  local patch = (build * 104729) % 200
  local p = platforms[platform]
  if platform == 5 then
    return string.format("Mozilla/5.0 (%s) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/%d.0.%d.%d Mobile/15E148 Safari/604.1",
      p, major, minor, patch)
  elseif platform == 4 then
    return string.format("Mozilla/5.0 (%s) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.%d.%d Mobile Safari/537.36",
      p, major, minor, patch)
  end
  return string.format("Mozilla/5.0 (%s) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.%d.%d Safari/537.36",
    p, major, minor, patch)
end

local function public_ip()
  while true do
    local a = math.random(1, 223)
    if a ~= 10 and a ~= 127 and a ~= 100 and a ~= 169 and a ~= 172 and a ~= 192 and a ~= 198 then
      return string.format("%d.%d.%d.%d", a, math.random(0, 255), math.random(0, 255), math.random(1, 254))
    end
  end
end

function init(args)
  local file, seed, traffic, count = args[1], tonumber(args[2] or "42"), args[3] or "uniform", tonumber(args[4] or "200000")
  if not file then error("visitors.lua: pass the slug file after --") end
  math.randomseed(seed)
  local slugs = {}
  for line in io.lines(file) do
    local slug = line:match("^%s*(%S+)")
    if slug then slugs[#slugs + 1] = slug end
  end
  local links = #slugs
  if links == 0 then error("visitors.lua: no slugs in " .. file) end
  local cdf
  if traffic == "zipf" then
    cdf = {}
    local sum = 0
    for i = 1, links do sum = sum + 1 / i; cdf[i] = sum end
    for i = 1, links do cdf[i] = cdf[i] / sum end
  elseif traffic ~= "uniform" then
    error("visitors.lua: TRAFFIC must be uniform or zipf")
  end
  local ips = {}
  for i = 1, count do
    local idx
    if cdf then
      local u, lo, hi = math.random(), 1, links
      while lo < hi do
        local mid = math.floor((lo + hi) / 2)
        if cdf[mid] < u then lo = mid + 1 else hi = mid end
      end
      idx = lo
    else
      idx = math.random(links)
    end
    local k = math.random(1000000)
    local ip = ips[k]
    if not ip then ip = public_ip(); ips[k] = ip end
    local headers = {
      ["X-Forwarded-For"] = ip,
      ["User-Agent"] = agent(math.random(5000), math.random(5)),
      ["Accept-Language"] = languages[math.random(#languages)],
      ["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    }
    local ref = referers[math.random(#referers)]
    if ref then headers["Referer"] = ref end
    n = n + 1
    reqs[n] = wrk.format("GET", "/" .. slugs[idx], headers)
  end
end

local i = 0
function request()
  i = i + 1
  if i > n then i = 1 end
  return reqs[i]
end

-- done(): the RESULT line, shared with the other redirect script.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "result.lua")
