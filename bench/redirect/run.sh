#!/usr/bin/env bash
# Kurz redirect benchmark: Kurz vs nginx serving the same redirects.
#
# Run (from anywhere, as root or with sudo available):
#
#     bench/redirect/run.sh
#
#   e.g. a quick check:  DURATION=5 ROUNDS=1 bench/redirect/run.sh
#        nginx half only: ONLY=nginx bench/redirect/run.sh
#        the redirect rate limit's cost: REDIRECT_LIMIT=off ONLY=kurz bench/redirect/run.sh
#                                        REDIRECT_LIMIT=on  ONLY=kurz bench/redirect/run.sh
#
# What it does:
#   1. installs nginx, wrk (and curl etc.) with apt-get if they are missing;
#   2. builds Kurz once with `./kurz build` (skipped when KURZ_SKIP_BUILD=1);
#   3. generates LINKS (10,000) deterministic slugs -> URLs (seed SEED);
#   4. starts Kurz (`./kurz run`, fresh data dir) pinned to SERVER_CORE, records
#      launch -> GET /health/ready == 200 time, loads the links through
#      POST /api/v1/links/batch (1000 per request, all must come back 201);
#   5. starts nginx from a generated config (temp dir, nothing system-wide
#      touched) holding the same redirects in a static `map`, pinned to
#      SERVER_CORE;
#   6. walks every slug once on each server and checks 302 + Location; on Kurz
#      this also fills the cache: live heap is taken (jcmd GC.class_histogram,
#      which runs a full GC) before and after the walk -> heap per cached link;
#   7. ROUNDS times, alternating Kurz then nginx (both stay up, only one is
#      loaded at a time): a WARMUP wrk run, then a DURATION wrk run
#      `wrk -t1 -cCONNECTIONS --latency` pinned to CLIENT_CORE, requesting
#      uniformly random slugs (slugs.lua);
#   8. after IDLE_WAIT seconds idle, reads VmRSS of both servers, and checks that Kurz's stats
#      API counts every redirect it answered (walk + warm-ups + measured runs, allowing the up to
#      CONNECTIONS requests per wrk run still in flight when wrk stops) with zero drops.
#
# What it prints (stdout, and the same into bench/redirect/results/<UTC>.txt;
# raw wrk/jcmd/server output goes to bench/redirect/results/<UTC>-raw.log):
#   machine notes (nproc, CPU model, kernel, java, nginx, wrk versions), Kurz
#   launch-to-ready time, idle RSS, heap per cached link, one table row per run
#   (req/s, p50/p90/p99/p99.9/max latency in ms, bytes per response, HTTP
#   errors (status >= 400), socket errors, CPU % of the server under test and
#   of the idle one, busy % of the server and client cores, hypervisor steal,
#   time and CPU the server needed to go idle after the run), then a summary:
#   median req/s and median p99 per server, the ratio
#   median(Kurz req/s) / median(nginx req/s), whether the goal (ratio >= 1.0
#   and Kurz p99 <= 2 ms at 64 connections) was met, and notes when the run
#   looks client-bound or the machine was noisy; then the click count check and
#   whether the analytics goal (ratio >= 0.9x, every click counted, none dropped) was met.
#
# Options (environment variables):
#   ROUNDS=3            alternations (each = one Kurz run + one nginx run)
#   DURATION=15         seconds per measured run ("15" or "15s")
#   WARMUP=3            seconds of warm-up before each measured run (0 = none)
#   CONNECTIONS=64      wrk connections
#   LINKS=10000         number of links
#   SERVER_CORE=0       core the server under test is pinned to (taskset)
#   CLIENT_CORE=1       core wrk is pinned to
#   PORT_KURZ=18080     PORT_NGINX=18081
#   ONLY=both           both | nginx | kurz
#   SEED=42             seed for slugs and for wrk's random choice
#   IDLE_WAIT=5         seconds idle before reading RSS
#   SETTLE_MAX_S=30     after each run, wait at most this long for the server to
#   SETTLE_PCT=5        go idle (< SETTLE_PCT % of a core over 0.5 s)
#   KURZ_SKIP_BUILD=1   do not run `./kurz build` (use the jar already built)
#   KURZ_METRICS_REDIRECTS=on  the redirect counters and sampled latency timers (kurz_redirects_total, kurz_redirect_latency_seconds); off = not
#                       timed at all (bench/redirect/metrics.sh alternates the two). The
#                       management port (PORT_MGMT) is read only between runs.
#   VISITORS=one        one = every request the same (wrk's) address and no browser headers (slugs.lua);
#                       realistic = a new visitor per request (visitors.lua): X-Forwarded-For from
#                       1,000,000 public addresses through Kurz's trusted proxy (127.0.0.1), 5,000
#                       Chrome builds on 5 platforms, 5 referrers and none, 6 Accept-Languages,
#                       REQUESTS (200000) requests prepared up front; nginx gets the same requests.
#   TRAFFIC=uniform     uniform | zipf (s = 1 over the links) slug choice (VISITORS=realistic only)
#   PORT_MGMT=18089     Kurz's management port (127.0.0.1): the event-loop delay histogram is read
#                       from its /metrics before and after each Kurz run (loop>10 = ticks more than
#                       10 ms late in the run, loopMax = the bucket bound of the latest tick)
#   SMART=0             1 = every link is a smart link with 5 rules (country, device, os, language, query: none
#                       matches wrk's requests) and 2 variants (both to the link's own URL, so the walk's
#                       Location check holds): the rules are evaluated and a variant chosen on every
#                       redirect. mixed = LINKS plain links and LINKS smart ones in the same server: each
#                       round measures both (order alternating), and the summary gives smart / plain
#                       from the same run (bench/redirect/smart.sh).
#   KURZ_B=<checkout>   a second Kurz built from another checkout (e.g. a git worktree of an older
#                       commit) on PORT_KURZ+2 (management PORT_MGMT+2), same core, same links: each
#                       round measures both back to back (order alternating), and the summary gives
#                       kurz / kurz-b from the same run. Its jar is built with that checkout's
#                       `./kurz build` unless KURZ_SKIP_BUILD=1. B_FIRST=1 measures B first in odd
#                       rounds (bench/redirect/ab.sh alternates it over many server pairs).
#   REDIRECT_LIMIT=on   Kurz's per-address redirect limit (KURZ_RATELIMIT_REDIRECT):
#                         on  = checked on every redirect but never reached (1000000000/s):
#                               the price of the check, with every answer a 302;
#                         off = not checked at all;
#                         a rate such as 100/s = passed as is (wrk comes from one address,
#                               so most answers are then 429s and the walk fails: for
#                               looking at the refusal path only).
#                       The API limits are always off here: loading 10,000 links in
#                       seconds from one key is the benchmark's set-up, not its subject.
#
# Exit code: 0 when the benchmark ran (whether or not the goal was met),
# non-zero when something failed (server did not start, links missing, ...).

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-3}
CONNECTIONS=${CONNECTIONS:-64}
LINKS=${LINKS:-10000}
SERVER_CORE=${SERVER_CORE:-0}
CLIENT_CORE=${CLIENT_CORE:-1}
PORT_KURZ=${PORT_KURZ:-18080}
PORT_NGINX=${PORT_NGINX:-18081}
ONLY=${ONLY:-both}
SEED=${SEED:-42}
IDLE_WAIT=${IDLE_WAIT:-5}
SETTLE_MAX_S=${SETTLE_MAX_S:-30}
SETTLE_PCT=${SETTLE_PCT:-5}
KURZ_SKIP_BUILD=${KURZ_SKIP_BUILD:-0}
SMART=${SMART:-0}
REDIRECT_LIMIT=${REDIRECT_LIMIT:-on}
VISITORS=${VISITORS:-one}
TRAFFIC=${TRAFFIC:-uniform}
REQUESTS=${REQUESTS:-200000}
PORT_MGMT=${PORT_MGMT:-18089}
KURZ_B=${KURZ_B:-}
B_FIRST=${B_FIRST:-0}
# Link health checks off: a fresh server's first pass over 10,000 never-checked example.com links
# (no network here: every check fails slowly) ran through every measured run as background work
# that the build before link checks did not have. KURZ_LINK_CHECK_INTERVAL=24h turns them on.
export KURZ_LINK_CHECK_INTERVAL=${KURZ_LINK_CHECK_INTERVAL:-off}
PORT_KURZ_B=$(( PORT_KURZ + 2 )); PORT_MGMT_B=$(( PORT_MGMT + 2 ))
KURZ_B_PID=""; KURZ_B_PGID=""

GOAL_RATIO=1.0
GOAL_P99_MS=2.0
BATCH=${BATCH:-1000}   # links per POST /api/v1/links/batch
READY_TIMEOUT_S=60

die() { echo "ERROR: $*" >&2; exit 1; }

# ---------------------------------------------------------------- options
DURATION=${DURATION%s}
WARMUP=${WARMUP%s}
for v in ROUNDS DURATION WARMUP CONNECTIONS LINKS SERVER_CORE CLIENT_CORE \
         PORT_KURZ PORT_NGINX SEED IDLE_WAIT SETTLE_MAX_S SETTLE_PCT; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer (got '${!v}')"
done
(( ROUNDS >= 1 )) || die "ROUNDS must be >= 1"
(( DURATION >= 1 )) || die "DURATION must be >= 1"
(( LINKS >= 1 )) || die "LINKS must be >= 1"
[[ $SMART == 0 || $SMART == 1 || $SMART == mixed ]] || die "SMART must be 0, 1 or mixed"
[[ $B_FIRST == 0 || $B_FIRST == 1 ]] || die "B_FIRST must be 0 or 1"
# Links in the server: with SMART=mixed, LINKS plain ones and then LINKS smart ones.
ALL_LINKS=$LINKS
[[ $SMART == mixed ]] && ALL_LINKS=$(( LINKS * 2 ))
(( CONNECTIONS >= 1 )) || die "CONNECTIONS must be >= 1"
case "$ONLY" in both|nginx|kurz) ;; *) die "ONLY must be both, nginx or kurz" ;; esac
case "$VISITORS" in one|realistic) ;; *) die "VISITORS must be one or realistic" ;; esac
case "$TRAFFIC" in uniform|zipf) ;; *) die "TRAFFIC must be uniform or zipf" ;; esac
[[ $REQUESTS =~ ^[0-9]+$ && $REQUESTS -ge 1 ]] || die "REQUESTS must be a positive integer"
[[ $VISITORS == realistic || $TRAFFIC == uniform ]] || die "TRAFFIC=zipf needs VISITORS=realistic"
case "$REDIRECT_LIMIT" in
  on)  KURZ_REDIRECT_RATE=1000000000/s ;;
  off) KURZ_REDIRECT_RATE=off ;;
  *)   KURZ_REDIRECT_RATE=$REDIRECT_LIMIT ;;   # Kurz itself refuses a malformed rate at start
esac
RUN_KURZ=1; RUN_NGINX=1
[[ $ONLY == nginx ]] && RUN_KURZ=0
[[ $ONLY == kurz ]] && RUN_NGINX=0
NCPU=$(nproc)
(( SERVER_CORE < NCPU && CLIENT_CORE < NCPU )) || die "SERVER_CORE/CLIENT_CORE must be < nproc ($NCPU)"
(( SERVER_CORE != CLIENT_CORE )) || echo "WARNING: server and client share core $SERVER_CORE" >&2

# ---------------------------------------------------------------- tools
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 && SUDO="sudo"
fi
export PATH="$PATH:/usr/sbin:/sbin"

ensure_tools() {
  local pkgs=()
  command -v curl    >/dev/null 2>&1 || pkgs+=(curl)
  command -v wrk     >/dev/null 2>&1 || pkgs+=(wrk)
  command -v taskset >/dev/null 2>&1 || pkgs+=(util-linux)
  command -v setsid  >/dev/null 2>&1 || pkgs+=(util-linux)
  command -v ss      >/dev/null 2>&1 || pkgs+=(iproute2)
  command -v awk     >/dev/null 2>&1 || pkgs+=(mawk)
  if (( RUN_NGINX )); then
    command -v nginx >/dev/null 2>&1 || pkgs+=(nginx)
  fi
  if (( ${#pkgs[@]} )); then
    echo "installing missing packages with apt-get: ${pkgs[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${pkgs[@]}" >/dev/null
  fi
}
ensure_tools

# ---------------------------------------------------------------- output
TS=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS_DIR="$HERE/results"
mkdir -p "$RESULTS_DIR"
RESULTS_FILE="$RESULTS_DIR/$TS.txt"
RAW_FILE="$RESULTS_DIR/$TS-raw.log"
: >"$RAW_FILE"
exec > >(tee "$RESULTS_FILE") 2>&1

raw() { { echo "----- $*"; cat; echo; } >>"$RAW_FILE"; }

# ---------------------------------------------------------------- clean-up
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kurz-bench.XXXXXX")
KURZ_PGID=""
NGINX_PGID=""

stop_group() {  # $1 = process group id (the setsid'ed process we started)
  local pg=$1 i
  [[ -n $pg ]] || return 0
  kill -TERM -- "-$pg" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do        # at most 10 s
    kill -0 -- "-$pg" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL -- "-$pg" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  set +e
  if [[ -n $KURZ_PGID && -f $TMP/kurz.log ]]; then
    raw "kurz log (last 200 lines)" < <(tail -n 200 "$TMP/kurz.log")
  fi
  if [[ -f $TMP/nginx/logs/error.log ]]; then
    raw "nginx error.log (last 50 lines)" < <(tail -n 50 "$TMP/nginx/logs/error.log")
  fi
  stop_group "$KURZ_PGID"
  stop_group "$KURZ_B_PGID"
  stop_group "$NGINX_PGID"
  rm -rf "$TMP"
  if (( rc != 0 )); then
    echo "benchmark FAILED (exit $rc); raw log: $RAW_FILE"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- helpers
now_ns() { date +%s%N; }

http_code() {  # url -> status code ("000" when no answer)
  curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null || true
}

port_free() { ! ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

pid_on_port() {  # listening pid on 127.0.0.1:port (first one)
  { ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2; } || true
}

group_pids() { { pgrep -g "$1" 2>/dev/null || true; } | tr '\n' ' '; }

proc_ticks() {  # sum of utime+stime (clock ticks) over the given pids
  local p sum=0 t
  for p in "$@"; do
    t=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}') || t=0
    sum=$((sum + ${t:-0}))
  done
  echo "$sum"
}

core_ticks() {  # "busy total steal" ticks of core $1 from /proc/stat
  awk -v c="cpu$1" '$1 == c { t = $2+$3+$4+$5+$6+$7+$8+$9; print t - $5 - $6, t, $9 }' /proc/stat
}

rss_kib() {  # sum of VmRSS over pids, in KiB
  local p sum=0 r
  for p in "$@"; do
    r=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null) || r=0
    sum=$((sum + ${r:-0}))
  done
  echo "$sum"
}

median() { sort -g | awk '{a[NR] = $1} END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

fmt_mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

# ---------------------------------------------------------------- machine
echo "=== Kurz redirect benchmark  $TS"
echo "config: VISITORS=$VISITORS TRAFFIC=$TRAFFIC ROUNDS=$ROUNDS DURATION=${DURATION}s WARMUP=${WARMUP}s CONNECTIONS=$CONNECTIONS LINKS=$LINKS SERVER_CORE=$SERVER_CORE CLIENT_CORE=$CLIENT_CORE ONLY=$ONLY SEED=$SEED REDIRECT_LIMIT=$REDIRECT_LIMIT (KURZ_RATELIMIT_REDIRECT=$KURZ_REDIRECT_RATE)"
echo "machine:"
echo "  nproc:   $NCPU"
echo "  cpu:     $(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n1)"
echo "  kernel:  $(uname -sr)"
echo "  os:      $(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-?}")"
echo "  memory:  $(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
echo "  load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, before start)"
echo "  java:    $( (java -version 2>&1 || echo 'not on PATH') | head -n1)  (PATH; Kurz's own JVM is printed below)"
echo "  nginx:   $( (nginx -v 2>&1 || true) | sed 's/^nginx version: //')"
echo "  wrk:     $( (wrk -v 2>&1 || true) | head -n1 | awk '{print $1, $2}')"
echo "  kurz:    $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo 'no commit')$(git -C "$REPO" status --porcelain 2>/dev/null | grep -q . && echo ' (dirty tree)' || true)"

# ---------------------------------------------------------------- links
# Deterministic slugs: MINSTD LCG (x = x * 48271 mod 2^31-1), exact in awk's
# doubles, so every awk (mawk, gawk) on every machine yields the same list.
SLUG_FILE="$TMP/slugs.txt"      # slug per line
LINK_FILE="$TMP/links.txt"      # "slug url" per line
awk -v n="$ALL_LINKS" -v seed="$SEED" 'BEGIN {
  cs = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
  m = 2147483647; x = (seed % (m - 1)) + 1
  for (i = 1; i <= n; ) {
    s = ""
    for (j = 0; j < 7; j++) { x = (x * 48271) % m; s = s substr(cs, (x % 62) + 1, 1) }
    if (s in seen) continue
    seen[s] = 1
    printf "%s https://example.com/page/%d\n", s, i
    i++
  }
}' >"$LINK_FILE"
head -n "$LINKS" "$LINK_FILE" | cut -d' ' -f1 >"$SLUG_FILE"
SMART_SLUG_FILE="$TMP/slugs-smart.txt"   # SMART=mixed: the smart half
tail -n +"$((LINKS + 1))" "$LINK_FILE" | cut -d' ' -f1 >"$SMART_SLUG_FILE"
CUR_SLUGS=$SLUG_FILE                     # the slugs the next measured run asks for
[[ $(wc -l <"$LINK_FILE") -eq $ALL_LINKS ]] || die "link generation produced the wrong count"
echo "links: $ALL_LINKS generated (slug = 7 chars [A-Za-z0-9], url = https://example.com/page/<n>), e.g. $(head -n1 "$LINK_FILE")"

# ---------------------------------------------------------------- wrk helpers
WRK_TIMEOUT_PAD=30
WALK_MAX_S=$(( ALL_LINKS / 250 + 20 ))   # upper bound for one walk (>= 250 links/s: a cold JVM beside another one)

# walk_check NAME PORT -> verifies every slug once (302 + Location); dies on failure
walk_check() {
  local name=$1 port=$2 out wpid i
  # wrk only ends at -d, so watch for WALK_DONE and stop it early with SIGINT
  # (wrk then prints its summary and runs done()).  Bounded by -d and the loop.
  taskset -c "$CLIENT_CORE" wrk -t1 -c1 -d"${WALK_MAX_S}s" -s "$HERE/walk.lua" \
    "http://127.0.0.1:$port" -- "$LINK_FILE" >"$TMP/walk.out" 2>&1 </dev/null &
  wpid=$!
  for ((i = 0; i < WALK_MAX_S * 20 + 200; i++)); do   # 50 ms steps, a bit past -d
    grep -q '^WALK_DONE' "$TMP/walk.out" 2>/dev/null && break
    kill -0 "$wpid" 2>/dev/null || break
    sleep 0.05
  done
  kill -INT "$wpid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do kill -0 "$wpid" 2>/dev/null || break; sleep 0.05; done
  kill -KILL "$wpid" 2>/dev/null || true
  wait "$wpid" 2>/dev/null || true
  out=$(cat "$TMP/walk.out")
  raw "walk $name" <<<"$out"
  local line
  line=$(grep '^WALK ' <<<"$out" | tail -n1) || true
  [[ -n $line ]] || die "walk on $name printed no result; see $RAW_FILE"
  local ok
  ok=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<<"$line")
  echo "  verify $name: $line"
  grep '^WALK_BAD' <<<"$out" | sed 's/^/    /' || true
  [[ $ok -eq $ALL_LINKS ]] || die "$name did not answer all $ALL_LINKS slugs with 302 + the right Location"
}

RUNS_FILE="$TMP/runs.tsv"
: >"$RUNS_FILE"

# measure ROUND NAME PORT PIDS... -> one table row, appended to RUNS_FILE
# settle PIDS... -> prints "<seconds> <cpu seconds>": waits until the processes
# use less than SETTLE_PCT % of a core over a 0.5 s window (at most SETTLE_MAX_S),
# so work a server defers past the end of a run (GC, JIT, async writes...) is
# shown, and does not land in the next run of the other server.
settle() {
  local hz start a b t0 i quiet=0
  hz=$(getconf CLK_TCK)
  start=$(proc_ticks "$@"); a=$start; t0=$(now_ns)
  for ((i = 0; i < SETTLE_MAX_S * 2; i++)); do
    sleep 0.5
    b=$(proc_ticks "$@")
    if (( (b - a) * 200 <= hz * SETTLE_PCT )); then quiet=1; break; fi
    a=$b
  done
  awk -v t0="$t0" -v t1="$(now_ns)" -v q="$quiet" -v used="$((a - start))" -v hz="$hz" \
    'BEGIN { s = (t1 - t0) / 1e9 - (q ? 0.5 : 0); if (s < 0) s = 0; printf "%.1f %.2f\n", s, used / hz }'
}

# measure ROUND NAME PORT -> one table row, appended to RUNS_FILE
measure() {
  local round=$1 name=$2 port=$3
  local pids=() others=()
  if [[ $name == kurz-b ]]; then pids=("$KURZ_B_PID"); others=("$KURZ_PID" "${NGINX_PIDS[@]}")
  elif [[ $name == kurz* ]]; then pids=("$KURZ_PID"); others=("${NGINX_PIDS[@]}"); [[ -n $KURZ_B_PID ]] && others+=("$KURZ_B_PID")
  else pids=("${NGINX_PIDS[@]}"); [[ -n $KURZ_PID ]] && others=("$KURZ_PID"); fi
  local url="http://127.0.0.1:$port"
  if (( WARMUP > 0 )); then
    timeout $((WARMUP + WRK_TIMEOUT_PAD)) taskset -c "$CLIENT_CORE" \
      wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" -s "$(wrk_script)" "$url" $(wrk_args "$((SEED + 1000 + round))") \
      >"$TMP/warmup.out" 2>&1 || true
    raw "warm-up round $round $name" <"$TMP/warmup.out"
    if [[ $name == kurz* && $name != kurz-b ]]; then
      KURZ_REQS=$(( KURZ_REQS + $(sed -n 's/^RESULT .*requests=\([0-9]*\).*/\1/p' "$TMP/warmup.out" | tail -n1 | grep . || echo 0) ))
      KURZ_WRK_RUNS=$(( KURZ_WRK_RUNS + 1 ))
    fi
  fi
  local p0 o0 s0 c0 t0 p1 o1 s1 c1 t1 out l0="" l1=""
  local mgmt=$PORT_MGMT; [[ $name == kurz-b ]] && mgmt=$PORT_MGMT_B
  [[ $name == kurz* ]] && l0=$(loop_delay "$mgmt")
  p0=$(proc_ticks "${pids[@]}"); o0=$(proc_ticks "${others[@]}")
  s0=$(core_ticks "$SERVER_CORE"); c0=$(core_ticks "$CLIENT_CORE"); t0=$(now_ns)
  out=$(timeout $((DURATION + WRK_TIMEOUT_PAD)) taskset -c "$CLIENT_CORE" \
        wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$(wrk_script)" "$url" $(wrk_args "$((SEED + round))") 2>&1) || true
  p1=$(proc_ticks "${pids[@]}"); o1=$(proc_ticks "${others[@]}")
  s1=$(core_ticks "$SERVER_CORE"); c1=$(core_ticks "$CLIENT_CORE"); t1=$(now_ns)
  [[ $name == kurz* ]] && l1=$(loop_delay "$mgmt")
  local loop="- -"
  [[ -n $l0 && -n $l1 ]] && loop=$(loop_delay_diff "$l0" "$l1")
  raw "measured round $round $name" <<<"$out"
  local line
  line=$(grep '^RESULT ' <<<"$out" | tail -n1) || true
  [[ -n $line ]] || die "wrk run on $name printed no RESULT line; see $RAW_FILE"
  if [[ $name == kurz* && $name != kurz-b ]]; then
    KURZ_REQS=$(( KURZ_REQS + $(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<<"$line") ))
    KURZ_WRK_RUNS=$(( KURZ_WRK_RUNS + 1 ))
  fi
  local after; after=$(settle "${pids[@]}")
  local hz; hz=$(getconf CLK_TCK)
  awk -v round="$round" -v name="$name" -v line="$line" -v after="$after" \
      -v p0="$p0" -v p1="$p1" -v o0="$o0" -v o1="$o1" -v t0="$t0" -v t1="$t1" -v hz="$hz" \
      -v s0="$s0" -v s1="$s1" -v c0="$c0" -v c1="$c1" -v loop="$loop" 'BEGIN {
    n = split(line, kv, " ")
    for (i = 2; i <= n; i++) { split(kv[i], a, "="); r[a[1]] = a[2] }
    wall = (t1 - t0) / 1e9
    proc = (p1 - p0) / hz / wall * 100
    other = (o1 - o0) / hz / wall * 100
    split(s0, sa, " "); split(s1, sb, " "); split(c0, ca, " "); split(c1, cb, " ")
    score = (sb[2] - sa[2]) > 0 ? (sb[1] - sa[1]) / (sb[2] - sa[2]) * 100 : 0
    ccore = (cb[2] - ca[2]) > 0 ? (cb[1] - ca[1]) / (cb[2] - ca[2]) * 100 : 0
    tot = (sb[2] - sa[2]) + (cb[2] - ca[2])
    steal = tot > 0 ? ((sb[3] - sa[3]) + (cb[3] - ca[3])) / tot * 100 : 0
    split(after, af, " ")
    split(loop, lp, " ")
    printf "%s\t%s\t%.0f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.0f\t%d\t%d\t%.0f\t%.0f\t%.0f\t%.0f\t%.1f\t%.1f\t%.2f\t%s\t%s\n",
      round, name, r["rps"], r["p50_ms"], r["p90_ms"], r["p99_ms"], r["p999_ms"], r["max_ms"],
      r["bytes_per_resp"], r["http_errors"], r["sock_errors"], proc, other, score, ccore, steal, af[1], af[2], lp[1], lp[2]
  }' >>"$RUNS_FILE"
  tail -n1 "$RUNS_FILE" | awk -F'\t' -v fmt="$ROW_FMT" '{
    printf fmt, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20 }'
}

ROW_FMT='%5s  %-5s %8s %6s %6s %6s %7s %7s %6s %6s %6s %5s %5s %5s %5s %6s %7s %7s %8s %8s\n'
table_header() {
  # shellcheck disable=SC2059
  printf "$ROW_FMT" round server "req/s" "p50ms" "p90ms" "p99ms" "p99.9ms" "maxms" "B/resp" "httpEr" "sockEr" \
    "proc%" "othr%" "srvC%" "cliC%" "steal%" "settleS" "aftCPUs" "loop>10" "loopMax"
}

# wrk_script -> the Lua script, wrk_args SEED -> its arguments, for the chosen VISITORS/TRAFFIC
wrk_script() { if [[ $VISITORS == realistic ]]; then echo "$HERE/visitors.lua"; else echo "$HERE/slugs.lua"; fi; }
wrk_args() {
  if [[ $VISITORS == realistic ]]; then echo "-- $CUR_SLUGS $1 $TRAFFIC $REQUESTS"; else echo "-- $CUR_SLUGS $1"; fi
}

# loop_delay -> "le=count ..." of kurz_event_loop_delay_seconds (buckets and +Inf), from the management port
loop_delay() {
  curl -s --max-time 5 "http://127.0.0.1:${1:-$PORT_MGMT}/metrics" 2>/dev/null |
    awk '/^kurz_event_loop_delay_seconds_bucket/ { match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5); printf "%s=%s ", le, $NF }'
}

# loop_delay_diff BEFORE AFTER -> "<ticks over 10 ms> <bound of the latest tick, ms>" in the run
loop_delay_diff() {
  awk -v a="$1" -v b="$2" 'BEGIN {
    n = split(a, x, " "); for (i = 1; i <= n; i++) { split(x[i], kv, "="); before[kv[1]] = kv[2] }
    m = split(b, y, " "); for (i = 1; i <= m; i++) { split(y[i], kv, "="); le[i] = kv[1]; d[i] = kv[2] - before[kv[1]] }
    total = d[m]; over = 0; bound = "-"
    for (i = 1; i <= m; i++) { if (le[i] + 0 == 0.01) over = total - d[i]; if (bound == "-" && d[i] == total) bound = le[i] }
    if (bound == "+Inf") bound = ">1000"; else if (bound != "-") bound = sprintf("<=%g", bound * 1000)
    printf "%d %s\n", over, bound
  }'
}

# ---------------------------------------------------------------- JVM helpers
JCMD=""
jvm_live_bytes() {  # pid label -> bytes of live objects after a full GC
  local pid=$1 label=$2 out
  out=$("$JCMD" "$pid" GC.class_histogram 2>&1) || { raw "histogram $label (failed)" <<<"$out"; echo ""; return; }
  head -n 30 <<<"$out" | raw "class histogram $label (top 27)"
  printf '%s\n' "$out" >"$TMP/histo-$label.txt"
  awk '$1 == "Total" {print $3}' <<<"$out"
}

jvm_heap_used_bytes() {  # pid label -> "used" of the heap (GC.heap_info), after GC.run
  local pid=$1 label=$2 out
  "$JCMD" "$pid" GC.run >/dev/null 2>&1 || true
  out=$("$JCMD" "$pid" GC.heap_info 2>&1) || true
  raw "heap_info $label" <<<"$out"
  awk '
    { line = $0; sub(/^[ \t]+/, "", line) }
    line ~ /^(garbage-first heap|def new generation|DefNew|tenured generation|Tenured|PSYoungGen|ParOldGen|ZHeap)/ {
      if (match(line, /used [0-9]+[KMG]/)) {
        v = substr(line, RSTART + 5, RLENGTH - 6); u = substr(line, RSTART + RLENGTH - 1, 1)
        sum += v * (u == "K" ? 1024 : u == "M" ? 1048576 : 1073741824); found = 1
      }
    }
    END { if (found) printf "%.0f\n", sum }' <<<"$out"
}

# b_heap_point LABEL -> Kurz B's live bytes, after the same full GCs A gets at that point (histogram, GC.run)
b_heap_point() {
  [[ -n $JCMD ]] || return 0
  jvm_live_bytes "$KURZ_B_PID" "b-$1"
  jvm_heap_used_bytes "$KURZ_B_PID" "b-$1" >/dev/null
}

# histogram diff: top classes by byte growth between two histograms
histo_diff() {
  awk '
    FNR == 1 { f++ }
    $1 ~ /^[0-9]+:$/ { k = $4; b[f, k] = $3; keys[k] = 1 }
    END {
      for (k in keys) { d = b[2, k] - b[1, k]; if (d > 0) printf "%d\t%s\n", d, k }
    }' "$1" "$2" | sort -rn | awk 'NR <= 8' |
    awk -F'\t' -v n="$LINKS" '{ printf "      %+10d B  (%6.1f B/link)  %s\n", $1, $1 / n, $2 }'
}

# launch_kurz CHECKOUT PORT MGMT_PORT DATA_DIR LOG -> starts `./kurz run` of that checkout in the
# background on SERVER_CORE with the benchmark's settings ($! is its process group)
launch_kurz() {
  (cd "$1" && exec env KURZ_PORT="$2" KURZ_HOST=127.0.0.1 KURZ_DATA_DIR="$4" \
      KURZ_API_KEY="$API_KEY" KURZ_SKIP_BUILD=1 KURZ_MANAGEMENT_PORT="$3" KURZ_MANAGEMENT_HOST=127.0.0.1 \
      KURZ_TRUSTED_PROXIES="$([[ $VISITORS == realistic ]] && echo 127.0.0.1)" \
      KURZ_METRICS_REDIRECTS="${KURZ_METRICS_REDIRECTS:-on}" \
      KURZ_RATELIMIT_REDIRECT="$KURZ_REDIRECT_RATE" KURZ_RATELIMIT_API=off KURZ_RATELIMIT_API_IP=off \
      setsid taskset -c "$SERVER_CORE" ./kurz run) >"$5" 2>&1 </dev/null &
}

# ---------------------------------------------------------------- Kurz
KURZ_PID=""
KURZ_REQS=0; KURZ_WRK_RUNS=0; CLICKS_LINE=""
READY_MS=n/a; RSS_READY=0; RSS_IDLE=0; PER_CACHED=n/a; PER_TOTAL=n/a
if (( RUN_KURZ )); then
  echo
  echo "=== Kurz"
  [[ -x $REPO/kurz ]] || die "launcher $REPO/kurz not found or not executable"
  port_free "$PORT_KURZ" || die "port $PORT_KURZ is already in use"
  if [[ $KURZ_SKIP_BUILD != 1 ]]; then
    echo "building: ./kurz build (output in raw log)"
    if ! (cd "$REPO" && ./kurz build) >"$TMP/build.log" 2>&1; then
      raw "build" <"$TMP/build.log"
      tail -n 30 "$TMP/build.log"
      die "./kurz build failed"
    fi
    raw "build (last 20 lines)" < <(tail -n 20 "$TMP/build.log")
  fi
  KURZ_DATA="$TMP/kurz-data"; mkdir -p "$KURZ_DATA"
  API_KEY="kurz_bench_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  t_launch=$(now_ns)
  launch_kurz "$REPO" "$PORT_KURZ" "$PORT_MGMT" "$KURZ_DATA" "$TMP/kurz.log"
  KURZ_PGID=$!
  deadline=$(( $(date +%s) + READY_TIMEOUT_S ))
  t_ready=""
  while (( $(date +%s) < deadline )); do
    if [[ $(http_code "http://127.0.0.1:$PORT_KURZ/health/ready") == 200 ]]; then
      t_ready=$(now_ns); break
    fi
    kill -0 "$KURZ_PGID" 2>/dev/null || { tail -n 30 "$TMP/kurz.log"; die "Kurz exited before becoming ready"; }
    sleep 0.02
  done
  [[ -n $t_ready ]] || { tail -n 30 "$TMP/kurz.log"; die "Kurz not ready after ${READY_TIMEOUT_S}s"; }
  READY_MS=$(( (t_ready - t_launch) / 1000000 ))
  KURZ_PID=$(pid_on_port "$PORT_KURZ")
  [[ -n $KURZ_PID ]] || KURZ_PID=$(pgrep -g "$KURZ_PGID" java | head -n1 || true)
  [[ -n $KURZ_PID ]] || die "cannot find the Kurz java process"
  JAVA_BIN=$(readlink -f "/proc/$KURZ_PID/exe")
  JCMD="$(dirname "$JAVA_BIN")/jcmd"
  [[ -x $JCMD ]] || JCMD=$(command -v jcmd || true)
  # split launch time: launcher (JDK discovery etc.) vs JVM start -> ready,
  # from the JVM's own perf counter sun.rt.createVmBeginTime (ms since epoch)
  VM_BEGIN_MS=""
  if [[ -n $JCMD ]]; then
    VM_BEGIN_MS=$("$JCMD" "$KURZ_PID" PerfCounter.print 2>/dev/null | sed -n 's/^sun\.rt\.createVmBeginTime=\([0-9]*\).*/\1/p' | head -n1) || true
  fi
  echo "  launch -> /health/ready 200: ${READY_MS} ms  (pid $KURZ_PID, affinity $(taskset -pc "$KURZ_PID" | sed 's/.*: //'))"
  if [[ -n $VM_BEGIN_MS ]]; then
    echo "    of which: launcher before the JVM $(( VM_BEGIN_MS - t_launch / 1000000 )) ms, JVM start -> ready $(( t_ready / 1000000 - VM_BEGIN_MS )) ms"
  fi
  echo "  java:    $("$(dirname "$JAVA_BIN")/java" -version 2>&1 | head -n1)  ($JAVA_BIN)"
  tr '\0' ' ' <"/proc/$KURZ_PID/cmdline" | raw "kurz java command line"
  RSS_READY=$(rss_kib "$KURZ_PID")
  echo "  RSS at ready (before load): $(fmt_mib "$RSS_READY")"

  LIVE_START=""; HEAP_START=""
  if [[ -n $JCMD ]]; then
    LIVE_START=$(jvm_live_bytes "$KURZ_PID" start)
    HEAP_START=$(jvm_heap_used_bytes "$KURZ_PID" start)
  fi

  # load links, BATCH per request
  awk -v b="$BATCH" -v dir="$TMP" -v smart="$SMART" -v half="$LINKS" '
    function rules() { return ",\"rules\":[{\"if\":{\"country\":[\"DE\",\"AT\"]},\"url\":\"https://example.com/de\"}," \
        "{\"if\":{\"device\":[\"mobile\"]},\"url\":\"https://example.com/m\"},{\"if\":{\"os\":[\"ios\"]},\"url\":\"https://example.com/ios\"}," \
        "{\"if\":{\"language\":[\"fr\"]},\"url\":\"https://example.com/fr\"},{\"if\":{\"query\":{\"ref\":\"x\"}},\"url\":\"https://example.com/q\"}]" }
    { i = NR - 1; f = sprintf("%s/batch-%05d.json", dir, int(i / b))
      if (i % b == 0) { if (prev) { print "]}" > prev; close(prev) } printf "{\"links\":[" > f; prev = f; sep = "" }
      extra = smart == "1" || (smart == "mixed" && NR > half) ? rules() ",\"variants\":[{\"url\":\"" $2 "\",\"weight\":50},{\"url\":\"" $2 "\",\"weight\":50}]" : ""
      printf "%s{\"url\":\"%s\",\"slug\":\"%s\"%s}", sep, $2, $1, extra > f; sep = "," }
    END { if (prev) { print "]}" > prev; close(prev) } }' "$LINK_FILE"
  created=0
  t_load=$(now_ns)
  for f in "$TMP"/batch-*.json; do
    code=$(curl -s -o "$TMP/resp.json" -w '%{http_code}' --max-time 120 \
           -H "X-Api-Key: $API_KEY" -H 'Content-Type: application/json' \
           --data-binary "@$f" "http://127.0.0.1:$PORT_KURZ/api/v1/links/batch") || code=000
    if [[ $code != 200 ]]; then
      head -c 1000 "$TMP/resp.json" 2>/dev/null; echo
      die "batch $(basename "$f") answered HTTP $code"
    fi
    n201=$(grep -oE '"status"[[:space:]]*:[[:space:]]*201([^0-9]|$)' "$TMP/resp.json" | wc -l)
    created=$((created + n201))
    want=$(grep -o '"slug"' "$f" | wc -l)
    if (( n201 != want )); then
      head -c 1000 "$TMP/resp.json"; echo
      die "batch $(basename "$f"): $n201 of $want links created"
    fi
  done
  LOAD_MS=$(( ($(now_ns) - t_load) / 1000000 ))
  (( created == ALL_LINKS )) || die "only $created of $ALL_LINKS links created"
  echo "  loaded $created links (201) via POST /api/v1/links/batch in ${LOAD_MS} ms"

  LIVE_LOADED=""; HEAP_LOADED=""
  if [[ -n $JCMD ]]; then
    LIVE_LOADED=$(jvm_live_bytes "$KURZ_PID" loaded)
    HEAP_LOADED=$(jvm_heap_used_bytes "$KURZ_PID" loaded)
  fi
  walk_check kurz "$PORT_KURZ"
  KURZ_REQS=$(( KURZ_REQS + ALL_LINKS ))   # the walk: one redirect per link, each counted as a click
  LIVE_WALKED=""; HEAP_WALKED=""
  if [[ -n $JCMD ]]; then
    LIVE_WALKED=$(jvm_live_bytes "$KURZ_PID" walked)
    HEAP_WALKED=$(jvm_heap_used_bytes "$KURZ_PID" walked)
  fi
  echo "  heap (live objects after full GC, jcmd GC.class_histogram / GC.heap_info used):"
  if [[ -n $LIVE_START && -n $LIVE_LOADED && -n $LIVE_WALKED ]]; then
    awk -v s="$LIVE_START" -v l="$LIVE_LOADED" -v w="$LIVE_WALKED" -v n="$ALL_LINKS" \
        -v hs="${HEAP_START:-0}" -v hl="${HEAP_LOADED:-0}" -v hw="${HEAP_WALKED:-0}" 'BEGIN {
      printf "    after start:            %8.1f MiB live  (heap used %.1f MiB)\n", s / 1048576, hs / 1048576
      printf "    after load (cache cold):%8.1f MiB live  (heap used %.1f MiB)\n", l / 1048576, hl / 1048576
      printf "    after walking all slugs:%8.1f MiB live  (heap used %.1f MiB)\n", w / 1048576, hw / 1048576
      printf "    heap per cached link:   %8.0f B   ((walked - loaded) / %d)\n", (w - l) / n, n
      printf "    heap per link, total:   %8.0f B   ((walked - start) / %d: store + cache + indexes)\n", (w - s) / n, n
    }'
    PER_CACHED=$(awk -v l="$LIVE_LOADED" -v w="$LIVE_WALKED" -v n="$ALL_LINKS" 'BEGIN { printf "%.0f", (w - l) / n }')
    PER_TOTAL=$(awk -v s="$LIVE_START" -v w="$LIVE_WALKED" -v n="$ALL_LINKS" 'BEGIN { printf "%.0f", (w - s) / n }')
    echo "    largest growth, load -> walk (class histogram):"
    histo_diff "$TMP/histo-loaded.txt" "$TMP/histo-walked.txt"
    echo "    largest growth, start -> walk:"
    histo_diff "$TMP/histo-start.txt" "$TMP/histo-walked.txt"
  else
    echo "    n/a (jcmd not available or could not attach)"
  fi
fi

# ---------------------------------------------------------------- Kurz B (KURZ_B=<checkout>)
if (( RUN_KURZ )) && [[ -n $KURZ_B ]]; then
  echo
  echo "=== Kurz B: $KURZ_B ($(git -C "$KURZ_B" rev-parse --short HEAD 2>/dev/null || echo '?'))"
  [[ -x $KURZ_B/kurz ]] || die "KURZ_B=$KURZ_B has no ./kurz launcher"
  port_free "$PORT_KURZ_B" || die "port $PORT_KURZ_B is already in use"
  if [[ $KURZ_SKIP_BUILD != 1 ]]; then
    (cd "$KURZ_B" && ./kurz build) >"$TMP/build-b.log" 2>&1 || { tail -n 30 "$TMP/build-b.log"; die "./kurz build failed in $KURZ_B"; }
  fi
  mkdir -p "$TMP/kurz-b-data"
  launch_kurz "$KURZ_B" "$PORT_KURZ_B" "$PORT_MGMT_B" "$TMP/kurz-b-data" "$TMP/kurz-b.log"
  KURZ_B_PGID=$!
  deadline=$(( $(date +%s) + READY_TIMEOUT_S ))
  until [[ $(http_code "http://127.0.0.1:$PORT_KURZ_B/health/ready") == 200 ]]; do
    kill -0 "$KURZ_B_PGID" 2>/dev/null || { tail -n 30 "$TMP/kurz-b.log"; die "Kurz B exited before becoming ready"; }
    (( $(date +%s) < deadline )) || die "Kurz B not ready after ${READY_TIMEOUT_S}s"
    sleep 0.05
  done
  KURZ_B_PID=$(pid_on_port "$PORT_KURZ_B")
  [[ -n $KURZ_B_PID ]] || die "cannot find Kurz B's java process"
  # B gets the same full GCs (histograms, GC.run) at the same points as A: they shape the parallel
  # collector's adaptive sizing, and A measured with them beside B without kept A's young
  # generation ~4x smaller than B's (4x the young collections in the runs: 68 vs 17).
  B_START=$(b_heap_point start)
  for f in "$TMP"/batch-*.json; do
    code=$(curl -s -o "$TMP/resp.json" -w '%{http_code}' --max-time 120 -H "X-Api-Key: $API_KEY" \
           -H 'Content-Type: application/json' --data-binary "@$f" "http://127.0.0.1:$PORT_KURZ_B/api/v1/links/batch") || code=000
    [[ $code == 200 ]] || { head -c 1000 "$TMP/resp.json"; echo; die "Kurz B: batch $(basename "$f") answered HTTP $code"; }
  done
  echo "  Kurz B up (pid $KURZ_B_PID, port $PORT_KURZ_B), links loaded"
  B_LOADED=$(b_heap_point loaded)
  settle "$KURZ_PID" "$KURZ_B_PID" >/dev/null   # both on one core: let A's deferred work end before B's walk
  walk_check kurz-b "$PORT_KURZ_B"   # its clicks are its own: the count check below reads Kurz A
  B_WALKED=$(b_heap_point walked)
  if [[ -n $B_START && -n $B_LOADED && -n $B_WALKED ]]; then
    awk -v s="$B_START" -v l="$B_LOADED" -v w="$B_WALKED" -v n="$ALL_LINKS" 'BEGIN {
      printf "  heap: %.1f MiB live after walking all slugs; per cached link %.0f B, per link in all %.0f B\n", w / 1048576, (w - l) / n, (w - s) / n }'
  fi
fi

# ---------------------------------------------------------------- nginx
NGINX_PIDS=()
if (( RUN_NGINX )); then
  echo
  echo "=== nginx"
  port_free "$PORT_NGINX" || die "port $PORT_NGINX is already in use"
  ND="$TMP/nginx"
  mkdir -p "$ND/logs" "$ND/tmp"
  {
    cat <<EOF
# generated by bench/redirect/run.sh
worker_processes 1;
daemon off;
pid $ND/nginx.pid;
error_log $ND/logs/error.log warn;

events {
    worker_connections 4096;
}

http {
    access_log off;
    server_tokens off;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    client_body_temp_path $ND/tmp/body;
    proxy_temp_path $ND/tmp/proxy;
    fastcgi_temp_path $ND/tmp/fastcgi;
    uwsgi_temp_path $ND/tmp/uwsgi;
    scgi_temp_path $ND/tmp/scgi;
    default_type text/html;
    # 7-char keys: 64-byte buckets overflow at 10k entries ("could not build
    # optimal map_hash"); 128 builds an optimal hash.
    map_hash_bucket_size 128;
    map_hash_max_size $(( ALL_LINKS * 4 > 4096 ? ALL_LINKS * 4 : 4096 ));

    map \$uri \$dest {
        default "";
EOF
    awk '{ printf "        /%s \"%s\";\n", $1, $2 }' "$LINK_FILE"
    cat <<EOF
    }

    server {
        listen 127.0.0.1:$PORT_NGINX;
        location / {
            if (\$dest = "") { return 404; }
            return 302 \$dest;
        }
    }
}
EOF
  } >"$ND/nginx.conf"
  { head -n 32 "$ND/nginx.conf"; echo "        ... ($ALL_LINKS entries)"; tail -n 11 "$ND/nginx.conf"; } | raw "nginx.conf"
  nginx -t -p "$ND" -c "$ND/nginx.conf" -e "$ND/logs/error.log" >"$TMP/nginx-t.log" 2>&1 \
    || { cat "$TMP/nginx-t.log"; die "nginx config test failed"; }
  (exec setsid taskset -c "$SERVER_CORE" nginx -p "$ND" -c "$ND/nginx.conf" -e "$ND/logs/error.log") \
    >"$TMP/nginx.out" 2>&1 </dev/null &
  NGINX_PGID=$!
  ok=""
  for ((i = 0; i < 250; i++)); do       # at most ~10 s
    [[ $(http_code "http://127.0.0.1:$PORT_NGINX/") != 000 ]] && { ok=1; break; }
    kill -0 "$NGINX_PGID" 2>/dev/null || break
    sleep 0.04
  done
  [[ -n $ok ]] || { cat "$TMP/nginx.out" "$ND/logs/error.log" 2>/dev/null; die "nginx did not start"; }
  read -r -a NGINX_PIDS <<<"$(group_pids "$NGINX_PGID")"
  echo "  nginx up: pids ${NGINX_PIDS[*]} (master + worker), affinity $(taskset -pc "$NGINX_PGID" | sed 's/.*: //'), map of $ALL_LINKS entries"
  walk_check nginx "$PORT_NGINX"
fi

# ---------------------------------------------------------------- rounds
echo
echo "=== runs: wrk -t1 -c$CONNECTIONS -d${DURATION}s --latency, uniform random slugs, warm-up ${WARMUP}s each"
echo "    (httpEr = responses with status >= 400, sockEr = connect/read/write/timeout errors,"
echo "     proc% = server process CPU over the run, srvC%/cliC% = busy % of the server/client core,"
echo "     othr% = CPU of the other (idle) server during the run, steal% = hypervisor steal over both cores,"
echo "     settleS/aftCPUs = seconds until the server went idle after the run and CPU seconds it used meanwhile)"
ALL_PIDS=()
if (( RUN_KURZ )); then ALL_PIDS+=("$KURZ_PID"); fi
[[ -n $KURZ_B_PID ]] && ALL_PIDS+=("$KURZ_B_PID")
if (( RUN_NGINX )); then ALL_PIDS+=("${NGINX_PIDS[@]}"); fi
read -r st_s st_cpu <<<"$(settle "${ALL_PIDS[@]}")"
echo "    (servers idle before the first run after ${st_s}s, ${st_cpu} CPU s)"
table_header
for ((r = 1; r <= ROUNDS; r++)); do
  if (( RUN_KURZ )) && [[ $SMART == mixed ]]; then
    # Both kinds back to back, the order alternating so that neither always runs first.
    for kind in $( (( r % 2 )) && echo "plain smart" || echo "smart plain"); do
      if [[ $kind == plain ]]; then CUR_SLUGS=$SLUG_FILE; measure "$r" kurz "$PORT_KURZ"
      else CUR_SLUGS=$SMART_SLUG_FILE; measure "$r" kurz-smart "$PORT_KURZ"; fi
    done
    CUR_SLUGS=$SLUG_FILE
  elif (( RUN_KURZ )) && [[ -n $KURZ_B_PID ]]; then
    if (( (r + B_FIRST) % 2 )); then measure "$r" kurz "$PORT_KURZ"; measure "$r" kurz-b "$PORT_KURZ_B"
    else measure "$r" kurz-b "$PORT_KURZ_B"; measure "$r" kurz "$PORT_KURZ"; fi
  elif (( RUN_KURZ )); then measure "$r" kurz "$PORT_KURZ"; fi
  if (( RUN_NGINX )); then measure "$r" nginx "$PORT_NGINX"; fi
done

# ---------------------------------------------------------------- idle memory
echo
echo "=== idle memory (after ${IDLE_WAIT}s idle)"
sleep "$IDLE_WAIT"
if (( RUN_KURZ )); then
  RSS_IDLE=$(rss_kib "$KURZ_PID")
  echo "  kurz  RSS: $(fmt_mib "$RSS_IDLE")  (VmRSS of pid $KURZ_PID; $(fmt_mib "$RSS_READY") at ready, before any load)"
fi
if (( RUN_NGINX )); then
  echo "  nginx RSS: $(fmt_mib "$(rss_kib "${NGINX_PIDS[@]}")")  (VmRSS master + worker; shared pages counted twice)"
fi

# ---------------------------------------------------------------- clicks counted
# Every redirect Kurz served must be counted once the batcher has flushed (1 s; we waited
# IDLE_WAIT). wrk counts the responses it read; requests still in flight when a wrk run stops are
# served (and counted) but not read, at most CONNECTIONS per run.
if (( RUN_KURZ )); then
  stats=$(curl -s --max-time 30 -H "X-Api-Key: $API_KEY" \
          "http://127.0.0.1:$PORT_KURZ/api/v1/stats?from=$(date -u -d '-1 day' +%Y-%m-%dT%H:%M:%SZ)") || stats=""
  COUNTED=$(sed -n 's/.*"totals":{"clicks":\([0-9]*\).*/\1/p' <<<"$stats")
  DROPPED=$(sed -n 's/.*"dropped":\([0-9]*\).*/\1/p' <<<"$stats" | head -n1)
  raw "stats after the runs" <<<"$stats"
  INFLIGHT_MAX=$(( KURZ_WRK_RUNS * CONNECTIONS ))
  if [[ -z $COUNTED || -z $DROPPED ]]; then
    CLICKS_LINE="clicks counted: could not read /api/v1/stats (see raw log)"
  elif (( DROPPED == 0 && COUNTED >= KURZ_REQS && COUNTED - KURZ_REQS <= INFLIGHT_MAX )); then
    CLICKS_LINE="clicks counted: $COUNTED for $KURZ_REQS responses read (+$(( COUNTED - KURZ_REQS )) served while wrk stopped, at most $INFLIGHT_MAX), dropped 0: OK"
  else
    CLICKS_LINE="clicks counted: $COUNTED for $KURZ_REQS responses read (in flight at most $INFLIGHT_MAX), dropped $DROPPED: MISMATCH"
  fi
  echo
  echo "=== $CLICKS_LINE"
fi

# ---------------------------------------------------------------- summary
echo
echo "=== summary (medians over $ROUNDS round(s))"
col() { awk -F'\t' -v s="$1" -v c="$2" '$2 == s { print $c }' "$RUNS_FILE" | median; }
K_RPS=nan; K_P99=nan; N_RPS=nan; N_P99=nan
if (( RUN_KURZ )); then K_RPS=$(col kurz 3); K_P99=$(col kurz 6); fi
if (( RUN_NGINX )); then N_RPS=$(col nginx 3); N_P99=$(col nginx 6); fi
printf "  %-6s %12s %10s\n" server "req/s" "p99 ms"
if (( RUN_KURZ )); then printf "  %-6s %12.0f %10.3f\n" kurz "$K_RPS" "$K_P99"; else printf "  %-6s %12s %10s\n" kurz "n/a" "n/a"; fi
if (( RUN_NGINX )); then printf "  %-6s %12.0f %10.3f\n" nginx "$N_RPS" "$N_P99"; else printf "  %-6s %12s %10s\n" nginx "n/a" "n/a"; fi
ERRS=$(awk -F'\t' '{ e += $10 + $11 } END { print e + 0 }' "$RUNS_FILE")
(( ERRS == 0 )) || echo "  WARNING: $ERRS HTTP/socket errors during measured runs (see table)"
CLIENT_BOUND=$(awk -F'\t' '$15 >= 95 { n++ } END { print n + 0 }' "$RUNS_FILE")
(( CLIENT_BOUND == 0 )) || echo "  NOTE: in $CLIENT_BOUND run(s) the client core was >= 95% busy: wrk may be the bottleneck there"
NOISY=$(awk -F'\t' '$14 - $12 - $13 > 10 { n++ } END { print n + 0 }' "$RUNS_FILE")
(( NOISY == 0 )) || echo "  NOTE: in $NOISY run(s) other processes took > 10% of the server core (srvC% - proc% - othr%): noisy machine"
OTHER_BUSY=$(awk -F'\t' '$13 > 5 { n++ } END { print n + 0 }' "$RUNS_FILE")
(( OTHER_BUSY == 0 )) || echo "  NOTE: in $OTHER_BUSY run(s) the idle server used > 5% CPU on the shared server core (othr%)"
if (( RUN_KURZ )); then
  echo "  kurz  after each run: median $(col kurz 17) s to idle, $(col kurz 18) CPU s of deferred work"
fi
if (( RUN_NGINX )); then
  echo "  nginx after each run: median $(col nginx 17) s to idle, $(col nginx 18) CPU s of deferred work"
fi
if (( RUN_KURZ && RUN_NGINX )); then
  echo "  per-round ratio kurz/nginx: $(awk -F'\t' '{ v[$1, $2] = $3; if ($1 > m) m = $1 } END { for (r = 1; r <= m; r++) printf "r%d=%.3f ", r, v[r, "kurz"] / v[r, "nginx"] }' "$RUNS_FILE")"
  RATIO=$(awk -v k="$K_RPS" -v n="$N_RPS" 'BEGIN { printf "%.3f", k / n }')
  echo "  RATIO kurz/nginx req/s: ${RATIO}x   (median kurz req/s / median nginx req/s)"
  ok_ratio=$(awk -v r="$RATIO" -v g="$GOAL_RATIO" 'BEGIN { print (r >= g) ? 1 : 0 }')
  ok_p99=$(awk -v p="$K_P99" -v g="$GOAL_P99_MS" 'BEGIN { print (p <= g) ? 1 : 0 }')
  reasons=()
  (( ok_ratio )) || reasons+=("ratio ${RATIO}x < ${GOAL_RATIO}x")
  (( ok_p99 )) || reasons+=("kurz p99 ${K_P99} ms > ${GOAL_P99_MS} ms")
  if (( ERRS > 0 )); then reasons+=("errors during runs"); fi
  if (( ${#reasons[@]} == 0 )); then
    echo "  GOAL MET: kurz >= ${GOAL_RATIO}x nginx req/s and kurz p99 <= ${GOAL_P99_MS} ms at $CONNECTIONS connections"
  else
    msg=""
    for x in "${reasons[@]}"; do msg+="${msg:+; }$x"; done
    echo "  GOAL NOT MET: $msg"
  fi
else
  echo "  RATIO kurz/nginx: n/a (ONLY=$ONLY)"
  echo "  GOAL: not evaluated (needs both servers)"
fi
if [[ -n $KURZ_B_PID ]]; then
  printf "  %-10s %12.0f %10.3f\n" kurz-b "$(col kurz-b 3)" "$(col kurz-b 6)"
  echo "  per-round kurz/kurz-b (same core, back to back): $(awk -F'\t' '{ v[$1, $2] = $3; if ($1 > m) m = $1 } END { for (r = 1; r <= m; r++) printf "r%d=%.3f ", r, v[r, "kurz"] / v[r, "kurz-b"] }' "$RUNS_FILE")"
  AB=$(awk -F'\t' '{ v[$1, $2] = $3; if ($1 > m) m = $1 } END { for (r = 1; r <= m; r++) print v[r, "kurz"] / v[r, "kurz-b"] }' "$RUNS_FILE" | median)
  echo "  KURZ/KURZ-B median of the rounds' ratios: $(printf '%.3f' "$AB")  (B = $KURZ_B)"
fi
if (( RUN_KURZ )) && [[ $SMART == mixed ]]; then
  S_RPS=$(col kurz-smart 3); S_P99=$(col kurz-smart 6)
  printf "  %-10s %12.0f %10.3f\n" kurz-smart "$S_RPS" "$S_P99"
  echo "  per-round smart/plain (same server, back to back): $(awk -F'\t' '{ v[$1, $2] = $3; if ($1 > m) m = $1 } END { for (r = 1; r <= m; r++) printf "r%d=%.3f ", r, v[r, "kurz-smart"] / v[r, "kurz"] }' "$RUNS_FILE")"
  SMART_RATIO=$(awk -F'\t' '{ v[$1, $2] = $3; if ($1 > m) m = $1 } END { for (r = 1; r <= m; r++) print v[r, "kurz-smart"] / v[r, "kurz"] }' "$RUNS_FILE" | median)
  SMART_RATIO=$(printf '%.3f' "$SMART_RATIO")
  if awk -v r="$SMART_RATIO" 'BEGIN { exit !(r >= 0.85) }'; then v="GOAL MET"; else v="GOAL NOT MET"; fi
  echo "  SMART/PLAIN median of the rounds' ratios: ${SMART_RATIO}  -> $v (issue 10: >= 0.85)"
fi
if (( RUN_KURZ )); then
  echo "  kurz launch -> /health/ready: ${READY_MS} ms"
  echo "  kurz idle RSS after the runs: $(fmt_mib "$RSS_IDLE")"
  echo "  kurz heap per cached link: ${PER_CACHED} B (per link incl. store: ${PER_TOTAL} B)"
  echo "  kurz $CLICKS_LINE"
  if [[ -n ${RATIO:-} && $RATIO != n/a ]]; then
    if awk -v r="$RATIO" 'BEGIN { exit !(r >= 0.9) }' && [[ $CLICKS_LINE == *": OK" ]]; then
      echo "  ANALYTICS GOAL MET (issue 3): ratio ${RATIO}x >= 0.9x with every click counted and none dropped"
    else
      echo "  ANALYTICS GOAL NOT MET (issue 3): needs ratio >= 0.9x (got ${RATIO}x) and every click counted, none dropped"
    fi
  fi
fi
if (( RUN_KURZ )); then
  LOOP_OVER=$(awk -F'\t' '$2 == "kurz" && $19 != "-" { n += $19 } END { print n + 0 }' "$RUNS_FILE")
  LOOP_MAX=$(awk -F'\t' '$2 == "kurz" { v = $20; sub(/^<=/, "", v); if (v == ">1000") v = 1e9; if (v != "-" && v + 0 > m) { m = v + 0; s = $20 } } END { print (s == "" ? "-" : s) }' "$RUNS_FILE")
  echo "  kurz event loop: $LOOP_OVER ticks more than 10 ms late over all measured runs; latest tick ${LOOP_MAX} ms"
  if [[ -n ${RATIO:-} ]]; then
    reasons=()
    awk -v r="$RATIO" 'BEGIN { exit !(r >= 0.9) }' || reasons+=("ratio ${RATIO}x < 0.9x")
    awk -v p="$K_P99" 'BEGIN { exit !(p <= 5) }' || reasons+=("kurz p99 ${K_P99} ms > 5 ms")
    (( LOOP_OVER == 0 )) || reasons+=("$LOOP_OVER event-loop ticks > 10 ms late")
    [[ $CLICKS_LINE == *": OK" ]] || reasons+=("clicks not all counted")
    if (( ${#reasons[@]} == 0 )); then
      echo "  TAIL GOAL MET (issue 13, VISITORS=$VISITORS TRAFFIC=$TRAFFIC): >= 0.9x nginx, p99 <= 5 ms, no loop stall > 10 ms, every click counted"
    else
      msg=""; for x in "${reasons[@]}"; do msg+="${msg:+; }$x"; done
      echo "  TAIL GOAL NOT MET (issue 13, VISITORS=$VISITORS TRAFFIC=$TRAFFIC): $msg"
    fi
  fi
fi
(( CONNECTIONS == 64 )) || echo "  NOTE: the goal is defined at 64 connections; this run used $CONNECTIONS"
echo
echo "results: $RESULTS_FILE"
echo "raw log: $RAW_FILE"
