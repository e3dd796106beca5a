#!/usr/bin/env bash
# The install benchmarks (README, Benchmarks): B1, one ~50 MB native plugin zip installed through
# the API over file:// and http:// against `unzip -q` + `sync` of the same zip; B5, 50 small plugins
# installed all at once against one after another. kpm runs from the launcher jar (embedded Tomcat
# and PostgreSQL) in a JVM of its own; the data is generated into target/bench/install.
#
#   bench/install.sh                       # ROUNDS=5 PAR_ROUNDS=3 SIZE_MB=50 PLUGINS=50
#   KPM_JAVA_OPTS='-XX:StartFlightRecording=filename=target/bench/kpm.jfr' bench/install.sh
#
# Needs a JDK 17, Maven and unzip (installed with apt-get when missing and running as root).
# The whole run is cut off after BENCH_TIMEOUT seconds (default 900). BENCH_DIR moves the work
# folder (data, kpm's home, the unzip folder; default target/bench/install) elsewhere, e.g. onto
# another file system; BENCH=b1 or BENCH=b5 runs one benchmark only.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/target/bench"
say() { printf '%s\n' "$*" >&2; }

if ! command -v unzip >/dev/null; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    say "== unzip (the B1 baseline) is missing: installing it (apt-get install -y unzip)"
    apt-get install -y -q unzip >&2
  else
    say "install.sh: the B1 baseline needs unzip: apt-get install unzip"
    exit 1
  fi
fi

mkdir -p "$OUT"
say "== building kpm's WAR, launcher jar and test classes (mvn -B -q -DskipTests package)"
(cd "$ROOT" && mvn -B -q -DskipTests package)
if [[ ! -f "$OUT/classpath.txt" || "$ROOT/pom.xml" -nt "$OUT/classpath.txt" ]]; then
  say "== computing the test class path (mvn -q dependency:build-classpath)"
  (cd "$ROOT" && mvn -B -q dependency:build-classpath -Dmdep.outputFile="$OUT/classpath.txt")
fi
CLASSPATH_BENCH="$ROOT/target/test-classes:$ROOT/target/classes:$(cat "$OUT/classpath.txt")"

cd "$ROOT"
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
timeout "${BENCH_TIMEOUT:-900}" java ${JAVA_OPTS:-} \
  -Dkpm.it.launcher="$ROOT/target/kpm-launcher/kpm-launcher.jar" \
  -cp "$CLASSPATH_BENCH" dev.kpm.bench.InstallBench "${BENCH_DIR:-$OUT/install}"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); command: ROUNDS=${ROUNDS:-5} PAR_ROUNDS=${PAR_ROUNDS:-3} SIZE_MB=${SIZE_MB:-50} PLUGINS=${PLUGINS:-50} bench/install.sh"
