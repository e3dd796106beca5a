# Sourced by bench/run.sh, bench/install.sh, bench/service.sh and bench/calls.sh, not run: what they
# share — building kpm once, the packages a benchmark needs (installed with apt-get when missing and
# running as root), the portable probe, and a lock so that two benchmark runs never overlap.
# The sourcing script sets ROOT (the checkout) first. Everything made here lives in target/bench/.
# shellcheck shell=bash

BENCH_OUT="$ROOT/target/bench"

bench_say() { printf '%s\n' "$*" >&2; }

# bench_need WHAT PACKAGE...: WHAT is a command, or the absolute path of a file (a header); when it is
# missing, installs the Debian PACKAGEs with apt-get if running as root (after an apt-get update if
# the package lists are empty or stale), else fails naming them.
bench_need() {
  local what="$1"
  shift
  if [[ "$what" == /* ]]; then
    [[ -e "$what" ]] && return 0
  else
    command -v "$what" >/dev/null && return 0
  fi
  if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null; then
    bench_say "bench: $what is missing: apt-get install $* (as root), then run again"
    return 1
  fi
  bench_say "== $what is missing: apt-get install -y $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2 && return 0
  if ! apt-get update -q >&2 || ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2; then
    bench_say "bench: apt-get could not install $*"
    return 1
  fi
}

# Builds kpm (target/kpm.war, target/kpm-launcher/, the test classes with the bench's main classes)
# with `mvn -B -q -DskipTests package` when a build is missing or a source is newer than the last
# build made here (target/bench/build.stamp; before the first, target/kpm.war). bench/run.sh builds
# once and sets KPM_BENCH_BUILT=1 for its parts.
bench_build() {
  [[ "${KPM_BENCH_BUILT:-}" == 1 ]] && return 0
  local stamp="$BENCH_OUT/build.stamp" since
  mkdir -p "$BENCH_OUT"
  since="$stamp"
  [[ -f "$since" ]] || since="$ROOT/target/kpm.war"
  if [[ -f "$ROOT/target/kpm.war" && -f "$ROOT/target/kpm-launcher/kpm-launcher.jar" &&
    -f "$ROOT/target/test-classes/dev/kpm/bench/InstallBench.class" &&
    -z "$(find "$ROOT/src" "$ROOT/db" "$ROOT/webapp" "$ROOT/pom.xml" -newer "$since" -print -quit)" ]]; then
    return 0
  fi
  bench_need mvn maven || return 1
  bench_say "== building kpm: WAR, launcher jar, test classes (mvn -B -q -DskipTests package)"
  (cd "$ROOT" && mvn -B -q -Dstyle.color=never -DskipTests package) >&2 || return 1
  touch "$stamp"
}

# Sets BENCH_CLASSPATH: kpm's classes, its test classes and the test class path from Maven (cached
# in target/bench/classpath.txt until pom.xml changes).
bench_classpath() {
  local file="$BENCH_OUT/classpath.txt"
  if [[ ! -s "$file" || "$ROOT/pom.xml" -nt "$file" ]]; then
    bench_say "== computing the test class path (mvn -B -q dependency:build-classpath)"
    mkdir -p "$BENCH_OUT"
    (cd "$ROOT" && mvn -B -q -Dstyle.color=never dependency:build-classpath \
      -Dmdep.outputFile="$file") >&2 || return 1
  fi
  # shellcheck disable=SC2034 # used by the sourcing script
  BENCH_CLASSPATH="$ROOT/target/test-classes:$ROOT/target/classes:$(cat "$file")"
}

# What C code of the bench needs: a compiler, make, libnng and cJSON with their headers.
bench_need_c() {
  bench_need gcc gcc && bench_need make make &&
    bench_need /usr/include/nng/nng.h libnng-dev && bench_need /usr/include/cjson/cJSON.h libcjson-dev
}

# Builds the libnng portable probe of src/test/native/portable-probe into target/bench/probe/ (make
# only recompiles when its source changed); sets BENCH_PROBE to the binary.
bench_probe() {
  bench_need_c || return 1
  make -s -C "$ROOT/src/test/native/portable-probe" OUT="$BENCH_OUT/probe" >/dev/null || return 1
  # shellcheck disable=SC2034 # used by the sourcing script
  BENCH_PROBE="$BENCH_OUT/probe/portable-probe"
}

# Records this script as the running benchmark of this checkout (target/bench/running.pid); fails
# if another one still runs. Parts started by bench/run.sh (KPM_BENCH_LOCKED=1) rely on its record.
bench_lock() {
  [[ "${KPM_BENCH_LOCKED:-}" == 1 ]] && return 0
  local file="$BENCH_OUT/running.pid" pid=""
  mkdir -p "$BENCH_OUT"
  [[ -s "$file" ]] && pid="$(<"$file")"
  if [[ "$pid" =~ ^[0-9]+$ && "$pid" != "$$" ]] && kill -0 "$pid" 2>/dev/null &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'bench/'; then
    bench_say "bench: another benchmark of this checkout runs (pid $pid); run one at a time"
    return 1
  fi
  echo "$$" >"$file"
  export KPM_BENCH_LOCKED=1
}
