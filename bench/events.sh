#!/usr/bin/env bash
# The event-stream benchmark (docs/api.md §8.16): crash → event latency. kpm runs in one JVM on an
# embedded Tomcat and PostgreSQL with the libnng probe as a portable plugin; each round SIGKILLs the
# plugin's process and times, from the kill, the portable.exited event read over HTTP from
# GET /events, against the baseline of the same JVM's ProcessHandle.onExit() of that process (the
# earliest anyone on the machine learns of the exit), and the restarted process's portable.started
# (kpm's 0.5 s backoff included). Prints each round and a Markdown table.
#
#   bench/events.sh               # ROUNDS=50
#   ROUNDS=200 bench/events.sh
#
# Needs what the test suite needs for the probe (gcc, make, libnng-dev, libcjson-dev), a JDK 17
# and Maven; compiles the project's test classes when missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
ROUNDS="${ROUNDS:-50}"
OUT="$BENCH_OUT/events"
mkdir -p "$OUT"

if [[ ! -d "$ROOT/target/test-classes/dev/kpm/bench" ]]; then
  bench_say "== compiling (mvn -B -q test-compile)"
  (cd "$ROOT" && mvn -B -q test-compile)
fi
bench_classpath
bench_say "== $ROUNDS rounds of kill → event"
(cd "$ROOT" && java ${JAVA_OPTS:-} -cp "$BENCH_CLASSPATH" dev.kpm.bench.EventLatencyBench "$ROUNDS") \
  | tee "$OUT/run.log"
line=$(grep '^exit_p50_ms=' "$OUT/run.log")
get() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$line"; }
echo
echo "command: ROUNDS=$ROUNDS bench/events.sh"
echo
echo "| figure | kpm (event on the stream) | baseline (onExit in-process) | ratio |"
echo "|---|---|---|---|"
awk -v a="$(get exit_p50_ms)" -v b="$(get baseline_p50_ms)" 'BEGIN { printf "| crash → portable.exited p50 | %.2f ms | %.2f ms | %.2f× |\n", a, b, a / b }'
awk -v a="$(get exit_p99_ms)" -v b="$(get baseline_p99_ms)" 'BEGIN { printf "| crash → portable.exited p99 | %.2f ms | %.2f ms | %.2f× |\n", a, b, a / b }'
echo "| crash → restarted (portable.started) p50 / p99 | $(get restart_p50_ms) / $(get restart_p99_ms) ms | — | includes the 0.5 s backoff |"
