#!/usr/bin/env bash
# Browser test of the live view page: installs Debian's chromium and playwright-core if missing, starts the
# sample app (jar) on loopback, runs live-view.mjs, stops the app. The screenshot goes to
# sample-app/docs/live-view.png (used by docs/sample-app.md). Usage: sample-app/browser/run.sh
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
MODULE="$(cd "$HERE/.." && pwd)"
ROOT="$(cd "$MODULE/.." && pwd)"
APP_PORT="${APP_PORT:-18081}"
JAR="$MODULE/target/taskgroup-sample-app.jar"
SHOT="${SCREENSHOT:-$MODULE/docs/live-view.png}"
START=$(date +%s)

if [ ! -x /usr/bin/chromium ]; then
  echo "== Installing Debian's chromium package"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null
fi
if [ ! -d "$HERE/node_modules/playwright-core" ]; then
  echo "== Installing playwright-core"
  (cd "$HERE" && npm install --no-audit --no-fund --loglevel=error)
fi
if [ ! -f "$JAR" ]; then
  echo "== Building the sample app"
  (cd "$ROOT" && mvn -B -ntp -q -pl sample-app -am -DskipTests package)
fi

LOG="$(mktemp)"
APP_PID=""
cleanup() {
  status=$?
  [ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null && wait "$APP_PID" 2>/dev/null || true
  [ "$status" -ne 0 ] && { echo "---- app log (tail) ----"; tail -30 "$LOG"; }
  rm -f "$LOG"
  echo "browser: finished in $(( $(date +%s) - START )) s"
}
trap cleanup EXIT

java -jar "$JAR" --server.port="$APP_PORT" --server.address=127.0.0.1 >"$LOG" 2>&1 &
APP_PID=$!
for _ in $(seq 1 90); do curl -fs -o /dev/null "http://127.0.0.1:$APP_PORT/actuator/health" && break; sleep 1; done

mkdir -p "$(dirname "$SHOT")"
node "$HERE/live-view.mjs" "http://127.0.0.1:$APP_PORT" "$SHOT"
