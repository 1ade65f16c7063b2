#!/usr/bin/env bash
# Import benchmark (figures go to docs/BENCHMARKS.md).
#
#   bench/imports/run.sh sqlite|postgres [--rows 1000000] [--redirect-threads 2] [--redirect-rate 2000]
#       A CSV of --rows links (half with custom slugs, a third with tags, each with a creation time
#       and clicks) POSTed to /api/v1/imports of a real node, while redirect threads request 100
#       links at --redirect-rate per second in all (0: as fast as answers come). Prints rows per
#       second of the job (started → finished) and the redirects' rate and latency (from when each
#       was due) before and during the import, then a RESULT line.
#
# Run it alone on the machine: flock /tmp/kurz-machine.lock bench/imports/run.sh sqlite
# PostgreSQL is the embedded one the test suite uses (or KURZ_TEST_DATABASE_URL when set).
set -euo pipefail
cd "$(dirname "$0")/../.."
db=${1:?usage: bench/imports/run.sh sqlite|postgres [options]}
shift

JAVA_HOME=${JAVA_HOME:-}
source <(sed -n '/^java_major()/,/^}/p; /^find_java()/,/^}/p' ./kurz)
find_java
export JAVA_HOME
if [ "$JAVA_VERSION" -ge 23 ]; then export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"; fi
mvn -q -B -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
CP="target/classes:target/test-classes:$(cat target/bench.classpath)"
FLAGS=(--enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xmx2g)
if [ "$JAVA_VERSION" -ge 23 ]; then FLAGS+=(--sun-misc-unsafe-memory-access=allow); fi

echo "machine: $(nproc) cores, $(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n1), $(uname -sr), java $JAVA_VERSION"
exec "$JAVA" "${FLAGS[@]}" -cp "$CP" dev.kurz.bench.ImportBench --db "$db" "$@"
