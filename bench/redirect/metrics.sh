#!/usr/bin/env bash
# The redirect path's latency timers' cost (issue 9), measured in one session: PAIRS alternations of
#   run.sh with KURZ_METRICS_REDIRECTS=off   (no clock read, no timer: RedirectTimers.OFF)
#   run.sh with KURZ_METRICS_REDIRECTS=on    (two System.nanoTime() and one Timer.record per redirect)
# each with nginx as the same-run reference, so a drift of the machine shows up in both. Tracing
# stays off (no OTEL_EXPORTER_OTLP_ENDPOINT), the redirect rate limit at run.sh's default.
#
#     bench/redirect/metrics.sh                      # 3 pairs, ROUNDS=1 DURATION=15 each
#     PAIRS=2 DURATION=10 bench/redirect/metrics.sh  # quicker
#
# Prints each run's Kurz and nginx req/s and p99, then the medians and
#   cost = median(kurz/nginx with timers on) / median(kurz/nginx with timers off)
# and whether it meets the budget (>= 0.98, i.e. at most 2 %). Other options are passed on to run.sh.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PAIRS=${PAIRS:-3}
export ROUNDS=${ROUNDS:-1} DURATION=${DURATION:-15}
OUT="$HERE/results/metrics-$(date -u +%Y%m%dT%H%M%SZ).txt"
mkdir -p "$HERE/results"
rows=()
first=1
for ((p = 1; p <= PAIRS; p++)); do
  for mode in off on; do
    log=$(mktemp)
    if (( first )); then first=0; else export KURZ_SKIP_BUILD=1; fi
    KURZ_METRICS_REDIRECTS=$mode bash "$HERE/run.sh" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
    k=$(awk '$1 == "kurz" && $2 ~ /^[0-9.]+$/ && NF == 3 { print $2, $3 }' "$log" | tail -1)
    n=$(awk '$1 == "nginx" && $2 ~ /^[0-9.]+$/ && NF == 3 { print $2, $3 }' "$log" | tail -1)
    row="$p $mode $k $n"
    echo "pair $p timers=$mode: kurz ${k% *} req/s p99 ${k#* } ms | nginx ${n% *} req/s p99 ${n#* } ms ($(grep -o 'results: .*' "$log"))" | tee -a "$OUT"
    rows+=("$row")
    rm -f "$log"
  done
done
printf '%s\n' "${rows[@]}" | awk -v out="$OUT" '
  function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                     return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  { r = $3 / $5; if ($2 == "off") { off[++no] = r; koff[no] = $3; poff[no] = $4 } else { on[++nn] = r; kon[nn] = $3; pon[nn] = $4 } }
  END {
    mo = median(off, no); mn = median(on, nn)
    printf "median kurz/nginx: timers off %.3fx (kurz %.0f req/s, p99 %.2f ms), timers on %.3fx (kurz %.0f req/s, p99 %.2f ms)\n", mo, median(koff, no), median(poff, no), mn, median(kon, nn), median(pon, nn) | "tee -a " out
    cost = mn / mo
    verdict = (cost >= 0.98) ? "BUDGET MET" : "BUDGET NOT MET"
    printf "timers on / timers off: %.3f  -> %s (budget >= 0.98)\n", cost, verdict | "tee -a " out
  }'
echo "results: $OUT"
