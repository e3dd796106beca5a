#!/usr/bin/env bash
# kpm's benchmarks in one command (README, Benchmarks): builds kpm once, runs the parts one after
# the other, and ends with one Markdown table of every figure next to its baseline measured in the
# same run, with the ratio, the target and PASS/MISS, after the machine, the date, the load and this
# command.
#
#   bench/run.sh                  # everything: install (B1, B5), service (B2, B3, B4), calls,
#                                 # fleet (F1, F2, F3)
#   bench/run.sh b2 b3            # some rows: b1 … b5, calls, f1 … f3, or the groups install,
#                                 # service, fleet, all
#   bench/run.sh install calls    # groups and rows mix
#
# The parts are bench/install.sh (B1: a 50 MB zip installed over file:// and http://, and uploaded
# then installed, against unzip + sync; B5: 50 installs at once against one after another),
# bench/service.sh (B2: reads under wrk against a static file on the same Tomcat; B3: cold start
# with 1,000 plugins against none; B4: live heap with 1,000 plugins and 20 portables),
# bench/calls.sh (portable function calls, kpm's Java host against a C host on libnng) and
# bench/fleet.sh (F1–F3: three launchers on one database converging on plugins created on one of
# them, against one launcher alone); each also runs alone. Each writes its rows to
# target/bench/<part>/rows.txt and its output to target/bench/run/<part>.log here.
#
# Settings: each part's own environment variables (see its header), passed on as they are. Any of
# them may carry a part's prefix, to reach that part only (ROUNDS=1 sets the rounds of all four,
# SERVICE_ROUNDS=1 only B3's); N and WARMUP, which mean something else to each part, must carry it
# when several parts that read them are selected (CALLS_N=5000, SERVICE_N=100, INSTALL_WARMUP=1).
# A quick look, 2–3 minutes:
#   ROUNDS=1 DURATION=3 SIZE_MB=5 PLUGINS=10 SERVICE_N=100 SERVICE_WARMUP=1 PORTABLES=3 CALLS_N=2000 \
#     CREATES=10 bench/run.sh
#
# Needs a JDK 17 and Maven (the build; Tomcat 11 and the Java libraries come from Maven Central),
# and Debian packages it installs with apt-get when they are missing and it runs as root: unzip,
# wrk, curl, gcc, make, libnng-dev, libcjson-dev. About 6½ minutes on 2 idle cores once built, plus
# about 3–4 for the fleet part.
# Exit status 0 when every part ran to its end (whatever PASS or MISS says), 1 when one did not:
# the table then shows its rows as FAILED, the rows of the other parts as usual.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
LOGS="$BENCH_OUT/run"

# The environment variables each part reads.
declare -A VARS=(
  [install]="ROUNDS WARMUP PAR_ROUNDS SIZE_MB PLUGINS JAVA_OPTS KPM_JAVA_OPTS BENCH_TIMEOUT BENCH_DIR"
  [service]="N DURATION WARMUP ROUNDS PORTABLES KPM_WAR KPM_LAUNCHER JAVA_OPTS"
  [calls]="ROUNDS N WARMUP JAVA_OPTS"
  [fleet]="ROUNDS WARMUP PLUGINS SIZE_MB CREATES JAVA_OPTS KPM_JAVA_OPTS BENCH_TIMEOUT BENCH_DIR BENCH_HOMES"
)
PARTS=(install service calls fleet)

die() {
  bench_say "run.sh: $*"
  exit 2
}

usage() {
  awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}" >&2
  exit 2
}

# "3 min 05 s" for a number of seconds.
duration() {
  if (($1 >= 60)); then
    printf '%d min %02d s' $(($1 / 60)) $(($1 % 60))
  else
    printf '%d s' "$1"
  fi
}

# ------------------------------------------------------------------------------------ selection
declare -A WANT=()
GIVEN=("$@")
(($#)) || set -- all
for arg in "$@"; do
  case "${arg,,}" in
    all) for b in b1 b2 b3 b4 b5 calls f1 f2 f3; do WANT[$b]=1; done ;;
    install) WANT[b1]=1 WANT[b5]=1 ;;
    service) WANT[b2]=1 WANT[b3]=1 WANT[b4]=1 ;;
    fleet) WANT[f1]=1 WANT[f2]=1 WANT[f3]=1 ;;
    calls | b1 | b2 | b3 | b4 | b5 | f1 | f2 | f3) WANT[${arg,,}]=1 ;;
    -h | --help | help) usage ;;
    *) die "unknown benchmark $arg: b1 … b5, calls, f1 … f3, install, service, fleet or all" ;;
  esac
done
# The arguments of each part, in its order; a part without any is not run.
declare -A ARGS=()
for b in b1 b5; do [[ -n "${WANT[$b]:-}" ]] && ARGS[install]+="$b "; done
for b in b2 b3 b4; do [[ -n "${WANT[$b]:-}" ]] && ARGS[service]+="$b "; done
[[ -n "${WANT[calls]:-}" ]] && ARGS[calls]=" "
for b in f1 f2 f3; do [[ -n "${WANT[$b]:-}" ]] && ARGS[fleet]+="$b "; done
SELECTED=()
for part in "${PARTS[@]}"; do
  [[ -n "${ARGS[$part]:-}" ]] && SELECTED+=("$part")
done

# The row ids each part owns.
ids_of() {
  case "$1" in
    install) echo "${ARGS[install]^^}" ;;
    service) echo "${ARGS[service]^^}" ;;
    calls) echo calls ;;
    fleet) echo "${ARGS[fleet]^^}" ;;
  esac
}

# ------------------------------------------------------------------------------------ settings
# A variable that selected parts read with different meanings may not come without a prefix.
for var in N WARMUP; do
  [[ -n "${!var+set}" ]] || continue
  readers=()
  for part in "${SELECTED[@]}"; do
    [[ " ${VARS[$part]} " == *" $var "* ]] && readers+=("$part")
  done
  if ((${#readers[@]} > 1)); then
    examples=()
    for part in "${readers[@]}"; do examples+=("${part^^}_$var=…"); done
    die "$var means something else to each of ${readers[*]}: give it a part's prefix" \
      "(${examples[*]}), or select one part"
  fi
done

# The command as given: every setting a part reads, with or without its prefix, then the arguments.
COMMAND=""
declare -A SEEN=()
for part in "${PARTS[@]}"; do
  for var in ${VARS[$part]} BENCH; do
    for name in "$var" "${part^^}_$var"; do
      [[ -n "${!name+set}" && -z "${SEEN[$name]:-}" ]] || continue
      SEEN[$name]=1
      COMMAND+="$name=$(printf '%q' "${!name}") "
    done
  done
done
COMMAND+="bench/run.sh"
for arg in "${GIVEN[@]}"; do COMMAND+=" $(printf '%q' "$arg")"; done

# The environment of part $1: its prefixed settings without their prefix.
part_env() {
  local part="$1" var name
  PART_ENV=(KPM_BENCH_BUILT=1)
  for var in ${VARS[$part]}; do
    name="${part^^}_$var"
    [[ -n "${!name+set}" ]] && PART_ENV+=("$var=${!name}")
  done
  return 0
}

# ------------------------------------------------------------------------------------ run
bench_lock || exit 2
mkdir -p "$LOGS"
START_DATE="$(date -u '+%Y-%m-%d %H:%M')"
START_LOAD="$(cut -d' ' -f1-3 /proc/loadavg)"
T0=$SECONDS
CORES="$(nproc)"
if awk -v l="${START_LOAD%% *}" -v c="$CORES" 'BEGIN { exit !(l >= c / 2) }'; then
  bench_say "run.sh: load average $START_LOAD on $CORES cores at the start: if other work runs," \
    "the figures will be noisy"
fi
bench_say "== run.sh: ${SELECTED[*]}; logs in target/bench/run/"

bench_build || die "the build failed (mvn -B -q -DskipTests package): nothing was measured"
bench_classpath || die "Maven could not compute the test class path: nothing was measured"
BUILD_TIME=$((SECONDS - T0))
export KPM_BENCH_BUILT=1

declare -A RC=() TIME=()
for part in "${SELECTED[@]}"; do
  rows="$BENCH_OUT/$part/rows.txt"
  rm -f "$rows"
  read -r -a part_args <<<"${ARGS[$part]}"
  part_env "$part"
  bench_say ""
  label="bench/$part.sh"
  ((${#part_args[@]} == 0)) || label+=" ${part_args[*]}"
  bench_say "== run.sh: $label (load $(cut -d' ' -f1 /proc/loadavg))"
  t=$SECONDS
  set +e
  env -u BENCH "${PART_ENV[@]}" "$ROOT/bench/$part.sh" "${part_args[@]}" 2>&1 | tee "$LOGS/$part.log"
  RC[$part]=${PIPESTATUS[0]}
  set -e
  TIME[$part]=$((SECONDS - t))
  if ((RC[$part] == 0)); then
    bench_say "== run.sh: $part took $(duration "${TIME[$part]}")"
  else
    bench_say "run.sh: ERROR: bench/$part.sh failed (exit status ${RC[$part]}) after" \
      "$(duration "${TIME[$part]}"); its output: target/bench/run/$part.log"
  fi
done

# ------------------------------------------------------------------------------------ report
TABLE="$LOGS/table.md"
STATUS=0
{
  for part in "${SELECTED[@]}"; do
    rows="$BENCH_OUT/$part/rows.txt"
    [[ -s "$rows" ]] && cat "$rows"
    for id in $(ids_of "$part"); do
      # A selected benchmark without a row: its part failed before writing it.
      if ! grep -q "^$id|" "$rows" 2>/dev/null; then
        echo "$id|did not run to its end: bench/$part.sh exit status ${RC[$part]}, see target/bench/run/$part.log|—|—|—|—|FAILED"
        STATUS=1
      fi
    done
    ((RC[$part] == 0)) || STATUS=1
  done
} >"$LOGS/rows.txt"

OS="$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-}")"
TIMES=""
for part in "${SELECTED[@]}"; do
  TIMES+="$part $(duration "${TIME[$part]}")$( ((RC[$part] == 0)) || echo " (FAILED)"), "
done
{
  echo "machine: $CORES cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
  echo "OS: ${OS:-unknown}, Linux $(uname -r) $(uname -m)"
  echo "Java: $(java -version 2>&1 | head -2 | paste -sd ';' | sed 's/;/; /')"
  echo "date: $START_DATE – $(date -u '+%H:%M') UTC"
  echo "load average (1, 5, 15 min): $START_LOAD at start, $(cut -d' ' -f1-3 /proc/loadavg) at end"
  echo "command: $COMMAND"
  echo "wall time: build $(duration "$BUILD_TIME"), ${TIMES}total $(duration $((SECONDS - T0)))"
  echo
  echo "| # | figure | kpm | baseline (same run) | ratio | target | result |"
  echo "| --- | --- | ---: | --- | ---: | --- | --- |"
  LC_ALL=C sort -s -t'|' -k1,1 "$LOGS/rows.txt" |
    awk -F'|' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }'
} >"$TABLE"
echo
cat "$TABLE"
if ((STATUS)); then
  bench_say ""
  bench_say "run.sh: ERROR: not every part ran to its end (rows marked FAILED); see target/bench/run/*.log"
fi
exit "$STATUS"
