#!/usr/bin/env bash
# The per-address redirect rate limit's cost (issue 8): run.sh with REDIRECT_LIMIT=off (no check)
# and =on (checked on every redirect, never reached), alternating, nginx in every run; goal: on/off >= 0.97.
#
#     bench/redirect/limits.sh             # 3 pairs, ROUNDS=1 DURATION=15 each (~6 min)
#     PAIRS=2 DURATION=10 bench/redirect/limits.sh
exec env VAR=REDIRECT_LIMIT OFF=off ON=on GOAL=0.97 NAME=limits bash "$(dirname "$0")/onoff.sh"
