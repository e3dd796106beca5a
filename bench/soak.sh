#!/usr/bin/env bash
# The soak and kill rounds of kpm (reliability), against kpm's launcher jar (embedded Tomcat and
# PostgreSQL) in a JVM of its own: dev.kpm.bench.Soak, a main class of the test sources.
#   soak   one kpm; after 20 warm-up cycles, CYCLES create/drop cycles of one portable plugin
#          (soakprobe, the libnng probe: POST /plugins/portables 201, DELETE 200), then REFUSED
#          creates kpm must answer with 400 (a native zip without its .so, an invalid name, a
#          portable zip without its executable). Sampled at the start, after the cycles and after
#          the refusals: kpm's JVM's threads, open file descriptors (but the webapp's jars, which
#          Tomcat closes and reopens), child processes and live heap (jcmd GC.run twice, then
#          GC.heap_info), and the socket files /tmp/plugin_*.ipc and /tmp/*soak*.ipc. PASS when
#          the end is within threads ± 5, fds ± 10, socket files and children + 0, heap + 20 % or
#          + 8 MiB of the start.
#   kills  KILLS rounds on one home: start kpm, check its invariants, start 1–3 random changes at
#          once (native sources k0…k4, half of the zips with an install.sh sleeping 0–2 s; portable
#          kp0, kp1), SIGKILL kpm 50–1500 ms later, and again. The invariants, after every restart
#          and at the end: every listed plugin has its files; the .so files in plugins/sources and
#          the listed sources agree; .kpm/staging is empty; no process of the killed kpm (portable
#          plugins, install.sh, any child) survives; no install record is left RUNNING.
# Prints the progress, then a Markdown table of every figure with its target and PASS/MISS.
#
#   bench/soak.sh                      # both parts: CYCLES=1000 REFUSED=1000 KILLS=100
#   bench/soak.sh soak                 # the soak only (kills: the kill rounds only)
#   CYCLES=30 REFUSED=30 KILLS=4 bench/soak.sh     # a quick look, about 2 minutes
#
# About 25 minutes with the defaults on 2 idle cores once built: the cycles take ~0.13 s each, a
# kill round ~11 s (mostly the restart). Environment: CYCLES, REFUSED, KILLS as above; SEED (the
# kill rounds' random choices, default the clock; the table names it, so a run can be repeated);
# SCRIPT_MAX_MS (the longest sleep of an install.sh, default 2000: a restart takes longer, so the
# scripts have ended by then; with 30000 kpm must stop them itself, which the table's "still alive
# when kpm was launched again" counts); KPM_JAVA_OPTS (options of kpm's JVMs); JAVA_OPTS (options
# of the bench's own JVM); BENCH_TIMEOUT (seconds before the whole run is cut off, default 7200).
# Needs a JDK 17, Maven, gcc, make, libnng-dev and libcjson-dev (the probe, built into
# target/probe; the packages are installed with apt-get when missing and running as root).
# Everything it makes lives in target/bench/soak/ (cycles/ and kills/: kpm's homes and logs); the
# rows of the table also go to target/bench/soak/rows.txt, one id|figure|kpm|baseline|ratio|target|
# result line each, for bench/run.sh. Run nothing else that uses /tmp/plugin_*.ipc meanwhile (kpm's
# test suite does): the socket-file figure counts them all.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
OUT="$BENCH_OUT/soak"
ROWS="$OUT/rows.txt"

PART=all
if (($# > 1)); then
  bench_say "soak.sh: one argument at most: soak or kills (none: both)"
  exit 2
elif (($#)); then
  case "$1" in
    soak | kills) PART="$1" ;;
    *)
      bench_say "soak.sh: unknown part $1 (soak or kills)"
      exit 2
      ;;
  esac
fi
CYCLES="${CYCLES:-1000}"
REFUSED="${REFUSED:-1000}"
KILLS="${KILLS:-100}"
for var in CYCLES REFUSED KILLS; do
  [[ "${!var}" =~ ^[0-9]+$ ]] || {
    bench_say "soak.sh: $var must be a whole number, not ${!var}"
    exit 2
  }
done
export CYCLES REFUSED KILLS

bench_lock
mkdir -p "$OUT"
rm -f "$ROWS"
bench_need_c
bench_build
bench_classpath

cd "$ROOT"
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
timeout "${BENCH_TIMEOUT:-7200}" java ${JAVA_OPTS:-} \
  -Dkpm.it.launcher="$ROOT/target/kpm-launcher/kpm-launcher.jar" \
  -cp "$BENCH_CLASSPATH" dev.kpm.bench.Soak "$PART" "$OUT" "$ROWS"
SETTINGS=()
[[ "$PART" == kills ]] || SETTINGS+=("CYCLES=$CYCLES" "REFUSED=$REFUSED")
[[ "$PART" == soak ]] || SETTINGS+=("KILLS=$KILLS" ${SEED:+"SEED=$SEED"} ${SCRIPT_MAX_MS:+"SCRIPT_MAX_MS=$SCRIPT_MAX_MS"})
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); command: ${SETTINGS[*]} bench/soak.sh${1:+ $1}"
