#!/usr/bin/env bash
# Service benchmarks of kpm with 1,000 installed plugins; prints one Markdown table with each figure,
# its baseline measured in the same run, the ratio and PASS/MISS against its target. The same rows go
# to target/bench/service/rows.txt (id|figure|kpm|baseline|ratio|target|result) for bench/run.sh.
#
#   bench/service.sh              # B2, B3 and B4: about 4 minutes on 2 idle cores once built
#   bench/service.sh b2 b4        # only some of them
#   DURATION=5 ROUNDS=1 bench/service.sh     # a quick look; the README's figures use the defaults
#
#   B2  GET /plugins/sources and GET /plugins/sources/{name} under wrk (2 threads, 16 connections,
#       DURATION s) on the standalone Tomcat 11 of tomcat/kpm-tomcat.sh, against a static file of
#       the same size served by the same Tomcat (a second context, webapps/static). Targets:
#       >= 0.7x the static rps, p99 < 5 ms. Once per B2_AUTH value ("none ekuiper"): with
#       kpm.auth=ekuiper every kpm request carries an RS256 JWT signed at run time (openssl).
#   B3  launcher cold start, process launch to the first 200 of GET /plugins/sources: with 1,000
#       .so files to auto-load (reconcile registers them) and with the same 1,000 registered,
#       against the same home with no plugin. Target: less than 5 s extra. Median of ROUNDS.
#   B4  live heap (after a full GC) of the launcher with 1,000 plugins and PORTABLES probe plugins
#       running (installed through POST /plugins/portables). Target: < 256 MB.
#
# Environment: N (plugins, 1000), DURATION (wrk seconds per measured run, 20), WARMUP (wrk seconds
# per target before measuring, 5), ROUNDS (B3 starts per variant, 3), PORTABLES (B4, 20), KPM_WAR
# (the WAR B2 deploys, default target/kpm.war: e.g. another version's build),
# KPM_LAUNCHER (the launcher jar of B3 and B4, with its kpm.war beside its folder, default
# target/kpm-launcher/kpm-launcher.jar: e.g. another version's build), JAVA_OPTS (options of those
# launcher JVMs).
# Needs a JDK 17, Maven, curl, wrk, openssl, and for B4 gcc, make, libnng-dev and libcjson-dev (the probe of
# src/test/native/portable-probe, built into target/bench/probe/); the packages are installed with
# apt-get when missing and running as root. Everything it makes lives in target/bench/service/;
# nothing else of kpm's may run on the probes' /tmp/plugin_probe<i>.ipc.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
OUT="$BENCH_OUT/service"
LAUNCHER="${KPM_LAUNCHER:-$ROOT/target/kpm-launcher/kpm-launcher.jar}"
WAR="${KPM_WAR:-$ROOT/target/kpm.war}"
N="${N:-1000}"
DURATION="${DURATION:-20}"
WARMUP="${WARMUP:-5}"
ROUNDS="${ROUNDS:-3}"
PORTABLES="${PORTABLES:-20}"
THREADS=2
# B2 runs once per kpm.auth value: none (loopback, protected mode) and ekuiper (a JWT on every read).
B2_AUTH="${B2_AUTH:-none ekuiper}"
# curl options of kpm requests (the B2 token while B2 runs with kpm.auth=ekuiper).
CURL_AUTH=()
CONNECTIONS=16
RESULTS="$OUT/rows.txt"
PIDS=()     # launchers started here, stopped on exit
TOMCATS=()  # CATALINA_BASEs started here

say() { printf '%s\n' "$*" >&2; }
die() {
  say "service.sh: $*"
  exit 1
}
load() { cut -d' ' -f1-3 /proc/loadavg; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# The PostgreSQL server on data folder $1 (the launcher's pg_ctl leaves it a child of init).
postmaster_pid() { pgrep -o -f -- "bin/postgres -D $1 " || die "no PostgreSQL runs on $1"; }

# CPU time (ms, user + system) used so far by process $1 and its descendants, living or reaped.
tree_cpu_ms() {
  local pids=("$1") i=0 ticks=0 p children
  while ((i < ${#pids[@]})); do
    p="${pids[i]}"
    i=$((i + 1))
    read -r -a children <<<"$(cat /proc/"$p"/task/*/children 2>/dev/null)"
    pids+=("${children[@]}")
    # Fields after the command name: utime, stime, cutime, cstime are the 12th to 15th.
    ticks=$((ticks + $(sed 's/.*) //' /proc/"$p"/stat 2>/dev/null | awk '{ print $12 + $13 + $14 + $15 }' || true) + 0))
  done
  echo $((ticks * 1000 / $(getconf CLK_TCK)))
}

cleanup() {
  local base pid
  for base in "${TOMCATS[@]}"; do
    "$ROOT/tomcat/kpm-tomcat.sh" stop "$base" >/dev/null 2>&1 || true
  done
  for pid in "${PIDS[@]}"; do
    stop_pid "$pid"
  done
}
trap cleanup EXIT

# SIGTERM (the launcher's shutdown hook stops Tomcat, the probes and PostgreSQL), then waits.
stop_pid() {
  local pid="$1" waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= 600)); then
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  wait "$pid" 2>/dev/null || true
}

forget_pid() {
  local pid="$1" kept=() p
  for p in "${PIDS[@]}"; do
    [[ "$p" == "$pid" ]] || kept+=("$p")
  done
  PIDS=("${kept[@]}")
}

free_port() {
  local port
  for port in $(shuf -i 20000-45000 -n 100); do
    if [[ -z "$(ss -Hltn "sport = :$port")" ]]; then
      echo "$port"
      return
    fi
  done
  die "no free port"
}

# Waits until GET $1 answers 200 (every 20 ms), at most $2 seconds, while process $3 (if any) lives.
await_200() {
  local url="$1" deadline=$(($(date +%s) + $2)) pid="${3:-}"
  until [[ "$(curl -s "${CURL_AUTH[@]}" -o /dev/null -w '%{http_code}' "$url" 2>/dev/null)" == 200 ]]; do
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      return 1
    fi
    (($(date +%s) < deadline)) || return 1
    sleep 0.02
  done
}

# N empty .so files P0001@v1.0.0.so … in folder $1: plugins p0001 … for the start-up auto-load.
make_plugins() {
  local dir="$1" i name
  mkdir -p "$dir"
  for ((i = 1; i <= N; i++)); do
    printf -v name 'P%04d@v1.0.0.so' "$i"
    printf 'kpm bench\n' >"$dir/$name"
  done
}

# The number of names in the JSON array of strings at URL $1.
count_names() { curl -sf "${CURL_AUTH[@]}" "$1" | tr -d '[]"' | tr ',' '\n' | grep -c . || true; }

build() {
  mkdir -p "$OUT"
  bench_need curl curl || die "curl is missing"
  bench_need wrk wrk || die "wrk is missing"
  bench_need openssl openssl || die "openssl is missing"
  bench_build || die "the build failed"
  [[ -f "$WAR" ]] || die "no WAR at $WAR"
  [[ -f "$LAUNCHER" ]] || die "no launcher at $LAUNCHER"
}

build_probe() {
  say "== building the portable probe into target/bench/probe/"
  bench_probe || die "cannot build the portable probe"
}

# wrk_run LABEL URL [PATHS_FILE] [SECONDS]: one wrk run; prints "LABEL rps p99_ms errors app_ms db_ms",
# the last two the CPU time per request of process $APP_PID and of the tree of $DB_PID.
wrk_run() {
  local label="$1" url="$2" paths="${3:-}" seconds="${4:-$DURATION}" log="$OUT/wrk-$1.log"
  local args=(-t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --latency --timeout 10s)
  local app0 db0 app1 db1
  app0="$(tree_cpu_ms "$APP_PID")"
  db0="$(tree_cpu_ms "$DB_PID")"
  if [[ -n "${WRK_AUTH:-}" && "$label" != *static* ]]; then
    args+=(-H "Authorization: $WRK_AUTH")
  fi
  if [[ -n "$paths" ]]; then
    wrk "${args[@]}" -s "$ROOT/bench/wrk/paths.lua" "$url" -- "$paths" >"$log"
  else
    wrk "${args[@]}" "$url" >"$log"
  fi
  app1="$(tree_cpu_ms "$APP_PID")"
  db1="$(tree_cpu_ms "$DB_PID")"
  awk -v label="$label" -v app=$((app1 - app0)) -v db=$((db1 - db0)) '
    function ms(v) {
      if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000
      return v + 0
    }
    $1 == "99%" { p99 = ms($2) }
    /requests in/ { n = $1 }
    /^Requests\/sec:/ { rps = $2 }
    /Non-2xx or 3xx responses:/ { errors += $NF }
    /Socket errors:/ { gsub(",", ""); errors += $4 + $6 + $8 + $10 }
    END { printf "%s %s %.3f %d %.3f %.3f\n", label, rps, p99, errors, app / n, db / n }
  ' "$log"
}

# ---------------------------------------------------------------------------------------------- B2
b2() {
  local dir="$OUT/b2" base port db_pid db_url db_dir
  rm -rf "$dir"
  mkdir -p "$dir"
  say "== B2: standalone Tomcat with $N plugins (load $(load))"
  # PostgreSQL: the launcher's embedded one, on its own home.
  port="$(free_port)"
  KPM_HOME="$dir/db-home" java -Dkpm.db.port="$port" -jar "$LAUNCHER" --db-only \
    >"$dir/db.url" 2>"$dir/db.log" &
  db_pid=$!
  PIDS+=("$db_pid")
  local waited=0
  until [[ -s "$dir/db.url" ]]; do
    kill -0 "$db_pid" 2>/dev/null || die "the embedded PostgreSQL did not start: $dir/db.log"
    ((waited < 1200)) || die "the embedded PostgreSQL did not start in 120 s"
    sleep 0.1
    waited=$((waited + 1))
  done
  db_url="$(head -1 "$dir/db.url")"
  db_dir="$dir/db-home"

  base="$dir/base"
  KPM_TOMCAT_CACHE="$OUT/tomcat-cache" "$ROOT/tomcat/kpm-tomcat.sh" layout "$base" "$WAR" >&2
  make_plugins "$base/kpm-home/plugins/sources"
  # The baseline's context: Tomcat's DefaultServlet (stock conf/web.xml) on /static.
  mkdir -p "$base/webapps/static"
  # eKuiper's JWT scheme: the issuer's public key in etc/mgmt, a token signed at run time.
  mkdir -p "$base/kpm-home/etc/mgmt"
  openssl genrsa -out "$dir/bench-key.pem" 2048 2>/dev/null
  openssl rsa -in "$dir/bench-key.pem" -pubout -out "$base/kpm-home/etc/mgmt/bench.pub" 2>/dev/null
  local token
  token="$(jwt "$dir/bench-key.pem" \
    "{\"iss\":\"bench.pub\",\"aud\":[\"eKuiper\"],\"sub\":\"bench\",\"exp\":$(($(date +%s) + 7200))}")"
  local auth
  for auth in $B2_AUTH; do
    b2_run "$dir" "$base" "$db_dir" "$db_url" "$auth" "$token"
  done
  stop_pid "$db_pid"
  forget_pid "$db_pid"
}

# jwt KEY PAYLOAD: an RS256 JWT of that JSON payload, signed with the PEM private key.
jwt() {
  local header payload sig
  header="$(printf '%s' '{"alg":"RS256","typ":"JWT"}' | b64url)"
  payload="$(printf '%s' "$2" | b64url)"
  sig="$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$1" -binary | b64url)"
  printf '%s.%s.%s' "$header" "$payload" "$sig"
}

b64url() { openssl base64 -e -A | tr '+/' '-_' | tr -d '='; }

# b2_run DIR BASE DB_DIR DB_URL AUTH TOKEN: one Tomcat start with kpm.auth=AUTH, its rows.
b2_run() {
  local dir="$1" base="$2" db_dir="$3" db_url="$4" auth="$5" token="$6" port url names suffix=""
  WRK_AUTH=""
  if [[ "$auth" == ekuiper ]]; then
    WRK_AUTH="$token"
    suffix=", eKuiper JWT"
  fi
  port="$(free_port)"
  url="http://127.0.0.1:$port"
  TOMCATS+=("$base")
  say "   kpm.auth=$auth"
  env -u CATALINA_BASE -u CATALINA_HOME -u KPM_HOME DB_URL="$db_url" DB_USER=postgres \
    DB_PASSWORD= KPM_HTTP_PORT="$port" KPM_AUTH="$auth" "$ROOT/tomcat/kpm-tomcat.sh" start "$base" >&2
  local -a curl_auth=()
  [[ -z "$WRK_AUTH" ]] || curl_auth=(-H "Authorization: $WRK_AUTH")
  CURL_AUTH=("${curl_auth[@]}")
  await_200 "$url/plugins/sources" 180 || die "kpm on Tomcat did not answer; see $base/logs"
  if [[ -n "$WRK_AUTH" ]]; then
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "$url/plugins/sources")" == 401 ]] ||
      die "kpm.auth=$auth answers a request without a token"
  fi
  APP_PID="$(<"$base/temp/catalina.pid")"
  DB_PID="$(postmaster_pid "$db_dir/pgdata")"
  [[ "$(count_names "$url/plugins/sources")" == "$N" ]] || die "kpm does not list $N sources"

  # The static files are kpm's own responses, byte for byte: same size, same content type.
  curl -sf "${curl_auth[@]}" "$url/plugins/sources" >"$base/webapps/static/list.json"
  names="$dir/paths.txt"
  tr -d '[]"' <"$base/webapps/static/list.json" | tr ',' '\n' | sed 's|^|/plugins/sources/|' >"$names"
  curl -sf "${curl_auth[@]}" "$url$(head -1 "$names")" >"$base/webapps/static/one.json"
  cmp -s <(curl -sf "$url/static/list.json") "$base/webapps/static/list.json" ||
    die "Tomcat does not serve the static baseline"
  local list_bytes one_bytes
  list_bytes="$(stat -c %s "$base/webapps/static/list.json")"
  one_bytes="$(stat -c %s "$base/webapps/static/one.json")"
  say "   list response $list_bytes bytes, describe response $one_bytes bytes"

  say "   warm-up: ${WARMUP} s of wrk on each URL"
  wrk_run warm-list "$url/plugins/sources" "" "$WARMUP" >/dev/null
  wrk_run warm-describe "$url" "$names" "$WARMUP" >/dev/null
  wrk_run warm-static-list "$url/static/list.json" "" "$WARMUP" >/dev/null
  wrk_run warm-static-one "$url/static/one.json" "" "$WARMUP" >/dev/null
  say "   measuring: ${DURATION} s each, $THREADS threads, $CONNECTIONS connections (load $(load))"
  local list static_list describe static_one
  list="$(wrk_run "list-$auth" "$url/plugins/sources")"
  static_list="$(wrk_run "static-list-$auth" "$url/static/list.json")"
  describe="$(wrk_run "describe-$auth" "$url" "$names")"
  static_one="$(wrk_run "static-one-$auth" "$url/static/one.json")"
  say "   label rps p99_ms errors; CPU ms per request: Tomcat JVM, PostgreSQL"
  printf '%s\n' "$list" "$static_list" "$describe" "$static_one" | sed 's/^/   /' >&2
  "$ROOT/tomcat/kpm-tomcat.sh" stop "$base" >&2
  TOMCATS=()
  WRK_AUTH=""
  CURL_AUTH=()

  local row
  for row in "list|GET /plugins/sources ($list_bytes B$suffix)|$list|$static_list" \
    "describe|GET /plugins/sources/{name} ($one_bytes B, all $N names in turn$suffix)|$describe|$static_one"; do
    IFS='|' read -r _ what kpm static <<<"$row"
    read -r _ rps p99 errors app db <<<"$kpm"
    read -r _ srps sp99 serrors sapp _ <<<"$static"
    ((errors == 0 && serrors == 0)) || die "wrk saw errors: see $OUT/wrk-*.log"
    awk -v what="$what" -v rps="$rps" -v srps="$srps" -v p99="$p99" -v sp99="$sp99" \
      -v app="$app" -v db="$db" -v sapp="$sapp" 'BEGIN {
      r = rps / srps
      printf "B2|%s, requests/s|%.0f|%.0f (static file)|%.2f×|≥ 0.7×|%s\n", what, rps, srps, r, (r >= 0.7 ? "PASS" : "MISS")
      printf "B2|%s, p99|%.2f ms|%.2f ms (static file)|%.2f×|< 5 ms|%s\n", what, p99, sp99, p99 / sp99, (p99 < 5 ? "PASS" : "MISS")
      printf "B2|%s, CPU per request: Tomcat + PostgreSQL|%.3f + %.3f ms|%.3f ms (static file)|%.1f×|—|—\n", what, app, db, sapp, (app + db) / sapp
    }' >>"$RESULTS"
  done
}

# ---------------------------------------------------------------------------------------------- B3
# A launcher home with an initialised, migrated database, the WAR unpacked by Tomcat and no plugin,
# made once per run by a first start: each measured start runs on a copy of it, so each one is a
# restart of a home in the same state, whatever it holds besides.
template() {
  TEMPLATE="$OUT/template"
  [[ -n "${TEMPLATE_READY:-}" ]] && return
  say "== preparing a home: first start (initdb, migrations, WAR unpacked), then stopped"
  rm -rf "$TEMPLATE" "$TEMPLATE.log"
  cold_start "$TEMPLATE" 0
  TEMPLATE_READY=1
}

# cold_start HOME [EXPECTED]: starts the launcher on HOME, sets ELAPSED to the ms from launch to
# the first 200 of GET /plugins/sources and CPU_MS to the CPU time its JVM and PostgreSQL used until
# then, checks that it lists EXPECTED sources (if given) and stops it again; with KEEP=1 it leaves it
# running, its pid in LAUNCHED and its URL in KPM_URL.
cold_start() {
  local home="$1" expected="${2:-}" port started pid
  port="$(free_port)"
  mkdir -p "$home"
  started="$(now_ms)"
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  KPM_HOME="$home" KPM_PORT="$port" java ${JAVA_OPTS:-} -jar "$LAUNCHER" >>"$home.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  await_200 "http://127.0.0.1:$port/plugins/sources" 300 "$pid" ||
    die "the launcher on $home did not answer 200; see $home.log"
  ELAPSED=$(($(now_ms) - started))
  CPU_MS=$(($(tree_cpu_ms "$pid") + $(tree_cpu_ms "$(postmaster_pid "$home/pgdata")")))
  LAUNCHED="$pid"
  KPM_URL="http://127.0.0.1:$port"
  if [[ -n "$expected" && "$(count_names "$KPM_URL/plugins/sources")" != "$expected" ]]; then
    die "the launcher on $home does not list $expected sources"
  fi
  if [[ "${KEEP:-}" != 1 ]]; then
    stop_pid "$pid"
    forget_pid "$pid"
  fi
}

median() { sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

b3() {
  local dir="$OUT/b3" r variant
  template
  rm -rf "$dir"
  mkdir -p "$dir"
  say "== B3: $ROUNDS rounds of cold starts: no plugin, $N to auto-load, $N registered (load $(load))"
  : >"$dir/starts.txt"
  for ((r = 1; r <= ROUNDS; r++)); do
    # The order turns each round, so a load that drifts does not always hit the same variant.
    local order=(empty auto again)
    ((r % 3 == 2)) && order=(auto again empty)
    ((r % 3 == 0)) && order=(auto empty again)
    local -A wall=() cpu=()
    for variant in "${order[@]}"; do
      case "$variant" in
        empty)
          cp -a "$TEMPLATE" "$dir/empty-$r"
          cold_start "$dir/empty-$r" 0
          ;;
        auto)
          cp -a "$TEMPLATE" "$dir/auto-$r"
          make_plugins "$dir/auto-$r/plugins/sources"
          cold_start "$dir/auto-$r" "$N"
          ;;
        again) cold_start "$dir/auto-$r" "$N" ;;
      esac
      wall[$variant]="$ELAPSED"
      cpu[$variant]="$CPU_MS"
    done
    say "   round $r (${order[*]}): no plugin ${wall[empty]} ms (CPU ${cpu[empty]} ms)," \
      "auto-load $N ${wall[auto]} ms (CPU ${cpu[auto]} ms), $N registered ${wall[again]} ms" \
      "(CPU ${cpu[again]} ms); load $(load)"
    echo "${wall[empty]} ${wall[auto]} ${wall[again]} ${cpu[empty]} ${cpu[auto]} ${cpu[again]}" \
      >>"$dir/starts.txt"
    rm -rf "$dir/empty-$r" "$dir/auto-$r"
  done
  local m=() column
  for column in 1 2 3 4 5 6; do
    m+=("$(cut -d' ' -f"$column" "$dir/starts.txt" | median)")
  done
  awk -v e="${m[0]}" -v a="${m[1]}" -v g="${m[2]}" -v ce="${m[3]}" -v ca="${m[4]}" -v cg="${m[5]}" \
    -v n="$N" -v rounds="$ROUNDS" 'BEGIN {
    row("%d .so to auto-load", a, e, ca, ce); row("%d registered", g, e, cg, ce)
  }
  function row(what, x, base, cx, cbase) {
    what = sprintf(what, n)
    printf "B3|cold start to first 200, %s (median of %d)|%.2f s|%.2f s (no plugin)|%.2f× (%+.2f s)|< 5 s extra|%s\n", what, rounds, x / 1000, base / 1000, x / base, (x - base) / 1000, (x - base < 5000 ? "PASS" : "MISS")
    printf "B3|CPU time until then (launcher JVM and PostgreSQL), %s|%.2f s|%.2f s (no plugin)|%.2f× (%+.2f s)|—|—\n", what, cx / 1000, cbase / 1000, cx / cbase, (cx - cbase) / 1000
  }' >>"$RESULTS"
}

# ---------------------------------------------------------------------------------------------- B4
b4() {
  local dir="$OUT/b4" home i name status heap
  template
  rm -rf "$dir"
  mkdir -p "$dir/zips"
  for ((i = 1; i <= PORTABLES; i++)); do
    if awk -v p="/tmp/plugin_probe$i.ipc" '$NF == p { found = 1 } END { exit !found }' /proc/net/unix; then
      die "/tmp/plugin_probe$i.ipc is in use (a kpm test run?); run the benchmark alone"
    fi
  done
  say "== B4: launcher with $N plugins and $PORTABLES portable probes (load $(load))"
  home="$dir/home"
  cp -a "$TEMPLATE" "$home"
  make_plugins "$home/plugins/sources"
  KEEP=1 cold_start "$home" "$N"
  for ((i = 1; i <= PORTABLES; i++)); do
    name="probe$i"
    mkdir -p "$dir/zips/$name/sources"
    cp "$BENCH_PROBE" "$dir/zips/$name/$name"
    printf '{"version":"v1.0.0","language":"go","executable":"%s","sources":["counter"]}\n' \
      "$name" >"$dir/zips/$name/$name.json"
    printf 'default:\n  interval: 1000\n' >"$dir/zips/$name/sources/counter.yaml"
    (cd "$dir/zips/$name" && jar -c -M -f "../$name.zip" "$name.json" "$name" sources/counter.yaml)
    status="$(curl -s -o "$dir/create-$name.txt" -w '%{http_code}' -X POST "$KPM_URL/plugins/portables" \
      -d "{\"name\":\"$name\",\"file\":\"file://$dir/zips/$name.zip\"}")"
    [[ "$status" == 201 ]] || die "installing $name: $status $(cat "$dir/create-$name.txt")"
  done
  local running=0
  for ((i = 1; i <= PORTABLES; i++)); do
    curl -sf "$KPM_URL/plugins/portables/probe$i/status" | grep -q '"status":"running"' &&
      running=$((running + 1))
  done
  ((running == PORTABLES)) || die "only $running of $PORTABLES probes are running"
  [[ "$(count_names "$KPM_URL/plugins/sources")" == "$N" ]] || die "kpm does not list $N sources"
  # Serve the read endpoints for a while first, so whatever they cache is in the heap too.
  tr -d '[]"' < <(curl -sf "$KPM_URL/plugins/sources") | tr ',' '\n' |
    sed 's|^|/plugins/sources/|' >"$dir/paths.txt"
  wrk -t1 -c4 -d3s -s "$ROOT/bench/wrk/paths.lua" "$KPM_URL" -- "$dir/paths.txt" >/dev/null
  wrk -t1 -c4 -d2s "$KPM_URL/plugins/sources" >/dev/null
  curl -sf "$KPM_URL/plugins/portables" >/dev/null
  jcmd "$LAUNCHED" GC.run >/dev/null
  jcmd "$LAUNCHED" GC.run >/dev/null
  jcmd "$LAUNCHED" GC.heap_info >"$dir/heap.txt"
  jcmd "$LAUNCHED" GC.class_histogram >"$dir/histogram.txt"
  heap="$(awk '/ heap / && /used/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K.*/, "", v); print v; exit } }' "$dir/heap.txt")"
  [[ -n "$heap" ]] || die "cannot read the heap from $dir/heap.txt"
  local rss
  rss="$(awk '/^VmRSS/ { print $2 }' "/proc/$LAUNCHED/status")"
  say "   live heap $((heap / 1024)) MiB (after GC.run), JVM RSS $((rss / 1024)) MiB; largest classes" \
    "(target/bench/service/b4/histogram.txt):"
  sed -n '4,8p' "$dir/histogram.txt" | sed 's/^/   /' >&2
  stop_pid "$LAUNCHED"
  forget_pid "$LAUNCHED"
  awk -v h="$heap" -v n="$N" -v p="$PORTABLES" 'BEGIN {
    printf "B4|live heap after a full GC, %d plugins + %d running portables|%.1f MiB|—|—|< 256 MB|%s\n", n, p, h / 1024, (h * 1024 < 256 * 1000 * 1000 ? "PASS" : "MISS")
  }' >>"$RESULTS"
}

# ---------------------------------------------------------------------------------------------- main
selected=("$@")
((${#selected[@]})) || selected=(b2 b3 b4)
for b in "${selected[@]}"; do
  [[ "$b" =~ ^b[234]$ ]] || die "unknown benchmark $b (b2, b3 or b4)"
done
bench_lock || exit 1
mkdir -p "$OUT"
: >"$RESULTS"
build
if [[ " ${selected[*]} " == *" b4 "* ]]; then
  build_probe
fi
LOADS=()
for b in "${selected[@]}"; do
  before="$(load)"
  "$b"
  LOADS+=("${b^^} ${before%% *} → $(load | cut -d' ' -f1)")
done

CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo
echo "machine: $(nproc) cores, ${CPU:-unknown CPU}, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); load average (1 min) $(printf '%s; ' "${LOADS[@]}")"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(java -version 2>&1 | head -1); $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
echo "command: ${KPM_WAR:+KPM_WAR=$KPM_WAR }${KPM_LAUNCHER:+KPM_LAUNCHER=$KPM_LAUNCHER }N=$N DURATION=$DURATION WARMUP=$WARMUP ROUNDS=$ROUNDS PORTABLES=$PORTABLES bench/service.sh ${selected[*]}"
echo
echo "| | figure | kpm | baseline | ratio | target | |"
echo "| --- | --- | ---: | ---: | ---: | --- | --- |"
awk -F'|' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }' "$RESULTS"
