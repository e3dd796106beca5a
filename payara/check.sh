#!/usr/bin/env bash
# Checks that kpm.war runs on Payara Micro 7 (Jakarta EE 11): deploys it as the root application
# against a real PostgreSQL with eKuiper's JWT scheme on (KPM_AUTH=ekuiper), expects eKuiper's
# answers over HTTP, stops everything, and prints one PASS or FAIL line (exit status 0 or 1).
#
# Tokens: openssl makes an RSA key pair, the public key goes to eKuiper's key folder
# (<kpm home>/etc/mgmt/<issuer>) and the tokens are RS256 JWTs signed by openssl, sent bare in
# Authorization as eKuiper's clients do: made by other code than the nimbus-jose-jwt kpm verifies
# them with.
#
# Which nimbus-jose-jwt: Payara Micro carries its own (MICRO-INF/runtime/nimbus-jose-jwt.jar, 10.5
# in 7.2025.1, for MicroProfile JWT) and by default a web application gets the server's copy of a
# library before its own. kpm therefore carries nimbus relocated into its own namespace
# (dev.kpm.shaded.com.nimbusds, WEB-INF/lib/kpm-nimbus-<version>.jar, built by build/nimbus/pom.xml),
# which no server copy can shadow. The JVM's class-loading log (-Xlog:class+load=debug) names, for
# every class it defines, the file it came from and the class loader that defined it. The check
# finds kpm's class loader (the one that defined dev.kpm.security.EkuiperJwt) and requires that this
# same loader defined the relocated nimbus classes every eKuiper token goes through, from the WAR's
# WEB-INF/lib/kpm-nimbus-*.jar: had any other copy been used (a server's, or one on a parent loader),
# kpm's loader would have defined none of them from there. Other loaders (Payara's own MicroProfile
# JWT) may load Payara's com.nimbusds for themselves.
#
# Before the relocation kpm imported com.nimbusds and was handed Payara's 10.5. The descriptors
# that would have changed that were tried on 7.2025.1 and break kpm, so the WAR has none:
# <class-loader delegate="false"/> in WEB-INF/glassfish-web.xml makes every WEB-INF/lib jar win,
# and kpm then fails to deploy where its libraries meet Payara's (Hibernate's Jackson XML probe
# finds Payara's jackson-dataformat-xml beside the WAR's jackson-databind: VerifyError; Jersey's
# service lookup finds Payara's Hk2InjectionManagerFactory: ClassCastException). Payara's
# <whitelist-package> hides every META-INF/services file of a non-whitelisted name, the WAR's own
# included, so Flyway finds none of its plugins and kpm fails to start.
#
#   payara/check.sh [path/to/kpm.war]
#
# PostgreSQL: the one DB_URL (DB_USER, DB_PASSWORD) points at, else an embedded one started with
# the kpm launcher's --db-only mode (target/kpm-launcher/kpm-launcher.jar; build with mvn package).
#
# Environment:
#   KPM_WAR           the WAR, default ../target/kpm.war next to this script
#   PAYARA_JAVA       java executable or JDK folder for Payara (Java 21 or later); else JAVA_HOME,
#                     then java on PATH, then the newest JDK in /usr/lib/jvm, if Java 21 or later
#   PAYARA_TIMEOUT    seconds to wait for kpm to answer, default 180
#   KPM_PAYARA_CACHE  where the Payara Micro jar is kept, default ${XDG_CACHE_HOME:-~/.cache}/kpm-payara
#   KPM_PAYARA_WORK   logs and state of the run, default ../target/payara-check (emptied first)
#   MVN               the Maven command, default mvn
#
# Needs bash, coreutils, curl, openssl, Maven, Java 17+ (launcher) and Java 21+ (Payara Micro 7).
set -uo pipefail

readonly PAYARA_VERSION=7.2025.1
readonly PAYARA_ARTIFACT="fish.payara.extras:payara-micro:${PAYARA_VERSION}"
readonly DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
readonly MISSING_TOKEN_BODY='{"error":1000,"message":"missing_token"}'
# The token issuer, and so the key file's name in etc/mgmt (eKuiper's convention).
readonly ISSUER=kpm-payara-check.pub
# Classes kpm's eKuiper scheme runs through for every verified token (dev.kpm.security.EkuiperJwt).
# Relocated nimbus-jose-jwt (see above).
readonly NIMBUS_CLASSES=(dev.kpm.shaded.com.nimbusds.jwt.SignedJWT dev.kpm.shaded.com.nimbusds.jose.crypto.RSASSAVerifier)
# Micrometer and the Prometheus client (GET /metrics): Payara Micro carries neither, so the WAR's
# copies must be the ones kpm's class loader defines (a copy on a parent-first loader would win).
readonly METRICS_CLASSES=(io.micrometer.prometheusmetrics.PrometheusMeterRegistry:micrometer-registry-prometheus io.micrometer.core.instrument.MeterRegistry:micrometer-core io.prometheus.metrics.model.registry.PrometheusRegistry:prometheus-metrics-model)
readonly INVALID_ID_BODY='{"error":1000,"message":"id '"'"'a.b'"'"' contains invalid characters: only alphanumeric, hyphens and underscores are allowed"}'

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly here
work="$(realpath -m "${KPM_PAYARA_WORK:-$here/../target/payara-check}")"
readonly work
started_at=$SECONDS
payara_pid=""
db_pid=""
payara_java=""
payara_jar=""
port=""
token=""

log() {
  echo "payara/check.sh: $*" >&2
}

fail() {
  log "$*"
  for file in "$work/payara.log" "$work/db.log"; do
    if [[ -s "$file" ]]; then
      echo "----- last lines of $file" >&2
      tail -n 40 "$file" >&2
    fi
  done
  echo "FAIL: kpm on Payara Micro $PAYARA_VERSION: $* (logs in $work)"
  exit 1
}

# Sends SIGTERM to pid $1 and waits up to $2 seconds, then SIGKILL.
stop_process() {
  local pid="$1" seconds="$2" waited=0
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  while kill -0 "$pid" 2>/dev/null && ((waited < seconds * 10)); do
    sleep 0.1
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid ignored SIGTERM for ${seconds}s; killing it"
    kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  return 0
}

cleanup() {
  stop_process "$payara_pid" 60
  stop_process "$db_pid" 30
  # If the launcher had to be killed, its PostgreSQL is still running: stop it by its pid file.
  local postmaster="$work/pg-home/pgdata/postmaster.pid"
  if [[ -s "$postmaster" ]]; then
    stop_process "$(head -n 1 "$postmaster")" 30
  fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

java_version() {
  "$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}

# Sets payara_java to a java executable of version 21 or later, following PAYARA_JAVA, JAVA_HOME,
# PATH and /usr/lib/jvm (Debian's JDK folder) in that order.
find_payara_java() {
  local candidates=() candidate version
  if [[ -n "${PAYARA_JAVA:-}" ]]; then
    candidate="$PAYARA_JAVA"
    [[ -d "$candidate" ]] && candidate="$candidate/bin/java"
    version="$(java_version "$candidate")"
    ((${version:-0} >= 21)) || fail "PAYARA_JAVA=$PAYARA_JAVA is not Java 21 or later"
    payara_java="$candidate"
    return
  fi
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null && candidates+=("$(command -v java)")
  for candidate in /usr/lib/jvm/*/bin/java; do
    [[ -x "$candidate" ]] && candidates+=("$candidate")
  done
  local best="" best_version=0
  for candidate in "${candidates[@]}"; do
    version="$(java_version "$candidate")"
    if ((${version:-0} >= 21 && ${version:-0} > best_version)); then
      best="$candidate"
      best_version="$version"
      # An explicit JAVA_HOME or PATH choice wins over the folder scan.
      [[ "$candidate" == /usr/lib/jvm/* ]] || break
    fi
  done
  [[ -n "$best" ]] ||
    fail "no Java 21 or later found (Payara Micro $PAYARA_VERSION needs it): set PAYARA_JAVA"
  payara_java="$best"
}

# Sets payara_jar, fetching it with Maven unless it is in the cache already.
fetch_payara() {
  local cache output
  cache="$(realpath -m "${KPM_PAYARA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kpm-payara}")"
  payara_jar="$cache/payara-micro-$PAYARA_VERSION.jar"
  if [[ ! -f "$payara_jar" ]]; then
    mkdir -p "$cache"
    log "fetching $PAYARA_ARTIFACT (about 100 MB)"
    # Outside any project, so only the pinned plugin and the artifact are resolved.
    output="$(cd "$cache" && ${MVN:-mvn} -B -q -Dstyle.color=never \
      "${DEPENDENCY_PLUGIN}:copy" -Dartifact="$PAYARA_ARTIFACT" -DoutputDirectory="$cache" 2>&1)" ||
      {
        printf '%s\n' "$output" >&2
        fail "Maven could not fetch $PAYARA_ARTIFACT"
      }
  fi
}

# Starts the embedded PostgreSQL of the kpm launcher; sets DB_URL, DB_USER, DB_PASSWORD.
start_database() {
  local launcher="$here/../target/kpm-launcher/kpm-launcher.jar" java_cmd=java deadline
  [[ -f "$launcher" ]] || fail "no launcher at $launcher: build it with 'mvn package'"
  [[ -n "${JAVA_HOME:-}" ]] && java_cmd="$JAVA_HOME/bin/java"
  KPM_HOME="$work/pg-home" "$java_cmd" -jar "$launcher" --db-only \
    >"$work/db.url" 2>"$work/db.log" &
  db_pid=$!
  deadline=$((SECONDS + 90))
  until [[ -s "$work/db.url" ]]; do
    kill -0 "$db_pid" 2>/dev/null || fail "the embedded PostgreSQL did not start"
    ((SECONDS < deadline)) || fail "the embedded PostgreSQL did not start within 90s"
    sleep 0.2
  done
  DB_URL="$(head -n 1 "$work/db.url")"
  DB_USER=postgres
  DB_PASSWORD=""
}

# Sets port to a TCP port nobody listens on (bash's /dev/tcp; a small race is fine for a check).
find_free_port() {
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return
    fi
  done
  fail "found no free TCP port"
}

# GET http://127.0.0.1:$1$2 into file $3 (its headers into $3.headers), with the Authorization
# header $4 unless it is empty; prints the HTTP status (000 when there was no answer).
http_get() {
  local auth=()
  [[ -n "${4:-}" ]] && auth=(-H "Authorization: $4")
  curl -s --max-time 10 -D "$3.headers" -o "$3" -w '%{http_code}' "${auth[@]}" \
    "http://127.0.0.1:$1$2" || true
}

# Base64url without padding (RFC 7515) of standard input.
base64url() {
  openssl base64 -A | tr '+/' '-_' | tr -d '='
}

# Makes the RSA key pair: the private key in $work, the public key (PEM) in kpm's key folder.
make_keys() {
  local keys="$work/kpm-home/etc/mgmt"
  mkdir -p "$keys"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/signer.pem" \
    2>"$work/openssl.log" &&
    openssl pkey -in "$work/signer.pem" -pubout -out "$keys/$ISSUER" 2>>"$work/openssl.log" ||
    fail "openssl could not make an RSA key pair: $(<"$work/openssl.log")"
}

# Prints an RS256 JWT of issuer $ISSUER for audience $1 (a JSON array), valid for an hour.
make_token() {
  local now header payload signature
  now="$(date +%s)"
  header="$(printf '%s' '{"alg":"RS256","typ":"JWT"}' | base64url)"
  payload="$(printf '{"iss":"%s","sub":"payara-check","aud":%s,"iat":%d,"exp":%d}' \
    "$ISSUER" "$1" "$now" "$((now + 3600))" | base64url)"
  signature="$(printf '%s.%s' "$header" "$payload" |
    openssl dgst -sha256 -sign "$work/signer.pem" -binary | base64url)"
  [[ -n "$signature" ]] || fail "openssl could not sign a token"
  printf '%s.%s.%s\n' "$header" "$payload" "$signature"
}

# Prints "<class> <defining loader> <source>" for every class definition in the JVM's class+load
# log $1 (decorated with the thread id only): the info line "[tid] <class> source: <source>" is
# followed, on the same thread, by the debug line "[tid]  klass: … loader: [loader data: <id> …".
class_definitions() {
  awk '
    /^\[[0-9]+\] [^ ]+ source: / {
      c[$1] = $2
      s[$1] = $0
      sub(/^[^ ]+ [^ ]+ source: /, "", s[$1])
      next
    }
    /^\[[0-9]+\]  klass: .* loader: \[loader data: / && ($1 in c) {
      l = $0
      sub(/.* loader: \[loader data: /, "", l)
      sub(/ .*/, "", l)
      print c[$1], l, s[$1]
      delete c[$1]
    }' "$1"
}

# Fails unless kpm's class loader defined the NIMBUS_CLASSES itself, from the WAR's
# WEB-INF/lib/kpm-nimbus-*.jar (relocated nimbus-jose-jwt); sets nimbus_source to that jar's name.
check_nimbus_source() {
  local defs kpm_loaders class source elsewhere
  defs="$(class_definitions "$work/class-load.log")"
  kpm_loaders="$(awk '$1 == "dev.kpm.security.EkuiperJwt" { print $2 }' <<<"$defs" | sort -u)"
  [[ -n "$kpm_loaders" ]] ||
    fail "the JVM's class-loading log ($work/class-load.log) shows no dev.kpm.security.EkuiperJwt"
  for class in "${NIMBUS_CLASSES[@]}"; do
    source="$(awk -v c="$class" -v loaders=" $(tr '\n' ' ' <<<"$kpm_loaders")" '
      $1 == c && index(loaders, " " $2 " ") { $1 = ""; $2 = ""; sub(/^ +/, ""); print }' \
      <<<"$defs" | sort -u)"
    if [[ -z "$source" || "$source" != */WEB-INF/lib/kpm-nimbus-*.jar ]]; then
      elsewhere="$(awk -v c="$class" '$1 == c { $1 = ""; $2 = ""; sub(/^ +/, ""); print }' \
        <<<"$defs" | sort -u | tr '\n' ' ')"
      fail "kpm's class loader did not load $class from the WAR's" \
        "WEB-INF/lib/kpm-nimbus (kpm's own loader: ${source:-none}; the JVM loaded it from:" \
        "${elsewhere:-nowhere}). Every eKuiper token check passed, but not on the relocated" \
        "nimbus-jose-jwt kpm is built and tested with"
    fi
  done
  nimbus_source="${source##*/}"
}

# Fails unless kpm's class loader defined each of METRICS_CLASSES (class:jar-name-prefix) from the
# WAR's WEB-INF/lib/<prefix>-*.jar.
check_metrics_source() {
  local defs kpm_loaders entry class jar source
  defs="$(class_definitions "$work/class-load.log")"
  kpm_loaders="$(awk '$1 == "dev.kpm.security.EkuiperJwt" { print $2 }' <<<"$defs" | sort -u)"
  for entry in "${METRICS_CLASSES[@]}"; do
    class="${entry%%:*}"
    jar="${entry#*:}"
    source="$(awk -v c="$class" -v loaders=" $(tr '\n' ' ' <<<"$kpm_loaders")" '
      $1 == c && index(loaders, " " $2 " ") { $1 = ""; $2 = ""; sub(/^ +/, ""); print }' \
      <<<"$defs" | sort -u)"
    [[ -n "$source" && "$source" == */WEB-INF/lib/"$jar"-*.jar ]] ||
      fail "kpm's class loader did not load $class from the WAR's WEB-INF/lib/$jar-*.jar" \
        "(it loaded it from: ${source:-nowhere})"
  done
}

main() {
  command -v curl >/dev/null || fail "curl is missing (apt-get install curl)"
  command -v openssl >/dev/null || fail "openssl is missing (apt-get install openssl)"
  local war deadline status ready_after nimbus_source
  # First, so that a failure never shows the logs of an earlier run.
  rm -rf "$work"
  mkdir -p "$work"
  war="$(realpath -m "${1:-${KPM_WAR:-$here/../target/kpm.war}}")"
  [[ -f "$war" ]] || fail "no WAR at $war: build it with 'mvn package', or pass its path"
  find_payara_java
  fetch_payara

  if [[ -n "${DB_URL:-}" ]]; then
    DB_USER="${DB_USER:-postgres}"
    DB_PASSWORD="${DB_PASSWORD:-}"
  else
    start_database
  fi
  find_free_port
  make_keys
  token="$(make_token '["eKuiper"]')"
  log "Payara Micro $PAYARA_VERSION on $("$payara_java" -version 2>&1 | head -n 1), port $port, $DB_URL"

  local payara_started=$SECONDS
  # The password goes through the environment (kpm reads DB_PASSWORD), not the command line;
  # KPM_AUTH too, as an administrator would set it (kpm reads every setting's variable itself).
  DB_PASSWORD="$DB_PASSWORD" KPM_AUTH=ekuiper "$payara_java" \
    -Xlog:class+load=debug:file="$work/class-load.log":tid \
    -Dkpm.db.url="$DB_URL" -Dkpm.db.user="$DB_USER" -Dkpm.home="$work/kpm-home" \
    -jar "$payara_jar" --nocluster --disablephonehome --rootdir "$work/payara-root" \
    --port "$port" --deploy "$war" --contextroot / \
    >"$work/payara.log" 2>&1 &
  payara_pid=$!

  deadline=$((SECONDS + ${PAYARA_TIMEOUT:-180}))
  while :; do
    status="$(http_get "$port" /plugins/sources "$work/list.body" "$token")"
    [[ "$status" == 200 ]] && break
    kill -0 "$payara_pid" 2>/dev/null || fail "Payara Micro exited before kpm answered"
    # Payara logs this once deployment is over: from then on anything but 200 is final.
    if grep -q "Payara Micro $PAYARA_VERSION .* ready in" "$work/payara.log"; then
      status="$(http_get "$port" /plugins/sources "$work/list.body" "$token")"
      [[ "$status" == 200 ]] && break
      fail "Payara Micro is up but GET /plugins/sources answered $status: kpm did not deploy"
    fi
    ((SECONDS < deadline)) ||
      fail "no 200 from GET /plugins/sources within ${PAYARA_TIMEOUT:-180}s (last status $status)"
    sleep 0.5
  done
  ready_after=$((SECONDS - payara_started))

  [[ "$(<"$work/list.body")" == "[]" ]] ||
    fail "GET /plugins/sources answered '$(<"$work/list.body")', expected '[]'"
  status="$(http_get "$port" /plugins/sources/a.b "$work/invalid.body" "Bearer $token")"
  [[ "$status" == 400 ]] || fail "GET /plugins/sources/a.b answered $status, expected 400"
  printf '%s\n' "$INVALID_ID_BODY" >"$work/invalid.expected"
  cmp -s "$work/invalid.body" "$work/invalid.expected" ||
    fail "GET /plugins/sources/a.b answered '$(<"$work/invalid.body")', expected '$INVALID_ID_BODY'"

  # Without a token: eKuiper's refusal, before kpm's resources see the request.
  status="$(http_get "$port" /plugins/sources "$work/anonymous.body")"
  [[ "$status" == 401 ]] || fail "GET /plugins/sources without a token answered $status, expected 401"
  printf '%s\n' "$MISSING_TOKEN_BODY" >"$work/anonymous.expected"
  cmp -s "$work/anonymous.body" "$work/anonymous.expected" ||
    fail "GET /plugins/sources without a token answered '$(<"$work/anonymous.body")'," \
      "expected '$MISSING_TOKEN_BODY'"
  grep -qiF $'WWW-Authenticate: Bearer realm="kpm"\r' "$work/anonymous.body.headers" ||
    fail "the 401 without a token has no 'WWW-Authenticate: Bearer realm=\"kpm\"' header"
  # A token signed right but for another audience: verified by nimbus, refused by kpm's rules.
  status="$(http_get "$port" /plugins/sources "$work/audience.body" "$(make_token '["kpm"]')")"
  [[ "$status" == 401 ]] ||
    fail "GET /plugins/sources with a token for audience kpm answered $status, expected 401"
  grep -qF '"message":"audience field should contain eKuiper' "$work/audience.body" ||
    fail "the token for audience kpm was refused with '$(<"$work/audience.body")'"
  status="$(http_get "$port" /ping "$work/ping.body")"
  [[ "$status" == 200 ]] || fail "GET /ping without a token answered $status, expected 200"

  # A refused change leaves its audit event, with the JWT's subject and the error it answered:
  # the audit record travels from the gate through Payara's Jersey to the resource and back.
  status="$(curl -s --max-time 10 -o "$work/create.body" -w '%{http_code}' \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"name":"payaracheck","file":"ftp://h/x.zip"}' \
    "http://127.0.0.1:$port/plugins/sources" || true)"
  [[ "$status" == 400 ]] || fail "POST /plugins/sources with an ftp URL answered $status, expected 400"
  status="$(http_get "$port" '/audit?name=payaracheck' "$work/audit.body" "Bearer $token")"
  [[ "$status" == 200 ]] || fail "GET /audit answered $status, expected 200"
  grep -qF '"subject":"payara-check","method":"ekuiper"' "$work/audit.body" &&
    grep -qF '"action":"plugin.create","type":"sources","name":"payaracheck"' "$work/audit.body" &&
    grep -qF '"outcome":"failed","status":400,"error":"sources plugins create command error: invalid uri ftp://h/x.zip"' \
      "$work/audit.body" ||
    fail "GET /audit did not show the refused create as expected: $(<"$work/audit.body")"
  status="$(http_get "$port" /audit/verify "$work/verify.body" "Bearer $token")"
  grep -qF '"ok":true' "$work/verify.body" ||
    fail "GET /audit/verify answered $status '$(<"$work/verify.body")', expected ok"

  # The same change as a job (Prefer: respond-async): 202 with its Location, then the job ends
  # with what the synchronous call answered.
  status="$(curl -s --max-time 10 -D "$work/async.headers" -o "$work/async.body" -w '%{http_code}' \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -H 'Prefer: respond-async' -d '{"name":"payarajob","file":"ftp://h/x.zip"}' \
    "http://127.0.0.1:$port/plugins/sources" || true)"
  [[ "$status" == 202 ]] || fail "POST /plugins/sources with Prefer: respond-async answered $status, expected 202"
  local job
  job="$(sed -n 's/^[Ll]ocation: .*\/jobs\/\([0-9]*\).*/\1/p' "$work/async.headers")"
  [[ -n "$job" ]] || fail "the 202 has no Location: /jobs/{id}: $(<"$work/async.headers")"
  local until=$((SECONDS + 30))
  while :; do
    http_get "$port" "/jobs/$job" "$work/job.body" "Bearer $token" >/dev/null
    grep -qF '"state":"failed"' "$work/job.body" && break
    ((SECONDS < until)) || fail "job $job did not end within 30s: $(<"$work/job.body")"
    sleep 0.2
  done
  grep -qF '"status":400,"text":"sources plugins create command error: invalid uri ftp://h/x.zip"' \
    "$work/job.body" || fail "job $job ended as $(<"$work/job.body")"
  # The event stream is served (Server-Sent Events need async support through Payara's Jersey):
  # it opens with a comment and holds the job's end.
  curl -sN --max-time 3 -H "Authorization: Bearer $token" -H 'Last-Event-ID: 0' \
    -o "$work/events.body" "http://127.0.0.1:$port/events" || true
  grep -q '^: kpm events' "$work/events.body" && grep -q '"job":'"$job" "$work/events.body" ||
    fail "GET /events did not stream the job's events: $(head -c 2000 "$work/events.body")"
  status="$(http_get "$port" /openapi.json "$work/openapi.body" "")"
  [[ "$status" == 200 ]] && grep -qF '"openapi":"3.1.0"' "$work/openapi.body" ||
    fail "GET /openapi.json answered $status, expected kpm's OpenAPI 3.1 document"
  # Probes and metrics: /ready is public, /metrics needs a token and shows the refused creates.
  status="$(http_get "$port" /ready "$work/ready.body")"
  [[ "$status" == 200 ]] || fail "GET /ready without a token answered $status, expected 200"
  status="$(http_get "$port" /metrics "$work/metrics-anonymous.body")"
  [[ "$status" == 401 ]] || fail "GET /metrics without a token answered $status, expected 401"
  status="$(http_get "$port" /metrics "$work/metrics.body" "Bearer $token")"
  [[ "$status" == 200 ]] || fail "GET /metrics answered $status, expected 200"
  grep -qF 'kpm_installs_seconds_count{action="plugin.create",outcome="failed",type="sources"} ' \
    "$work/metrics.body" && grep -qF 'kpm_db_pool_max_connections ' "$work/metrics.body" &&
    grep -q '^jvm_memory_used_bytes{' "$work/metrics.body" ||
    fail "GET /metrics lacks the refused create, the pool or the JVM meters (see $work/metrics.body)"

  # The console: kpm's own servlet serves its files here too, under the strict policy, and in
  # Chromium it signs in with the JWT and lists a plugin installed through the API.
  status="$(http_get "$port" /console/ "$work/console.body" "")"
  [[ "$status" == 200 ]] && grep -qi "^Content-Security-Policy: default-src 'self'" \
    "$work/console.body.headers" ||
    fail "GET /console/ answered $status without kpm's Content-Security-Policy (see $work/console.body.headers)"
  mkdir -p "$work/consolecheck"
  printf 'so' >"$work/consolecheck/Consolecheck.so"
  "$(dirname "$payara_java")/jar" --create --file "$work/consolecheck.zip" --no-manifest \
    -C "$work/consolecheck" Consolecheck.so
  status="$(curl -s --max-time 30 -o "$work/consolecheck.body" -w '%{http_code}' \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"name":"consolecheck","file":"file://'"$work"'/consolecheck.zip"}' \
    "http://127.0.0.1:$port/plugins/sinks" || true)"
  [[ "$status" == 201 ]] ||
    fail "POST /plugins/sinks answered $status '$(<"$work/consolecheck.body")', expected 201"
  "$here/../build/console-check.sh" "http://127.0.0.1:$port" "$token" sinks consolecheck \
    "$work/console" || fail "the console did not list the plugin (see $work/console)"

  local stop_started=$SECONDS
  cleanup
  payara_pid=""
  db_pid=""
  # Once the JVM has exited, its class-loading log is complete.
  check_nimbus_source
  check_metrics_source
  echo "PASS: kpm on Payara Micro $PAYARA_VERSION (ekuiper auth, the WAR's $nimbus_source):" \
    "first 200 after ${ready_after}s," \
    "stopped in $((SECONDS - stop_started))s, $((SECONDS - started_at))s in all (logs in $work)"
}

main "$@"
