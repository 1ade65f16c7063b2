#!/usr/bin/env bash
# Kurz start-up benchmark: `./kurz run` launch -> GET /health/ready == 200, and RSS at ready.
#
# Run:   bench/startup/run.sh            (RUNS=5 each; builds first unless KURZ_SKIP_BUILD=1)
#
# For each mode (KURZ_AOT=on: the start-up archive `./kurz build` records; KURZ_AOT=off: none) it
# starts Kurz RUNS times on a fresh data folder ("fresh": migrations, the first admin key) and
# RUNS times again on that folder ("restart"), pinned to CORE, and prints every time, the median,
# and the median VmRSS at ready. The launcher's own time (finding a JDK) is included: it is what
# a user waits for.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
RUNS=${RUNS:-5}
CORE=${CORE:-0}
PORT=${PORT:-18655}
MODES=${MODES:-"on off"}
[[ $RUNS =~ ^[0-9]+$ && $RUNS -ge 1 ]] || { echo "RUNS must be a positive integer" >&2; exit 1; }
cd "$REPO"
[[ ${KURZ_SKIP_BUILD:-0} == 1 ]] || ./kurz build >/dev/null
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kurz-startup.XXXXXX")
PID=""
cleanup() { [[ -n $PID ]] && kill -TERM -- "-$PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

median() { sort -g | awk '{a[NR] = $1} END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# once DIR MODE -> "<ms to ready> <RSS KiB at ready>"
once() {
  local dir=$1 mode=$2 t0 i code pid rss
  t0=$(date +%s%N)
  (exec env KURZ_AOT="$mode" KURZ_SKIP_BUILD=1 KURZ_DATA_DIR="$dir" KURZ_PORT=$PORT KURZ_HOST=127.0.0.1 KURZ_MANAGEMENT_PORT=off \
     setsid taskset -c "$CORE" ./kurz run) >"$TMP/log" 2>&1 </dev/null &
  PID=$!
  for ((i = 0; i < 3000; i++)); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$PORT/health/ready" 2>/dev/null || true)
    [[ $code == 200 ]] && break
    sleep 0.005
  done
  [[ $code == 200 ]] || { cat "$TMP/log" >&2; echo "Kurz did not get ready" >&2; exit 1; }
  local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  pid=$(pgrep -g "$PID" java | head -n1)
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
  kill -TERM -- "-$PID"; while kill -0 -- "-$PID" 2>/dev/null; do sleep 0.05; done; PID=""
  echo "$ms $rss"
}

echo "=== Kurz start-up  $(date -u +%Y-%m-%dT%H:%M:%SZ)  $(git rev-parse --short HEAD)  nproc $(nproc), core $CORE, load $(cut -d' ' -f1-3 /proc/loadavg)"
for mode in $MODES; do
  : >"$TMP/fresh"; : >"$TMP/restart"
  for ((r = 0; r < RUNS; r++)); do
    rm -rf "$TMP/data"; mkdir -p "$TMP/data"
    once "$TMP/data" "$mode" >>"$TMP/fresh"
    once "$TMP/data" "$mode" >>"$TMP/restart"
  done
  for kind in fresh restart; do
    printf "KURZ_AOT=%-3s %-7s ready ms: %-32s median %5s ms   RSS at ready median %6.1f MiB\n" "$mode" "$kind" \
      "$(cut -d' ' -f1 "$TMP/$kind" | tr '\n' ' ')" "$(cut -d' ' -f1 "$TMP/$kind" | median)" \
      "$(cut -d' ' -f2 "$TMP/$kind" | median | awk '{print $1 / 1024}')"
  done
done
