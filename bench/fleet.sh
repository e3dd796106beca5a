#!/usr/bin/env bash
# The fleet benchmarks (README, Benchmarks, "Fleet (F1–F3)"): three kpm launchers (A, B, C) on one
# PostgreSQL database — the launcher jar's embedded PostgreSQL run alone (`--db-only`) — against one
# launcher alone on a database of its own in the same PostgreSQL, in the same run (the four JVMs run
# throughout; the rounds alternate between the fleet and the lone node). Zips are generated into
# target/bench/fleet at each run; plugins are created on A with POST /plugins/sources over file://,
# one after another (each waiting for its 201). First WARMUP (6) untimed rounds of F1's work (and
# one of F2's) on each side: the JIT compiles the install path over the first few hundred installs,
# and three JVMs warming up against one would be timed otherwise.
#   F1: PLUGINS (100) small native plugins created on A until every node's node_plugin rows of them
#       are `applied` (the database polled every 10 ms), against the lone node creating the same
#       plugins until its rows are applied; median of ROUNDS. Target ≤ 1.5×.
#   F2: the same for one SIZE_MB (50) MB native plugin (4,079 entries). Target ≤ 1.5×.
#   F3: CREATES (50) single creates on A: from A's 201 until the last of B and C has it `applied`
#       in node_plugin (the database polled every 2 ms); p50 and p99, next to A's own POST → 201.
# Prints every round, then the machine, the load average and a Markdown table.
#
#   bench/fleet.sh                          # ROUNDS=3 WARMUP=6 PLUGINS=100 SIZE_MB=50 CREATES=50
#   bench/fleet.sh f1 f3                    # some rows (or BENCH='f1 f3' in the environment)
#   KPM_JAVA_OPTS='-Xmx256m' bench/fleet.sh # options for the four launcher JVMs
#   BENCH_NODE_CPUS=0.5 bench/fleet.sh      # each launcher capped at 0.5 CPU (a cgroup each, root):
#                                           # hosts of their own emulated; the database uncapped
#
# About 4–8 minutes on 2 cores once built (four launcher JVMs start at once, 30–60 s of it). Needs
# a JDK 17 and Maven. The whole run is cut off after BENCH_TIMEOUT seconds (default 900). BENCH_DIR
# moves the work folder (zips, the homes, the database) elsewhere; BENCH_HOMES moves only the four
# homes, to BENCH_HOMES/<node>-home/home (for example onto a file system of each node's own, mounted
# at BENCH_HOMES/<node>-home). Each round line gives the CPU seconds of the side's JIT compiler
# threads and of the whole machine (kernel included), and when A's last 201 came. The rows of the
# table also go to target/bench/fleet/rows.txt, one id|figure|kpm|baseline|ratio|target|result line
# each, for bench/run.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
ROWS="$BENCH_OUT/fleet/rows.txt"

if (($#)); then
  for arg in "$@"; do
    [[ "${arg,,}" =~ ^f[123]$ ]] || {
      bench_say "fleet.sh: unknown benchmark $arg (f1, f2 or f3)"
      exit 2
    }
  done
  BENCH="${*,,}"
fi
BENCH="${BENCH:-all}"
export BENCH

bench_lock
rm -f "$ROWS"
bench_build
bench_classpath

cd "$ROOT"
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
timeout "${BENCH_TIMEOUT:-900}" java ${JAVA_OPTS:-} \
  -Dkpm.it.launcher="$ROOT/target/kpm-launcher/kpm-launcher.jar" \
  -cp "$BENCH_CLASSPATH" dev.kpm.bench.FleetBench "${BENCH_DIR:-$BENCH_OUT/fleet/work}" "$ROWS"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); command: ${BENCH_NODE_CPUS:+BENCH_NODE_CPUS=$BENCH_NODE_CPUS }ROUNDS=${ROUNDS:-3} WARMUP=${WARMUP:-6} PLUGINS=${PLUGINS:-100} SIZE_MB=${SIZE_MB:-50} CREATES=${CREATES:-50} bench/fleet.sh${1:+ $*}"
