#!/usr/bin/env bash
# End-to-end check of the sample app with a real Prometheus (Debian's package), on loopback only:
# starts the app (jar) and Prometheus scraping it every second, drives traffic (successes, failures, a timeout,
# lenient pages and requests that the client aborts with curl --max-time 1), then checks through Prometheus'
# HTTP API the task counters, that the task group meters come in one family per concept (the metrics listener's,
# none derived from the observations), and that every query of the Grafana dashboard returns data.
# Stops everything it started. Usage: sample-app/e2e/run.sh   (from anywhere; builds the jar if missing)
set -euo pipefail
MODULE="$(cd "$(dirname "$0")/.." && pwd)"
ROOT="$(cd "$MODULE/.." && pwd)"
APP_PORT="${APP_PORT:-18080}"
PROM_PORT="${PROM_PORT:-19090}"
JAR="$MODULE/target/taskgroup-sample-app.jar"
DASHBOARD="$MODULE/grafana/taskgroup-dashboard.json"
START=$(date +%s)

if ! command -v prometheus >/dev/null 2>&1; then
  echo "== Installing Debian's prometheus package"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus >/dev/null
fi
command -v python3 >/dev/null 2>&1 || { echo "python3 is needed to read JSON"; exit 1; }
if [ ! -f "$JAR" ]; then
  echo "== Building the sample app"
  (cd "$ROOT" && mvn -B -ntp -q -pl sample-app -am -DskipTests package)
fi

WORK="$(mktemp -d)"
APP_PID=""
PROM_PID=""
cleanup() {
  status=$?
  [ -n "$PROM_PID" ] && kill "$PROM_PID" 2>/dev/null && wait "$PROM_PID" 2>/dev/null || true
  [ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null && wait "$APP_PID" 2>/dev/null || true
  if [ "$status" -ne 0 ]; then
    echo "---- app log (tail) ----"; tail -40 "$WORK/app.log" 2>/dev/null || true
    echo "---- prometheus log (tail) ----"; tail -20 "$WORK/prometheus.log" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  echo "e2e: finished in $(( $(date +%s) - START )) s"
}
trap cleanup EXIT

wait_for() { # url, seconds
  for _ in $(seq 1 "$2"); do
    curl -fs -o /dev/null "$1" && return 0
    sleep 1
  done
  echo "not up: $1"; return 1
}

echo "== Starting the sample app on 127.0.0.1:$APP_PORT"
# The bulkhead "downstream" (50 calls at once) without its queue, so that a short burst shows refused forks (429).
java -jar "$JAR" --server.port="$APP_PORT" --server.address=127.0.0.1 \
  --taskgroup.limits.downstream.max-queued=0 >"$WORK/app.log" 2>&1 &
APP_PID=$!
wait_for "http://127.0.0.1:$APP_PORT/actuator/health" 90

echo "== Starting Prometheus on 127.0.0.1:$PROM_PORT, scraping every second"
cat >"$WORK/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: taskgroup-sample
    metrics_path: /actuator/prometheus
    static_configs:
      - targets: ['127.0.0.1:$APP_PORT']
YAML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/data" \
  --web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/prometheus.log" 2>&1 &
PROM_PID=$!
wait_for "http://127.0.0.1:$PROM_PORT/-/ready" 60

A="http://127.0.0.1:$APP_PORT"
expect_status() { # expected, url
  code=$(curl -s -o /dev/null -w '%{http_code}' "$2")
  [ "$code" = "$1" ] || { echo "FAIL: $2 answered $code, expected $1"; exit 1; }
}
echo "== Driving traffic"
OK=10; FAILED=3; LENIENT=2; TIMEOUTS=1; ABORTED=3
for i in $(seq 1 $OK); do expect_status 200 "$A/api/products/$i"; done
for i in $(seq 1 $FAILED); do expect_status 502 "$A/api/products/f$i?fail=stock"; done
for i in $(seq 1 $LENIENT); do expect_status 200 "$A/api/products/l$i/lenient?fail=reviews"; done
for i in $(seq 1 $TIMEOUTS); do expect_status 504 "$A/api/products/t$i?latencyMs=5000"; done
for i in $(seq 1 $ABORTED); do
  rc=0; curl -s -o /dev/null --max-time 1 "$A/api/products/slow$i?latencyMs=5000" || rc=$?
  [ "$rc" = 28 ] || { echo "FAIL: the aborted request ended with curl exit $rc, expected 28 (timeout)"; exit 1; }
done
SPAWNED=$(( 3 * (OK + FAILED + LENIENT + TIMEOUTS + ABORTED) ))
ABORTED_TASKS=$(( 3 * ABORTED ))

query() { # promql -> JSON result array
  curl -fs --get --data-urlencode "query=$1" "http://127.0.0.1:$PROM_PORT/api/v1/query" \
    | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["data"]["result"]))'
}
scalar() { # promql -> first value, or "none"
  query "$1" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r[0]["value"][1] if r else "none")'
}

PASSED=0; FAILURES=0
check_value() { # name, promql, expected (integer)
  local value=""
  for _ in $(seq 1 20); do   # until Prometheus scraped the final values
    value=$(scalar "$2")
    [ "$value" != "none" ] && [ "$(printf '%.0f' "$value")" = "$3" ] && break
    sleep 1
  done
  if [ "$value" != "none" ] && [ "$(printf '%.0f' "$value")" = "$3" ]; then
    echo "ok   $1: $2 = $value"; PASSED=$((PASSED + 1))
  else
    echo "FAIL $1: $2 = $value, expected $3"; FAILURES=$((FAILURES + 1))
  fi
}

echo "== Checking the counters through Prometheus"
check_value "tasks spawned" 'sum(taskgroup_tasks_spawned_tasks_total)' "$SPAWNED"
check_value "tasks cancelled because the client hung up" \
  'sum(taskgroup_tasks_cancelled_tasks_total{reason="request-aborted"})' "$ABORTED_TASKS"

echo "== A burst past the bulkhead: 40 requests at once, 3 calls of about 1 s each, 50 permits and no queue"
seq 1 40 | xargs -P 40 -I{} curl -s -o /dev/null -w '%{http_code}\n' "$A/api/products/burst{}?latencyMs=1000" \
  >"$WORK/burst.txt"
REFUSED=$(grep -c '^429$' "$WORK/burst.txt" || true)
# The others answer 200 (or 504 if a slow machine pushed one past its 2 s timeout).
if [ "$REFUSED" -gt 0 ] && [ "$(grep -cvE '^(200|429|504)$' "$WORK/burst.txt" || true)" = 0 ]; then
  echo "ok   burst: $REFUSED of 40 answered 429, the others: $(grep -vx 429 "$WORK/burst.txt" | sort | uniq -c | awk '{printf "%s x %s ", $1, $2}')"
  PASSED=$((PASSED + 1))
else
  echo "FAIL burst: expected some 429 and otherwise 200, got $(sort "$WORK/burst.txt" | uniq -c | tr '\n' ' ')"
  FAILURES=$((FAILURES + 1))
fi
# A refused fork ends its request: one refused fork per 429.
check_value "forks refused by the full bulkhead" \
  'sum(taskgroup_tasks_rejected_tasks_total{reason="limit-full"})' "$REFUSED"

echo "== Checking the meter families: one per concept"
# Every series name starting with taskgroup_, as Prometheus stored them.
FAMILIES=$(query 'count by (__name__) ({__name__=~"taskgroup_.*"})' \
  | python3 -c 'import json,sys; print("\n".join(sorted(r["metric"]["__name__"] for r in json.load(sys.stdin))))')
for kept in taskgroup_tasks_spawned_tasks_total taskgroup_tasks_cancelled_tasks_total \
    taskgroup_task_duration_seconds_count taskgroup_task_duration_seconds_bucket taskgroup_tasks_active_tasks \
    taskgroup_tasks_queued_tasks taskgroup_groups_active_groups taskgroup_group_duration_seconds_count; do
  if grep -qx "$kept" <<<"$FAMILIES"; then
    echo "ok   kept family present: $kept"; PASSED=$((PASSED + 1))
  else
    echo "FAIL kept family missing: $kept"; FAILURES=$((FAILURES + 1))
  fi
done
# The timers and long task timers that a meter observation handler would make from the observations
# taskgroup.group and taskgroup.task, with any suffix (_count, _sum, _max, _bucket, _active_count, _duration_sum).
for removed in taskgroup_group_seconds taskgroup_task_seconds taskgroup_group_active_seconds \
    taskgroup_task_active_seconds; do
  if grep -qE "^${removed}(_[a-z_]+)?$" <<<"$FAMILIES"; then
    echo "FAIL second family present: $(grep -E "^${removed}(_[a-z_]+)?$" <<<"$FAMILIES" | tr '\n' ' ')"
    FAILURES=$((FAILURES + 1))
  else
    echo "ok   no series of $removed"; PASSED=$((PASSED + 1))
  fi
done

echo "== Checking every query of the dashboard"
sleep 2  # two more scrapes, so that every rate() has points after the last request
while IFS= read -r line; do
  title="${line%%$'\t'*}"; expr="${line#*$'\t'}"
  result=$(query "$expr" || echo '[]')
  if [ "$result" != "[]" ] && [ -n "$result" ]; then
    echo "ok   panel '$title': $expr"; PASSED=$((PASSED + 1))
  else
    echo "FAIL panel '$title' returned no data: $expr"; FAILURES=$((FAILURES + 1))
  fi
done < <(python3 -c '
import json, sys
for panel in json.load(open(sys.argv[1]))["panels"]:
    for target in panel["targets"]:
        print(panel["title"] + "\t" + target["expr"])
' "$DASHBOARD")

echo "e2e: $PASSED passed, $FAILURES failed"
[ "$FAILURES" -eq 0 ]
