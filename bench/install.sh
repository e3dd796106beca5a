#!/usr/bin/env bash
# The install benchmarks (README, Benchmarks), against kpm's launcher jar (embedded Tomcat and
# PostgreSQL) in a JVM of its own; the zips are generated into target/bench/install at each run.
#   B1: a ~50 MB native plugin zip (4,079 entries) installed through the API over file://, over
#       http:// from a loopback server, over file:// with an install.sh in the zip, and uploaded
#       first (multipart POST /config/uploads) then installed over file:// from the stored path,
#       each against `unzip -q` of the same zip into a fresh folder + `sync`, in the same rounds.
#   B5: 50 small plugins installed all at once against the same 50 one after another.
# Prints every round, then a Markdown table: medians, ratios, PASS/MISS, CPU seconds.
#
#   bench/install.sh                       # ROUNDS=5 WARMUP=1 PAR_ROUNDS=3 SIZE_MB=50 PLUGINS=50
#   bench/install.sh b1                    # B1 only (b5: B5 only; or BENCH=b1 in the environment)
#   KPM_JAVA_OPTS='-XX:StartFlightRecording=filename=target/bench/kpm.jfr,settings=profile' \
#     bench/install.sh                     # profile kpm's JVM; then: jfr print --events … kpm.jfr
#
# About 2 minutes on 2 cores once built. Needs a JDK 17, Maven and unzip (installed with apt-get
# when missing and running as root). The whole run is cut off after BENCH_TIMEOUT seconds (default
# 900). BENCH_DIR moves the work folder (zips, kpm's home, the unzip folder) elsewhere. The rows of
# the table also go to target/bench/install/rows.txt, one id|figure|kpm|baseline|ratio|target|result
# line each, for bench/run.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
ROWS="$BENCH_OUT/install/rows.txt"

# Arguments b1 and/or b5 select the benchmarks (BENCH in the environment does too: b1, b5 or all).
if (($#)); then
  for arg in "$@"; do
    [[ "$arg" =~ ^b[15]$ ]] || {
      bench_say "install.sh: unknown benchmark $arg (b1 or b5)"
      exit 2
    }
  done
  BENCH="$1"
  [[ " $* " == *" b1 "* && " $* " == *" b5 "* ]] && BENCH=all
fi
BENCH="${BENCH:-all}"
export BENCH

bench_lock
rm -f "$ROWS"
if [[ "$BENCH" != b5 ]]; then
  bench_need unzip unzip
fi
bench_build
bench_classpath

cd "$ROOT"
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
timeout "${BENCH_TIMEOUT:-900}" java ${JAVA_OPTS:-} \
  -Dkpm.it.launcher="$ROOT/target/kpm-launcher/kpm-launcher.jar" \
  -cp "$BENCH_CLASSPATH" dev.kpm.bench.InstallBench "${BENCH_DIR:-$BENCH_OUT/install}" "$ROWS"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); command: ROUNDS=${ROUNDS:-5} WARMUP=${WARMUP:-1} PAR_ROUNDS=${PAR_ROUNDS:-3} SIZE_MB=${SIZE_MB:-50} PLUGINS=${PLUGINS:-50} bench/install.sh${1:+ $*}"
