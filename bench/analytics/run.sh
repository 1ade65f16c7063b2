#!/usr/bin/env bash
# Analytics benchmarks (figures go to docs/BENCHMARKS.md).
#
#   bench/analytics/run.sh ingest sqlite|postgres [--rates 25000,50000,75000,100000] [--step-seconds 10] [--confirm-seconds 60]
#       Highest click rate the buffer → batcher → database pipeline sustains with zero drops,
#       then held for the confirmation period. Prints one line per rate and a RESULT line.
#   bench/analytics/run.sh stats sqlite|postgres [--clicks 10000000] [--days 30] [--iterations 200]
#       One link with 10 M clicks over 30 days (written as rollups the way the batcher writes
#       them), then p50/p99 of the 30-day hourly stats with all breakdowns.
#
# PostgreSQL is the embedded one the test suite uses (or KURZ_TEST_DATABASE_URL when set).
set -euo pipefail
cd "$(dirname "$0")/../.."
what=${1:?usage: bench/analytics/run.sh ingest|stats sqlite|postgres [options]}
db=${2:?usage: bench/analytics/run.sh ingest|stats sqlite|postgres [options]}
shift 2

# Build main and test classes once, and the test class path.
JAVA_HOME=${JAVA_HOME:-}
ROOT=$(pwd) # find_java keeps its choice under $ROOT/target
source <(sed -n '/^java_major()/,/^}/p; /^find_java()/,/^}/p' ./kurz)
find_java
export JAVA_HOME
if [ "$JAVA_VERSION" -ge 23 ]; then export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"; fi
mvn -q -B -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
CP="target/classes:target/test-classes:$(cat target/bench.classpath)"
FLAGS=(--enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xmx4g)
if [ "$JAVA_VERSION" -ge 23 ]; then FLAGS+=(--sun-misc-unsafe-memory-access=allow); fi

echo "machine: $(nproc) cores, $(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n1), $(uname -sr), java $JAVA_VERSION"
case "$what" in
  ingest) exec "$JAVA" "${FLAGS[@]}" -cp "$CP" dev.kurz.bench.IngestBench --db "$db" "$@" ;;
  stats)  exec "$JAVA" "${FLAGS[@]}" -cp "$CP" dev.kurz.bench.StatsBench --db "$db" "$@" ;;
  *) echo "unknown benchmark '$what' (ingest or stats)" >&2; exit 2 ;;
esac
