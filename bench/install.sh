#!/usr/bin/env bash
# The install benchmarks (README, Benchmarks), against kpm's launcher jar (embedded Tomcat and
# PostgreSQL) in a JVM of its own; the zips are generated into target/bench/install at each run.
#   B1: a ~50 MB native plugin zip (4,079 entries) installed through the API over file://, over
#       http:// from a loopback server, and over file:// with an install.sh in the zip, each
#       against `unzip -q` of the same zip into a fresh folder + `sync`, in the same rounds.
#   B5: 50 small plugins installed all at once against the same 50 one after another.
# Prints every round, then a Markdown table: medians, ratios, PASS/MISS, CPU seconds.
#
#   bench/install.sh                       # ROUNDS=5 WARMUP=2 PAR_ROUNDS=3 SIZE_MB=50 PLUGINS=50
#   BENCH=b1 ROUNDS=3 bench/install.sh     # B1 only (BENCH=b5: B5 only)
#   KPM_JAVA_OPTS='-XX:StartFlightRecording=filename=target/bench/kpm.jfr,settings=profile' \
#     bench/install.sh                     # profile kpm's JVM; then: jfr print --events … kpm.jfr
#
# About 3 minutes on 2 cores once built. Needs a JDK 17, Maven and unzip (installed with apt-get
# when missing and running as root). The whole run is cut off after BENCH_TIMEOUT seconds (default
# 900). BENCH_DIR moves the work folder (zips, kpm's home, the unzip folder) elsewhere.
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
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); command: ROUNDS=${ROUNDS:-5} WARMUP=${WARMUP:-2} PAR_ROUNDS=${PAR_ROUNDS:-3} SIZE_MB=${SIZE_MB:-50} PLUGINS=${PLUGINS:-50} bench/install.sh"
