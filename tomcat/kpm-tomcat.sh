#!/usr/bin/env bash
# Runs kpm on a standalone Apache Tomcat 11 taken from Maven Central.
#
#   kpm-tomcat.sh layout <CATALINA_BASE> [kpm.war]   build (or refresh) a CATALINA_BASE for kpm
#   kpm-tomcat.sh start  <CATALINA_BASE>             start Tomcat in the background
#   kpm-tomcat.sh run    <CATALINA_BASE>             run Tomcat in the foreground
#   kpm-tomcat.sh stop   <CATALINA_BASE>             stop it (SIGTERM, then SIGKILL after a bound)
#
# CATALINA_BASE may also come from the environment. layout fetches the distribution and the
# PostgreSQL JDBC driver with Maven into a cache folder, unpacks the distribution there (that is
# CATALINA_HOME, shared and never modified), and fills CATALINA_BASE with kpm's conf/ and bin/
# from this folder, Tomcat's stock catalina.properties, logging.properties and web.xml, the driver
# in lib/, and the WAR as webapps/ROOT.war. It overwrites those files and keeps logs/ and kpm-home/.
#
# Environment:
#   KPM_WAR            the WAR for layout, default ../target/kpm.war next to this script
#   KPM_TOMCAT_CACHE   download/unpack cache, default ${XDG_CACHE_HOME:-~/.cache}/kpm-tomcat
#   MVN                the Maven command, default mvn
#   KPM_STOP_TIMEOUT   seconds stop waits before SIGKILL, default 60
#   DB_URL, DB_USER, DB_PASSWORD, KPM_HTTP_PORT, KPM_SHUTDOWN_PORT, KPM_DB_POOL_SIZE, KPM_HOME:
#                      read when Tomcat starts, see bin/setenv.sh
#   KPM_AUTH and every other kpm setting's variable (README's settings table): read by kpm itself
#   JAVA_HOME          the Java (17 or later) Tomcat runs on; else java from PATH
#
# Needs bash, coreutils, tar, gzip, sed, Maven (layout only) and a JDK 17+.
set -euo pipefail

readonly TOMCAT_VERSION=11.0.24
readonly TOMCAT_ARTIFACT="org.apache.tomcat:tomcat:${TOMCAT_VERSION}:tar.gz"
readonly JDBC_VERSION=42.7.14
readonly JDBC_ARTIFACT="org.postgresql:postgresql:${JDBC_VERSION}"
readonly DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
readonly STOCK_CONF=(catalina.properties logging.properties web.xml)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly here

die() {
  echo "kpm-tomcat.sh: $*" >&2
  exit 1
}

usage() {
  sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# An absolute path for $1, which need not exist yet.
absolute() {
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$PWD/$1" ;;
  esac
}

# Copies artifact $1 from Maven (local repository, else the remote ones) into folder $2.
fetch() {
  local artifact="$1" into="$2" output
  echo "kpm-tomcat.sh: fetching $artifact" >&2
  # Run outside any project, so only the pinned plugin and the artifact are resolved.
  if ! output="$(cd "$into" && ${MVN:-mvn} -B -q -Dstyle.color=never \
    "${DEPENDENCY_PLUGIN}:copy" -Dartifact="$artifact" -DoutputDirectory="$into" 2>&1)"; then
    printf '%s\n' "$output" >&2
    die "Maven could not fetch $artifact"
  fi
}

pid_file() {
  printf '%s\n' "$1/temp/catalina.pid"
}

# Prints the pid of the Tomcat running from CATALINA_BASE $1; fails when none is running.
running_pid() {
  local file pid
  file="$(pid_file "$1")"
  [[ -s "$file" ]] || return 1
  pid="$(<"$file")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  printf '%s\n' "$pid"
}

layout() {
  local base war cache home
  base="$(absolute "$1")"
  war="$(absolute "${2:-${KPM_WAR:-$here/../target/kpm.war}}")"
  cache="$(absolute "${KPM_TOMCAT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kpm-tomcat}")"
  home="$cache/apache-tomcat-$TOMCAT_VERSION"
  [[ -f "$war" ]] || die "no WAR at $war: build it with 'mvn package', or pass its path"
  war="$(readlink -f "$war")"
  if running_pid "$base" >/dev/null; then
    die "Tomcat is running from $base: stop it first"
  fi
  mkdir -p "$cache"
  [[ -f "$cache/tomcat-$TOMCAT_VERSION.tar.gz" ]] || fetch "$TOMCAT_ARTIFACT" "$cache"
  [[ -f "$cache/postgresql-$JDBC_VERSION.jar" ]] || fetch "$JDBC_ARTIFACT" "$cache"
  if [[ ! -x "$home/bin/catalina.sh" ]]; then
    local unpack
    unpack="$(mktemp -d "$cache/unpack.XXXXXX")"
    tar -xzf "$cache/tomcat-$TOMCAT_VERSION.tar.gz" -C "$unpack"
    rm -rf "$home"
    mv "$unpack/apache-tomcat-$TOMCAT_VERSION" "$home"
    rm -rf "$unpack"
  fi

  mkdir -p "$base"/{bin,conf,lib,logs,temp,work,webapps}
  for file in "${STOCK_CONF[@]}"; do
    cp "$home/conf/$file" "$base/conf/$file"
  done
  cp "$here"/conf/*.xml "$base/conf/"
  cp "$here/bin/setenv.sh" "$base/bin/setenv.sh"
  rm -f "$base"/lib/postgresql-*.jar
  cp "$cache/postgresql-$JDBC_VERSION.jar" "$base/lib/"
  ln -sfn "$home" "$base/catalina-home"
  # A stale exploded copy or compiled state would shadow the new WAR.
  rm -rf "$base/webapps/ROOT" "$base/work/Catalina/localhost/ROOT"
  cp "$war" "$base/webapps/ROOT.war"
  echo "kpm-tomcat.sh: CATALINA_BASE $base ready (Tomcat $TOMCAT_VERSION at $home, WAR $war)"
}

# Runs catalina.sh with command $2 on the CATALINA_BASE $1 made by layout.
catalina() {
  local base home
  base="$(absolute "$1")"
  [[ -L "$base/catalina-home" && -x "$base/catalina-home/bin/catalina.sh" ]] ||
    die "$base is not laid out (or its Tomcat was removed): run '$0 layout $base' first"
  home="$(readlink -f "$base/catalina-home")"
  CATALINA_PID="$(pid_file "$base")"
  export CATALINA_BASE="$base" CATALINA_HOME="$home" CATALINA_PID
  if [[ "$2" == run ]]; then
    if running_pid "$base" >/dev/null; then
      die "Tomcat is already running from $base"
    fi
    # catalina.sh run execs java in this very process: record its pid, so stop works here too.
    mkdir -p "$base/temp"
    echo $$ >"$CATALINA_PID"
  fi
  exec "$home/bin/catalina.sh" "$2"
}

stop() {
  local base pid timeout waited=0
  base="$(absolute "$1")"
  timeout="${KPM_STOP_TIMEOUT:-60}"
  if ! pid="$(running_pid "$base")"; then
    rm -f "$(pid_file "$base")"
    echo "kpm-tomcat.sh: Tomcat is not running from $base"
    return 0
  fi
  # SIGTERM runs Tomcat's shutdown hook: kpm undeploys cleanly, the pool closes, logs flush.
  kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= timeout * 10)); then
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$(pid_file "$base")"
      die "Tomcat (pid $pid) did not stop within ${timeout}s and was killed"
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  rm -f "$(pid_file "$base")"
  echo "kpm-tomcat.sh: Tomcat (pid $pid) stopped"
}

main() {
  (($# >= 1)) || usage
  local command="$1" base="${2:-${CATALINA_BASE:-}}"
  [[ -n "$base" ]] || usage
  case "$command" in
    layout) layout "$base" "${3:-}" ;;
    start | run) catalina "$base" "$command" ;;
    stop) stop "$base" ;;
    *) usage ;;
  esac
}

main "$@"
