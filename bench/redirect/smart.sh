#!/usr/bin/env bash
# What smart links cost the redirect path (issue 10): links with 5 rules and 2 variants against
# plain links, in one session, through onoff.sh (each run with nginx as the same-run reference).
# Goal: smart / plain >= 0.85. The other half of the goal (plain links >= 0.97x of the figure
# before smart links) compares two builds: run bench/redirect/run.sh on both commits, same machine.
#
#     bench/redirect/smart.sh            (options as onoff.sh: PAIRS, ROUNDS, DURATION)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Smart links are screened URL by URL (8 each here): smaller batches stay inside KURZ_DB_TIMEOUT on a slow machine.
export BATCH=${BATCH:-250}
VAR=SMART OFF=0 ON=1 GOAL=0.85 NAME=smart exec bash "$HERE/onoff.sh"
