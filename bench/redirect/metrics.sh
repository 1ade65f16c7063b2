#!/usr/bin/env bash
# The redirect path's own metrics' cost (issue 9): run.sh with KURZ_METRICS_REDIRECTS=off (no clock
# read, no meter) and =on (every redirect counted by outcome, one in 16 timed), alternating, nginx
# in every run, tracing off; budget: on/off >= 0.98 (at most 2 %).
#
#     bench/redirect/metrics.sh            # 3 pairs, ROUNDS=1 DURATION=15 each (~6 min)
#     PAIRS=5 DURATION=20 bench/redirect/metrics.sh
exec env VAR=KURZ_METRICS_REDIRECTS OFF=off ON=on GOAL=0.98 NAME=metrics bash "$(dirname "$0")/onoff.sh"
