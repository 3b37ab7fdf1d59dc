#!/usr/bin/env bash
# Runs the sample app three times as a chain on loopback: product (8080) -> pricing (8081) -> tax (8082).
# Each hop's GET /api/chain calls the next; the last one works for ?workMs=... in a task. Ctrl-C stops all three.
# Usage: sample-app/chain/run.sh   (from the repository root; builds the jar first if it is missing)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
JAR="$(ls "$ROOT"/sample-app/target/taskgroup-sample-app-*.jar 2>/dev/null | grep -v original | head -1 || true)"
if [ -z "$JAR" ]; then
  (cd "$ROOT" && mvn -B -ntp -q -pl sample-app -am -DskipTests package)
  JAR="$(ls "$ROOT"/sample-app/target/taskgroup-sample-app-*.jar | grep -v original | head -1)"
fi
LOGS="$(mktemp -d)"
PIDS=()
cleanup() { kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; echo "logs: $LOGS"; }
trap cleanup EXIT INT TERM

start() { # name port next-port
  local next=""
  [ -n "$3" ] && next="http://127.0.0.1:$3"
  java -jar "$JAR" --server.port="$2" --server.address=127.0.0.1 --sample.chain.hop="$1" \
    --sample.chain.next="$next" >"$LOGS/$1.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 90); do
    curl -fs -o /dev/null "http://127.0.0.1:$2/actuator/health" && { echo "$1 up on $2"; return 0; }
    sleep 1
  done
  echo "$1 did not start: see $LOGS/$1.log"; exit 1
}

start tax 8082 ""
start pricing 8081 8082
start product 8080 8081
cat <<TXT
Try:
  curl -s 'http://127.0.0.1:8080/api/chain?workMs=300'        # the deadline header shrinks at each hop
  curl -s -m 1 'http://127.0.0.1:8080/api/chain?workMs=60000' # hang up after 1 s: the work at tax stops
  grep -h 'chain ' $LOGS/*.log
TXT
tail -f "$LOGS"/*.log | grep --line-buffered ' chain '
