#!/usr/bin/env bash
# What smart links cost the redirect path (issue 10), measured in the same server: LINKS plain links
# and LINKS smart links (5 rules — country, device, os, language, query — none of which matches,
# and 2 variants, so the rules are evaluated and a variant chosen on every redirect) are loaded into
# one Kurz; each round measures both back to back (the order alternating). SERVERS separate server
# runs (a JVM compiles the hot path differently from one start to the next), nginx as the machine's
# reference in each round. Goal: smart / plain >= 0.85, the median of all rounds' ratios.
#
#     flock /tmp/kurz-machine.lock bench/redirect/smart.sh
#     VISITORS=realistic bench/redirect/smart.sh    (every request a new visitor: rules see real
#                                                    addresses, user agents and languages)
#
# Options: SERVERS (2), ROUNDS (3), DURATION (20), WARMUP (5); anything else goes to run.sh.
# The click log is folded every 10 s here (KURZ_CLICK_COMPACT_INTERVAL; 60 s by default) so that
# every measured run carries its share of that work: with 60 s, one fold of a minute of clicks
# landed in whichever run came next and decided the ratio.
#
# The other half of the goal (plain links >= 0.97x of the figure before smart links) compares two
# builds over many server pairs: KURZ_B=<checkout of the commit before> bench/redirect/ab.sh.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SERVERS=${SERVERS:-2}
# Smart links are screened URL by URL (8 each here): smaller batches stay inside KURZ_DB_TIMEOUT on a slow machine.
export BATCH=${BATCH:-250} SMART=mixed ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-20} WARMUP=${WARMUP:-5}
export KURZ_CLICK_COMPACT_INTERVAL=${KURZ_CLICK_COMPACT_INTERVAL:-10s}
OUT="$HERE/results/smart-$(date -u +%Y%m%dT%H%M%SZ).txt"
mkdir -p "$HERE/results"
ratios=()
for ((s = 1; s <= SERVERS; s++)); do
  log=$(mktemp)
  (( s == 1 )) || export KURZ_SKIP_BUILD=1
  bash "$HERE/run.sh" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
  sed -n '/^round  server/,/^$/p' "$log" | sed "s/^/server $s: /" | tee -a "$OUT"
  line=$(grep 'per-round smart/plain' "$log")
  echo "server $s: ${line#  }  ($(grep -o 'results: .*' "$log"))" | tee -a "$OUT"
  for kv in $(sed 's/.*: //; s/(.*//' <<<"$line"); do ratios+=("${kv#*=}"); done
  rm -f "$log"
done
printf '%s\n' "${ratios[@]}" | sort -g | awk -v goal=0.85 -v out="$OUT" '
  { a[NR] = $1 }
  END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
        verdict = (m >= goal) ? "GOAL MET" : "GOAL NOT MET"
        printf "smart / plain over %d rounds: median %.3f (min %.3f, max %.3f) -> %s (goal >= %s)\n", NR, m, a[1], a[NR], verdict, goal | ("tee -a " out) }'
echo "results: $OUT"
