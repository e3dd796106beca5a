#!/usr/bin/env bash
# The function-call benchmark: kpm's pure-Java SP host <-> the libnng portable probe, side by side
# with a libnng C host <-> the same probe over the same kind of socket (REP listening on a
# Unix-domain socket, docs/portable-protocol.md section 3). Prints each run's line and a Markdown table of the
# medians over the rounds with the ratio Java/C; the p50 and p99 rows also go to
# target/bench/calls/rows.txt (id|figure|kpm|baseline|ratio|target|result) for bench/run.sh.
#
#   bench/calls.sh                    # ROUNDS=5 N=10000 WARMUP=2000 by default
#   ROUNDS=9 N=50000 bench/calls.sh   # override; JAVA_OPTS is passed to the Java host's JVM
#
# Needs gcc, make, libnng-dev, libcjson-dev (for the probe and the C host; installed with apt-get
# when missing and running as root), a JDK 17 and Maven. The probe always
# dials /tmp/func_echo.ipc, a fixed path: the C and Java hosts run one after the other, and nothing
# else that uses function echo of the probe (kpm's test suite does) may run at the same time, unless
# namespaces are available: then the runs get a private /tmp (unshare -Urm).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
OUT="$BENCH_OUT/calls"
ROUNDS="${ROUNDS:-5}"
N="${N:-10000}"
WARMUP="${WARMUP:-2000}"
# The probe re-sends "handshake" after this long without a call; far beyond a run, so no keepalive
# lands in the middle of the measurements.
export PROBE_KEEPALIVE_MS=3600000
FUNC_SOCKET=/tmp/func_echo.ipc

say() { bench_say "$@"; }

# True while some process listens on the Unix socket $1 (flag __SO_ACCEPTCON in /proc/net/unix).
listening() { awk -v p="$1" '$NF == p && $4 == "00010000" { found = 1 } END { exit !found }' /proc/net/unix; }

# Removes a leftover socket file; refuses to touch one that a live process listens on.
unlink_leftover() {
  local path="$1" waited=0
  while listening "$path"; do
    if ((waited >= 30)); then
      say "calls.sh: $path is in use by another process (a test run?); run the benchmark alone"
      exit 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  rm -f "$path"
}

build() {
  mkdir -p "$OUT"
  say "== building the probe (target/bench/probe/) and the C host (target/bench/calls/)"
  bench_probe
  gcc -O2 -Wall -Wextra -o "$OUT/host_bench" "$ROOT/bench/c/host_bench.c" -lnng
  bench_build
  bench_classpath
}

# run_one c|java ROUND: one host against a fresh probe; prints its result line.
run_one() {
  local host="$1" round="$2" name="kpmbench_${1}_$$_$2"
  unlink_leftover "/tmp/plugin_$name.ipc"
  unlink_leftover "$FUNC_SOCKET"
  if [[ "$host" == c ]]; then
    timeout 60 "$OUT/host_bench" "$BENCH_PROBE" "$name" "$WARMUP" "$N"
  else
    # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
    timeout 60 java ${JAVA_OPTS:-} -cp "$BENCH_CLASSPATH" dev.kpm.bench.FunctionCallBench \
      "$BENCH_PROBE" "$name" "$WARMUP" "$N"
  fi
}

# The rounds; results go to $RESULTS, one line per run.
measure() {
  : >"$RESULTS"
  say "== $ROUNDS rounds, each: C host then Java host, $WARMUP warm-up + $N timed calls"
  local round host line
  for round in $(seq 1 "$ROUNDS"); do
    for host in c java; do
      line="$(run_one "$host" "$round")"
      say "round $round: $line"
      printf '%s\n' "$line" >>"$RESULTS"
    done
  done
}

RESULTS="$OUT/runs.txt"
ROWS="$OUT/rows.txt"
if [[ "${KPM_BENCH_PHASE:-}" == measure ]]; then
  measure
  exit 0
fi
bench_lock
rm -f "$ROWS" "$RESULTS"
build
export BENCH_CLASSPATH BENCH_PROBE
# kpm's own test suite also runs the probe's function echo on /tmp/func_echo.ipc: when a private
# /tmp is possible (a user and mount namespace), measure there, so neither disturbs the other. Not
# for a checkout under /tmp, which the private /tmp would hide.
if [[ "$(cd "$ROOT" && pwd -P)/" != /tmp/* ]] &&
  unshare -Urm sh -c 'mount -t tmpfs -o size=1m kpm-bench /tmp' 2>/dev/null; then
  say "== measuring with a private /tmp (unshare -Urm + tmpfs)"
  # shellcheck disable=SC2016 # $0 is expanded by the inner bash
  KPM_BENCH_PHASE=measure unshare -Urm bash -c \
    'mount -t tmpfs -o size=64m kpm-bench /tmp && exec "$0"' "${BASH_SOURCE[0]}"
  ISOLATION="private /tmp"
else
  say "== no namespaces here: measuring in the shared /tmp; run nothing else that uses function echo"
  measure
  ISOLATION="shared /tmp"
fi

CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
JAVA_VERSION="$(java -version 2>&1 | head -1)"
NNG_VERSION="$(dpkg-query -W -f='${Version}' libnng1 2>/dev/null || echo unknown)"
echo
echo "machine: $(nproc) cores, ${CPU:-unknown CPU}, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); $JAVA_VERSION; libnng $NNG_VERSION"
echo "command: ROUNDS=$ROUNDS N=$N WARMUP=$WARMUP bench/calls.sh (median over $ROUNDS rounds, $ISOLATION)"
echo
awk -v rows="$ROWS" -v rounds="$ROUNDS" -v calls="$N" '
  function median(host, key,    n, i, j, t, v) {
    n = count[host]
    for (i = 1; i <= n; i++) v[i] = val[host, key, i]
    for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  {
    host = $1; k = ++count[host]
    for (i = 2; i <= NF; i++) { split($i, kv, "="); val[host, kv[1], k] = kv[2] }
  }
  END {
    if (!count["c"] || !count["java"]) { print "missing results" > "/dev/stderr"; exit 1 }
    for (h = 1; h <= 2; h++) {
      host = h == 1 ? "c" : "java"
      p50[host] = median(host, "p50_us"); p99[host] = median(host, "p99_us"); cps[host] = median(host, "calls_per_s")
    }
    print "| host ↔ probe | p50 (µs) | p99 (µs) | calls/s |"
    print "| --- | ---: | ---: | ---: |"
    printf "| C (libnng REP) | %.1f | %.1f | %.0f |\n", p50["c"], p99["c"], cps["c"]
    printf "| Java (kpm RepSocket) | %.1f | %.1f | %.0f |\n", p50["java"], p99["java"], cps["java"]
    printf "| ratio Java/C | %.2f× | %.2f× | %.2f× |\n", p50["java"] / p50["c"], p99["java"] / p99["c"], cps["java"] / cps["c"]
    what = sprintf("Java host (kpm RepSocket) ↔ probe, median of %d rounds of %d calls", rounds, calls)
    r = p50["java"] / p50["c"]
    printf "calls|function call p50, %s|%.1f µs|%.1f µs (C host on libnng)|%.2f×|≤ 1.5×|%s\n", what, p50["java"], p50["c"], r, (r <= 1.5 ? "PASS" : "MISS") > rows
    printf "calls|function call p99, %s|%.1f µs|%.1f µs (C host on libnng)|%.2f×|—|—\n", what, p99["java"], p99["c"], p99["java"] / p99["c"] > rows
  }
' "$RESULTS"
