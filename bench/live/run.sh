#!/usr/bin/env bash
# Live dashboard benchmark: CONNECTIONS WebSocket dashboards while RATE redirects/s hit the server.
#
# Run (from anywhere):
#
#     bench/live/run.sh
#
#   e.g. a quick check:  SECONDS=15 bench/live/run.sh
#        lower rate:     RATE=5000 bench/live/run.sh
#
# What it does:
#   1. builds main and test classes and the test class path (mvn test-compile
#      dependency:build-classpath, as bench/analytics/run.sh), and target/kurz.jar
#      with `./kurz build` unless KURZ_SKIP_BUILD=1;
#   2. starts Kurz (`./kurz run`, fresh KURZ_DATA_DIR, random KURZ_API_KEY, free
#      port on 127.0.0.1, management port on another; the per-address limits
#      off, as the bench is one address: KURZ_RATELIMIT_LIVE, _API, _API_IP
#      =off, KURZ_MAX_CONNECTIONS_PER_IP=0; the redirect limit checked on every
#      redirect but never reached, 1000000000/s, as in bench/redirect) pinned
#      to SERVER_CORE with taskset, waits for
#      GET /health/ready == 200 and finds the java process;
#   3. runs dev.kurz.bench.LiveBench pinned to CLIENT_CORE: it creates LINKS links
#      (lb0..), reads the server's RSS and live heap (jcmd GC.class_histogram),
#      opens CONNECTIONS dashboards (every 50th on all links, the others on 5
#      random links), reads memory again, then drives RATE redirects/s for WARMUP
#      + SECONDS and measures, over SECONDS, click -> frame latency from the
#      frames' `t` and the redirects' latency; then closes the dashboards and
#      drives the same paced load for REFERENCE_WARMUP + REFERENCE_SECONDS: the
#      redirects' latency without dashboards, in the same run, against the same
#      warm server (the tax of the fan-out is the difference).
#
# What it prints: machine notes; memory per connection (RSS delta, and live heap
# from class histograms with the classes that grew); one line per second of load
# (sent/s, 302/s, in flight, skipped, frames/s, worst frame latency, connections
# closed); then, per phase (with the dashboards, without), over its measured
# seconds: achieved rate, CPU of both sides, frames/s, the redirects' latency
# p50/p90/p99/p99.9/max measured from the schedule (open model: a request is due
# every 1/RATE s whatever the answers do, and its latency counts from when it was
# due, so a stall of the server or of this JVM is not hidden by coordinated
# omission) and from the send (incl. the wait for one of the 64 pooled
# connections), this JVM's load event-loop lag (its share), the server's
# event-loop delay and sampled redirect latency (management port /metrics,
# differences over the phase); then the latency of `click` frames (redirect ->
# frame) and `clicks` frames (hub tick -> frame); whether every all-links
# dashboard saw every click; RESULT lines (RESULT live redirects: p50/p99 with
# and without, and the tax at p99). The same goes to
# bench/live/results/<UTC>.txt (git-ignored), the server log to <UTC>-server.log.
# A run takes WARMUP + SECONDS + REFERENCE_WARMUP + REFERENCE_SECONDS + about 30 s.
#
# Options (environment variables):
#   CONNECTIONS=1000   dashboards
#   LINKS=1000         links (lb0..lbN-1)
#   RATE=10000         redirects per second
#   SECONDS=60         seconds of load (SECONDS is bash's own variable: an
#                      inherited value from the environment is used, else 60)
#   WARMUP=30          seconds of load before the measured SECONDS, not measured (on
#                      one core the server needs about 30 s at 10,000 clicks/s to compile
#                      its hot code and keep up)
#   REFERENCE_SECONDS=SECONDS  measured seconds without dashboards (0: no reference phase)
#   REFERENCE_WARMUP=10        seconds of load without dashboards before them, not measured
#   SERVER_CORE=0      CLIENT_CORE=1   cores for Kurz and for the bench JVM
#   KURZ_SKIP_BUILD=0  1 = use target/kurz.jar as it is
#   KURZ_JAVA_OPTS     extra JVM options for the server (passed to ./kurz run)
#   BENCH_JAVA_OPTS    extra JVM options for the bench JVM (e.g. -Xlog:gc:file=/tmp/bench-gc.log)
#
# Exit code: 0 when the benchmark ran (goal met or not), non-zero when something failed.
set -euo pipefail

# bash sets SECONDS itself (seconds since the shell started); only an exported value is an option.
LOAD_SECONDS=$(printenv SECONDS || echo 60)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
cd "$REPO"

CONNECTIONS=${CONNECTIONS:-1000}
LINKS=${LINKS:-1000}
RATE=${RATE:-10000}
WARMUP=${WARMUP:-30}
REFERENCE_SECONDS=${REFERENCE_SECONDS:-$LOAD_SECONDS}
REFERENCE_WARMUP=${REFERENCE_WARMUP:-10}
SERVER_CORE=${SERVER_CORE:-0}
CLIENT_CORE=${CLIENT_CORE:-1}
KURZ_SKIP_BUILD=${KURZ_SKIP_BUILD:-0}
READY_TIMEOUT_S=60

die() { echo "ERROR: $*" >&2; exit 1; }
for v in CONNECTIONS LINKS RATE WARMUP LOAD_SECONDS REFERENCE_SECONDS REFERENCE_WARMUP SERVER_CORE CLIENT_CORE; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer (got '${!v}')"
done
(( CONNECTIONS >= 1 && LINKS >= 5 && RATE >= 1 && LOAD_SECONDS >= 1 )) || die "need CONNECTIONS >= 1, LINKS >= 5, RATE >= 1, SECONDS >= 1"
NCPU=$(nproc)
(( SERVER_CORE < NCPU && CLIENT_CORE < NCPU )) || die "SERVER_CORE/CLIENT_CORE must be < nproc ($NCPU)"
for t in curl taskset setsid ss; do command -v "$t" >/dev/null 2>&1 || die "$t is needed (Debian: curl, util-linux, iproute2)"; done

# 1000 dashboards are 1000 sockets in each JVM.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

TS=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$HERE/results"
# results stay out of git, as in bench/redirect/results (add one with `git add -f` to keep it)
[[ -f $HERE/results/.gitignore ]] || printf '*\n!.gitignore\n' >"$HERE/results/.gitignore"
RESULTS_FILE="$HERE/results/$TS.txt"
exec > >(tee "$RESULTS_FILE") 2>&1

TMP=$(mktemp -d "${TMPDIR:-/tmp}/kurz-live.XXXXXX")
KURZ_PGID=""
cleanup() {
  local rc=$? i
  set +e
  if [[ -n $KURZ_PGID ]]; then
    kill -TERM -- "-$KURZ_PGID" 2>/dev/null
    for ((i = 0; i < 150; i++)); do kill -0 -- "-$KURZ_PGID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$KURZ_PGID" 2>/dev/null
  fi
  [[ -f $TMP/kurz.log ]] && cp "$TMP/kurz.log" "$HERE/results/$TS-server.log"
  rm -rf "$TMP"
  (( rc == 0 )) || echo "benchmark FAILED (exit $rc); server log: $HERE/results/$TS-server.log"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- build
JAVA_HOME=${JAVA_HOME:-}
ROOT=$REPO # find_java keeps its choice under $ROOT/target
source <(sed -n '/^java_major()/,/^}/p; /^find_java()/,/^}/p' ./kurz)
find_java
export JAVA_HOME
if [ "$JAVA_VERSION" -ge 23 ]; then export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"; fi
if [[ $KURZ_SKIP_BUILD != 1 ]]; then
  ./kurz build >"$TMP/build.log" 2>&1 || { tail -n 30 "$TMP/build.log"; die "./kurz build failed"; }
fi
[[ -f target/kurz.jar ]] || die "target/kurz.jar missing (run ./kurz build)"
mvn -q -B -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test \
  >"$TMP/mvn.log" 2>&1 || { tail -n 30 "$TMP/mvn.log"; die "test-compile failed"; }
CP="target/classes:target/test-classes:$(cat target/bench.classpath)"
FLAGS=(--enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xms1g -Xmx2g)
if [ "$JAVA_VERSION" -ge 23 ]; then FLAGS+=(--sun-misc-unsafe-memory-access=allow); fi
if [ -n "${BENCH_JAVA_OPTS:-}" ]; then read -r -a extra <<<"$BENCH_JAVA_OPTS"; FLAGS+=("${extra[@]}"); fi

echo "=== Kurz live benchmark  $TS"
echo "config: CONNECTIONS=$CONNECTIONS LINKS=$LINKS RATE=$RATE WARMUP=$WARMUP SECONDS=$LOAD_SECONDS REFERENCE_WARMUP=$REFERENCE_WARMUP REFERENCE_SECONDS=$REFERENCE_SECONDS SERVER_CORE=$SERVER_CORE CLIENT_CORE=$CLIENT_CORE"
echo "machine: $NCPU cores, $(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n1), $(uname -sr)," \
     "$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)," \
     "open files $(ulimit -n), java $JAVA_VERSION ($JAVA)"
echo "kurz: $(git rev-parse --short HEAD 2>/dev/null || echo 'no commit')$(git status --porcelain 2>/dev/null | grep -q . && echo ' (dirty tree)' || true)"

# ---------------------------------------------------------------- server
free_port() {
  local p i
  for ((i = 0; i < 50; i++)); do
    p=$(( 20000 + RANDOM % 20000 ))
    ss -Hltn "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return; }
  done
}
PORT=$(free_port)
PORT_MGMT=$(free_port)
[[ -n $PORT && -n $PORT_MGMT && $PORT != "$PORT_MGMT" ]] || die "no free ports found"
API_KEY="kurz_bench_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
mkdir -p "$TMP/data"
(exec env KURZ_PORT="$PORT" KURZ_HOST=127.0.0.1 KURZ_DATA_DIR="$TMP/data" KURZ_API_KEY="$API_KEY" KURZ_SKIP_BUILD=1 \
    KURZ_MANAGEMENT_PORT="$PORT_MGMT" KURZ_MANAGEMENT_HOST=127.0.0.1 KURZ_RATELIMIT_REDIRECT=1000000000/s \
    KURZ_RATELIMIT_LIVE=off KURZ_RATELIMIT_API=off KURZ_RATELIMIT_API_IP=off KURZ_MAX_CONNECTIONS_PER_IP=0 \
    setsid taskset -c "$SERVER_CORE" ./kurz run) >"$TMP/kurz.log" 2>&1 </dev/null &
KURZ_PGID=$!
deadline=$(( $(date +%s) + READY_TIMEOUT_S ))
until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PORT/health/ready" || true) == 200 ]]; do
  kill -0 "$KURZ_PGID" 2>/dev/null || { tail -n 30 "$TMP/kurz.log"; die "Kurz exited before becoming ready"; }
  (( $(date +%s) < deadline )) || { tail -n 30 "$TMP/kurz.log"; die "Kurz not ready after ${READY_TIMEOUT_S}s"; }
  sleep 0.05
done
KURZ_PID=$(ss -Hltnp "sport = :$PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2 || true)
[[ -n $KURZ_PID ]] || KURZ_PID=$(pgrep -g "$KURZ_PGID" java | head -n1 || true)
[[ -n $KURZ_PID ]] || die "cannot find the Kurz java process"
echo "server: pid $KURZ_PID on 127.0.0.1:$PORT, affinity $(taskset -pc "$KURZ_PID" | sed 's/.*: //'), open files $(awk '/^Max open files/ {print $4}' "/proc/$KURZ_PID/limits")," \
     "$(tr '\0' ' ' <"/proc/$KURZ_PID/cmdline" | grep -o -- '-XX:+Use[A-Za-z]*GC' || echo 'default GC')"

# ---------------------------------------------------------------- bench
set +e
taskset -c "$CLIENT_CORE" "$JAVA" "${FLAGS[@]}" -cp "$CP" dev.kurz.bench.LiveBench \
  --base "http://127.0.0.1:$PORT" --key "$API_KEY" --pid "$KURZ_PID" \
  --connections "$CONNECTIONS" --links "$LINKS" --rate "$RATE" --seconds "$LOAD_SECONDS" --warmup-seconds "$WARMUP" \
  --reference-seconds "$REFERENCE_SECONDS" --reference-warmup-seconds "$REFERENCE_WARMUP" --metrics "http://127.0.0.1:$PORT_MGMT/metrics"
rc=$?
set -e
echo "server log: $(grep -c ' WARN \| ERROR ' "$TMP/kurz.log" || true) WARN/ERROR lines$(grep -m3 ' WARN \| ERROR ' "$TMP/kurz.log" | sed 's/^/\n  /' || true)"
exit "$rc"
