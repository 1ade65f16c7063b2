-- wrk script for bench/links/run.sh: requests over LINKS deterministic slugs without a slug file.
--
-- Usage: wrk ... -s links.lua http://127.0.0.1:PORT -- MODE N S SEED
--   MODE: zipf    rank k in 1..N with P(k) ~ k^-S (rejection-inversion sampling, O(1) per request:
--                 W. Hörmann, G. Derflinger, "Rejection-inversion to generate variates from
--                 monotone discrete distributions", 1996; the sampler of Apache Commons RNG);
--         uniform rank uniform in 1..N;
--         walk    ranks 1, 2, ..., N, 1, ... in order (fills the cache with the hot set).
--   N: ranks drawn from (the links 1..N of the Zipf order); S: Zipf exponent; SEED: math.randomseed.
--
-- Rank k is link index (k - 1) * 7919 mod LINKS (LINKS = 10,000,000 unless LINKS is set in the
-- environment); 7919 is prime and shares no factor with 10^7, so this is a permutation that spreads
-- the hot links over the whole table instead of its first pages. Index i has the slug
-- "k" .. base36(i) on 5 digits (k00000 .. k5yc1r), URL https://example.com/<slug>: the same as the
-- rows run.sh COPYs into PostgreSQL. Each request is built from two pre-formatted halves around
-- the slug, so request() costs one sample, five divisions and a concatenation.
--
-- done() prints the RESULT line of bench/redirect/result.lua.

local LINKS = tonumber(os.getenv("LINKS") or "10000000")
local STRIDE = 7919
local mode, n, s = "zipf", LINKS, 1.1
local head, tail
local digits = {}
for c = 0, 35 do digits[c] = string.byte("0123456789abcdefghijklmnopqrstuvwxyz", c + 1) end

local floor, exp, log, random = math.floor, math.exp, math.log, math.random
local char = string.char

-- Zipf by rejection-inversion (exponent s > 0, s ~= 1 handled by the helpers, s == 1 included).
local hx1, hn, sTest
local function helper1(x) -- log1p(x) / x
  if math.abs(x) > 1e-8 then return log(1 + x) / x end
  return 1 - x * (0.5 - x * (1 / 3 - 0.25 * x))
end
local function helper2(x) -- expm1(x) / x
  if math.abs(x) > 1e-8 then return (exp(x) - 1) / x end
  return 1 + x * 0.5 * (1 + x / 3 * (1 + 0.25 * x))
end
local function h(x) return exp(-s * log(x)) end
local function hIntegral(x)
  local lx = log(x)
  return helper2((1 - s) * lx) * lx
end
local function hIntegralInverse(x)
  local t = x * (1 - s)
  if t < -1 then t = -1 end
  return exp(helper1(t) * x)
end
local function zipf()
  while true do
    local u = hn + random() * (hx1 - hn)
    local x = hIntegralInverse(u)
    local k = floor(x + 0.5)
    if k < 1 then k = 1 elseif k > n then k = n end
    if k - x <= sTest or u >= hIntegral(k + 0.5) - h(k) then return k end
  end
end

local function slug(i)
  local d5 = i % 36; i = (i - d5) / 36
  local d4 = i % 36; i = (i - d4) / 36
  local d3 = i % 36; i = (i - d3) / 36
  local d2 = i % 36; i = (i - d2) / 36
  return char(107, digits[i % 36], digits[d2], digits[d3], digits[d4], digits[d5]) -- 107 = "k"
end

local walked = 0
local function rank()
  if mode == "zipf" then return zipf() end
  if mode == "uniform" then return random(n) end
  walked = walked % n + 1
  return walked
end

function init(args)
  mode = args[1] or mode
  n = tonumber(args[2] or n)
  s = tonumber(args[3] or s)
  math.randomseed(tonumber(args[4] or "42"))
  if mode ~= "zipf" and mode ~= "uniform" and mode ~= "walk" then error("links.lua: MODE must be zipf, uniform or walk") end
  if n < 1 or n > LINKS then error("links.lua: N must be in 1.." .. LINKS) end
  hx1 = hIntegral(1.5) - 1
  hn = hIntegral(n + 0.5)
  sTest = 2 - hIntegralInverse(hIntegral(2.5) - h(2))
  local req = wrk.format("GET", "/kSLUG_")
  head, tail = req:match("^(.-)kSLUG_(.*)$")
end

function request()
  return head .. slug((rank() - 1) * STRIDE % LINKS) .. tail
end

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "../redirect/result.lua")
