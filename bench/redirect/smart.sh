#!/usr/bin/env bash
# What smart links cost the redirect path (issue 10), measured in one server run: LINKS plain links
# and LINKS smart links (5 rules — country, device, os, language, query — none of which matches,
# and 2 variants, so the rules are evaluated and a variant chosen on every redirect) are loaded into
# the same Kurz; each round measures both back to back (the order alternating) and nginx as the
# reference. Goal: smart / plain >= 0.85 (median of the rounds' ratios).
#
#     bench/redirect/smart.sh                       (ROUNDS=5 DURATION=10 WARMUP=8 by default)
#     VISITORS=realistic bench/redirect/smart.sh    (every request a new visitor: rules see real
#                                                    addresses, user agents and languages)
#
# The other half of the goal (plain links >= 0.97x of the figure before smart links) compares two
# builds: bench/redirect/run.sh on both commits, alternated, same machine.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Smart links are screened URL by URL (8 each here): smaller batches stay inside KURZ_DB_TIMEOUT on a slow machine.
export BATCH=${BATCH:-250} SMART=mixed ROUNDS=${ROUNDS:-5} DURATION=${DURATION:-10} WARMUP=${WARMUP:-8}
exec bash "$HERE/run.sh"
