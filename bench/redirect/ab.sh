#!/usr/bin/env bash
# This build's redirects against another build's (e.g. the commit before a feature), over many server
# pairs: each pair is a fresh run of run.sh with KURZ_B (both servers on the same core, the same
# links, one round measured back to back), the build measured first alternating from pair to pair.
# Rounds of one server run are not independent samples: a JVM compiles the hot path differently from
# one start to the next, so one pair's rounds share its luck. The figure is the median (and the mean)
# of the pairs' ratios this / other.
#
#     git worktree add --detach /work/wt/base 9f5b6ab && (cd /work/wt/base && ./kurz build)
#     flock /tmp/kurz-machine.lock env KURZ_B=/work/wt/base bench/redirect/ab.sh
#
# Options: PAIRS (8), DURATION (10), WARMUP (10); anything else goes to run.sh (e.g. VISITORS=realistic).
# Issue 10's goal: plain links >= 0.97x of the build before smart links.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ -n ${KURZ_B:-} ]] || { echo "KURZ_B=<checkout of the other build> is required" >&2; exit 2; }
PAIRS=${PAIRS:-8}
[[ $PAIRS =~ ^[1-9][0-9]*$ ]] || { echo "PAIRS must be a positive integer (got '$PAIRS')" >&2; exit 2; }
export ONLY=kurz ROUNDS=1 DURATION=${DURATION:-10} WARMUP=${WARMUP:-10} IDLE_WAIT=${IDLE_WAIT:-1}
# Folds (the same in both builds) out of the short runs.
export KURZ_CLICK_COMPACT_INTERVAL=${KURZ_CLICK_COMPACT_INTERVAL:-1h}
OUT="$HERE/results/ab-$(date -u +%Y%m%dT%H%M%SZ).txt"
mkdir -p "$HERE/results"
echo "this: $(git -C "$HERE/../.." rev-parse --short HEAD)  other: $KURZ_B ($(git -C "$KURZ_B" rev-parse --short HEAD 2>/dev/null || echo '?'))" | tee "$OUT"
ratios=()
for ((p = 1; p <= PAIRS; p++)); do
  log=$(mktemp)
  (( p == 1 )) || export KURZ_SKIP_BUILD=1
  B_FIRST=$(( (p + 1) % 2 )) bash "$HERE/run.sh" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
  a=$(awk '$1 == 1 && $2 == "kurz" {print $3}' "$log"); b=$(awk '$1 == 1 && $2 == "kurz-b" {print $3}' "$log")
  r=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }')
  ratios+=("$r")
  echo "pair $p: this $a req/s, other $b req/s, ratio $r  ($( (( p % 2 )) && echo 'this first' || echo 'other first'); $(grep -o 'results: .*' "$log"))" | tee -a "$OUT"
  rm -f "$log"
done
printf '%s\n' "${ratios[@]}" | sort -g | awk -v out="$OUT" '
  { a[NR] = $1; s += log($1) }
  END {
    m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
    line = sprintf("THIS/OTHER over %d server pairs: median %.3f, geometric mean %.3f, range %.3f-%.3f", NR, m, exp(s / NR), a[1], a[NR])
    print line; print line >> out
  }'
echo "results: $OUT"
