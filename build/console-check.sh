#!/usr/bin/env bash
# Loads kpm's console in headless Chromium and waits until its plugin list shows one plugin:
#   build/console-check.sh <base URL> <token or ""> <type> <plugin name> <folder for logs>
# Drives chromedriver over its W3C WebDriver HTTP protocol with curl, so a deployment check written
# in bash (payara/check.sh) needs no Java test classpath. Exit 0 and one line on success; on
# failure the page's text and a screenshot are left in the folder.
# Needs Debian's chromium and chromium-driver (.ci/run installs them), curl and base64.
set -euo pipefail

base="${1%/}" token="$2" type="$3" name="$4" out="$5"
mkdir -p "$out"
chrome="${CHROMIUM:-/usr/bin/chromium}"
driver="${CHROMEDRIVER:-/usr/bin/chromedriver}"
[[ -x "$chrome" && -x "$driver" ]] ||
  { echo "FAIL: $chrome or $driver missing (apt-get install chromium chromium-driver)" >&2; exit 1; }

port=$(( 20000 + RANDOM % 20000 ))
profile="$(mktemp -d)"
"$driver" --port="$port" --log-path="$out/chromedriver.log" >/dev/null 2>&1 &
driver_pid=$!
session=""
finish() {
  [[ -n "$session" ]] && curl -s -X DELETE "http://127.0.0.1:$port/session/$session" >/dev/null || true
  kill "$driver_pid" 2>/dev/null || true
  rm -rf "$profile"
}
trap finish EXIT

wd() { # method path [json]
  curl -s --max-time 60 -X "$1" -H 'Content-Type: application/json' \
    ${3:+-d "$3"} "http://127.0.0.1:$port$2"
}
for _ in $(seq 1 100); do
  curl -s "http://127.0.0.1:$port/status" 2>/dev/null | grep -q '"ready": *true' && break
  sleep 0.1
done

# The same flags as the Java browser tests (src/test/java/dev/kpm/testing/Browser.java).
args='"--headless","--no-sandbox","--disable-gpu","--disable-dev-shm-usage","--disable-quic","--no-first-run",'
args+='"--disable-background-networking","--disable-component-update","--disable-sync",'
args+='"--window-size=1280,900","--user-data-dir='"$profile"'"'
created="$(wd POST /session '{"capabilities":{"alwaysMatch":{"browserName":"chrome","goog:chromeOptions":{"binary":"'"$chrome"'","args":['"$args"']}}}}')"
session="$(sed -n 's/.*"sessionId" *: *"\([^"]*\)".*/\1/p' <<<"$created")"
[[ -n "$session" ]] || { echo "FAIL: chromedriver did not start a session: $created" >&2; exit 1; }

script() { # JavaScript returning a string → that string
  local body
  body="$(wd POST "/session/$session/execute/sync" "{\"script\":$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$/"/'),\"args\":[]}")"
  sed -n 's/^{"value" *: *"\(.*\)"}$/\1/p' <<<"$body"
}

wd POST "/session/$session/url" "{\"url\":\"$base/console/\"}" >/dev/null
# Signing in is what the sign-in form does: the credential in this tab's sessionStorage.
if [[ -n "$token" ]]; then
  script "sessionStorage.setItem('kpm.credential', '$token'); return 'ok';" >/dev/null
fi
wd POST "/session/$session/url" "{\"url\":\"$base/console/#plugins/$type\"}" >/dev/null
# Only the hash changed, so the page did not load again: reload it, now with the credential.
wd POST "/session/$session/refresh" '{}' >/dev/null

found=""
for _ in $(seq 1 120); do
  found="$(script "var r = document.querySelector('#plugins tr[data-name=\"$name\"]'); return r ? r.innerText.replace(/\\s+/g, ' ') : '';")"
  [[ -n "$found" ]] && break
  sleep 0.5
done
shot="$(wd GET "/session/$session/screenshot" | sed -n 's/^{"value" *: *"\(.*\)"}$/\1/p')"
[[ -n "$shot" ]] && base64 -d <<<"$shot" >"$out/console.png" 2>/dev/null || true
if [[ -z "$found" ]]; then
  script "return document.body.innerText.replace(/\\s+/g, ' ');" >"$out/console.txt"
  echo "FAIL: the console at $base/console/ did not list $type plugin $name within 60 s;" \
    "the page said: $(head -c 600 "$out/console.txt") (screenshot $out/console.png)" >&2
  exit 1
fi
echo "console: $base/console/ lists $type plugin $name: $found"
