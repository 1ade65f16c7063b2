#!/usr/bin/env bash
# What one setting costs the redirect path, measured in one session: PAIRS alternations of run.sh
# with VAR=OFF and VAR=ON, each run with nginx as the same-run reference, so a drift of the machine
# shows up in both. Prints each run, the medians, and on/off = median(kurz/nginx on) / median(kurz/nginx off)
# against GOAL. Used by limits.sh (the redirect rate limit) and metrics.sh (the redirect metrics).
#
#     VAR=REDIRECT_LIMIT OFF=off ON=on GOAL=0.97 NAME=limits bench/redirect/onoff.sh
#
# Options: PAIRS (3), ROUNDS (1) and DURATION (15) per run; anything else is passed on to run.sh.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${VAR:?VAR names the setting to switch}" "${OFF:?}" "${ON:?}" "${GOAL:?}" "${NAME:?}"
PAIRS=${PAIRS:-3}
export ROUNDS=${ROUNDS:-1} DURATION=${DURATION:-15}
OUT="$HERE/results/$NAME-$(date -u +%Y%m%dT%H%M%SZ).txt"
mkdir -p "$HERE/results"
rows=()
first=1
for ((p = 1; p <= PAIRS; p++)); do
  for mode in off on; do
    log=$(mktemp)
    if (( first )); then first=0; else export KURZ_SKIP_BUILD=1; fi
    value=$OFF; [[ $mode == on ]] && value=$ON
    env "$VAR=$value" bash "$HERE/run.sh" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
    k=$(awk '$1 == "kurz" && $2 ~ /^[0-9.]+$/ && NF == 3 { print $2, $3 }' "$log" | tail -1)
    n=$(awk '$1 == "nginx" && $2 ~ /^[0-9.]+$/ && NF == 3 { print $2, $3 }' "$log" | tail -1)
    rows+=("$p $mode $k $n")
    echo "pair $p $VAR=$value: kurz ${k% *} req/s p99 ${k#* } ms | nginx ${n% *} req/s p99 ${n#* } ms ($(grep -o 'results: .*' "$log"))" | tee -a "$OUT"
    rm -f "$log"
  done
done
printf '%s\n' "${rows[@]}" | awk -v out="$OUT" -v goal="$GOAL" -v var="$VAR" '
  function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                     return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  { r = $3 / $5; if ($2 == "off") { off[++no] = r; koff[no] = $3; poff[no] = $4 } else { on[++nn] = r; kon[nn] = $3; pon[nn] = $4 } }
  END {
    mo = median(off, no); mn = median(on, nn)
    printf "median kurz/nginx: %s off %.3fx (kurz %.0f req/s, p99 %.2f ms), on %.3fx (kurz %.0f req/s, p99 %.2f ms)\n", var, mo, median(koff, no), median(poff, no), mn, median(kon, nn), median(pon, nn) | "tee -a " out
    cost = mn / mo
    verdict = (cost >= goal) ? "GOAL MET" : "GOAL NOT MET"
    printf "on / off: %.3f  -> %s (goal >= %s)\n", cost, verdict, goal | "tee -a " out
  }'
echo "results: $OUT"
