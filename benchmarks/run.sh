#!/usr/bin/env bash
# Builds the benchmarks module on JDK 25 and runs everything issue 7 asks for; writes a markdown report.
#
#   benchmarks/run.sh            full run: JMH fork/join + concurrency limit (with -prof gc), RUNS times
#                                (default 2), then the interleaved fork/join companion (robust ratios on
#                                a noisy machine), the costs of JFR, a recording, admission control and the
#                                policy SPI (interleaved pairs), the straggler watch, the cancellation and the
#                                heap harnesses; report in
#                                benchmarks/target/results/results.md (about 20 minutes on 2 cores)
#   benchmarks/run.sh --smoke    proves every benchmark and harness starts: one 10 ms iteration each, in
#                                one JVM, tiny harness sizes (well under a minute after the build)
#
# Environment: JAVA_HOME (default /usr/lib/jvm/temurin-25-jdk-amd64), RUNS (default 2), JMH_ARGS (extra
# arguments for JMH, e.g. "-wi 2 -i 3"), SKIP_BUILD=1 to reuse target/benchmarks.jar.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

export JAVA_HOME="${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
JAVA="$JAVA_HOME/bin/java"
if [ ! -x "$JAVA" ]; then
  echo "JDK 25 not found at $JAVA_HOME (set JAVA_HOME_25)" >&2
  exit 1
fi
MODE=full
if [ "${1:-}" = "--smoke" ]; then
  MODE=smoke
fi

JAR="$ROOT/benchmarks/target/benchmarks.jar"
OUT="$ROOT/benchmarks/target/results"
mkdir -p "$OUT"

if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$JAR" ]; then
  echo "== Building taskgroup-core and taskgroup-benchmarks on $("$JAVA" -version 2>&1 | head -1)"
  # The root pom adds the benchmarks module only on JDK 25+ (profile benchmarks-jdk25).
  mvn -B -q -ntp -pl benchmarks -am package -DskipTests
fi

RUN=("$JAVA" --enable-preview -cp "$JAR")
# Issue 17 and issue 15 part 5: what JFR, a recording and admission control cost when unused (or not limiting).
# CPU time of all JVM threads (--clock threads): elapsed time on a shared machine cannot resolve these.
JFR_PAIRS=taskGroup:taskGroupNoJfr,taskGroupJfrRecording:taskGroup
JFR_PAIRS=$JFR_PAIRS,taskGroupJfrRecordingNoTaskEvents:taskGroup,taskGroupMetricsJfrRecording:taskGroupMetrics
JFR_PAIRS=$JFR_PAIRS,taskGroupMaxConcurrencyUnreached:taskGroup,taskGroupSharedLimitUnreached:taskGroup
JFR_PAIRS=$JFR_PAIRS,taskGroupOwnPolicy:taskGroup

if [ "$MODE" = smoke ]; then
  start=$(date +%s%N)
  echo "== Smoke: every JMH benchmark, one 10 ms iteration, no warm-up, in this JVM"
  # The smoke run proves that benchmarks start; it may share the machine with a real run (no JMH lock).
  "$JAVA" --enable-preview -Djmh.ignoreLock=true -jar "$JAR" -f 0 -wi 0 -i 1 -r 10ms -p n=1,1000 -foe true \
    -rf csv -rff "$OUT/smoke.csv" > "$OUT/smoke-jmh.log" 2>&1 || { cat "$OUT/smoke-jmh.log"; exit 1; }
  count=$(grep -c '^"' "$OUT/smoke.csv" || true)
  count=$((count - 1))
  echo "   $count benchmark results"
  echo "== Smoke: cancellation harness (50 children, 2 rounds)"
  "${RUN[@]}" io.github.taskgroup.benchmarks.CancellationLatency --children 50 --warmup 1 --rounds 2 > /dev/null
  echo "== Smoke: heap harness (100 children, 1 round)"
  "${RUN[@]}" -XX:+UseSerialGC io.github.taskgroup.benchmarks.HeapPerParkedChild --children 100 --rounds 1 --warmup 1 > /dev/null
  echo "== Smoke: interleaved fork/join (N=10, 2 rounds of 2 ms slices)"
  # Every implementation, the JFR recording one included, and the pair table of the JFR and admission figures.
  "${RUN[@]}" io.github.taskgroup.benchmarks.InterleavedForkJoin --n 10 --rounds 2 --warmup-rounds 0 --slice-ms 2 \
    --clock threads --compare "$JFR_PAIRS,taskGroupInline:taskGroupInlineNoJfr" > /dev/null
  echo "== Smoke: straggler watch harness (50 children, 20 ms threshold, 1 round)"
  "${RUN[@]}" io.github.taskgroup.benchmarks.StragglerWatchCost --children 50 --threshold-ms 20 --watch-thresholds 3 \
    --rounds 1 > /dev/null
  echo "== Smoke: report"
  "${RUN[@]}" io.github.taskgroup.benchmarks.Report "$OUT/smoke.csv" "$OUT/smoke.md" smoke > /dev/null
  expected=$(( $(grep -c '^    @Benchmark$' benchmarks/src/main/java/io/github/taskgroup/benchmarks/ForkJoinBenchmark.java) * 2 \
    + $(grep -c '^    @Benchmark$' benchmarks/src/main/java/io/github/taskgroup/benchmarks/LimitBenchmark.java) \
    + $(grep -c '^    @Benchmark$' benchmarks/src/main/java/io/github/taskgroup/benchmarks/CompletionViewBenchmark.java) ))
  if [ "$count" -ne "$expected" ]; then
    echo "Smoke FAILED: $count JMH results, expected $expected" >&2
    exit 1
  fi
  echo "Smoke OK in $(( ($(date +%s%N) - start) / 1000000 )) ms: $count JMH benchmarks and 4 harnesses started"
  exit 0
fi

RUNS=${RUNS:-2}
REPORT="$OUT/results.md"
{
  echo "# taskgroup benchmarks: raw run output"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GB RAM"
  echo "- JDK: $("$JAVA" -version 2>&1 | sed -n 2p)"
  echo "- JMH: 1.37, -prof gc; fork/join and limit benchmarks with their annotated settings (1 fork, 4x1 s warm-up, 5x1 s measurement) ${JMH_ARGS:-}"
  echo "- command: benchmarks/run.sh (RUNS=$RUNS)"
  echo
} > "$REPORT"

for run in $(seq 1 "$RUNS"); do
  echo "== JMH run $run of $RUNS"
  echo "- load before JMH run $run: $(uptime | sed 's/.*load average/load average/')" >> "$REPORT"
  # shellcheck disable=SC2086
  "$JAVA" --enable-preview -jar "$JAR" -prof gc -rf csv -rff "$OUT/jmh-run$run.csv" ${JMH_ARGS:-} \
    2>&1 | tee "$OUT/jmh-run$run.log" | grep -E '^(# Benchmark:|# Parameters|Result|Benchmark |[A-Za-z]+Benchmark\.)' || true
  echo "- load after JMH run $run: $(uptime | sed 's/.*load average/load average/')" >> "$REPORT"
done
echo >> "$REPORT"
for run in $(seq 1 "$RUNS"); do
  "${RUN[@]}" io.github.taskgroup.benchmarks.Report "$OUT/jmh-run$run.csv" "$OUT/jmh-run$run.md" "JMH run $run" > /dev/null
  cat "$OUT/jmh-run$run.md" >> "$REPORT"
done

echo "== Interleaved fork/join (robust ratios on a noisy machine)"
echo "### Fork/join, interleaved short slices in one JVM (load: $(uptime | sed 's/.*load average: //'))" >> "$REPORT"
echo >> "$REPORT"
"${RUN[@]}" -Xms1g -Xmx1g io.github.taskgroup.benchmarks.InterleavedForkJoin --out "$OUT/interleaved.md" > /dev/null
cat "$OUT/interleaved.md" >> "$REPORT"
echo >> "$REPORT"

echo "== JFR, admission control and policy SPI: costs when unused (interleaved, N=1000)"
echo "### JFR events, a recording, admission control and the policy SPI, N = 1000 (load: $(uptime | sed 's/.*load average: //'))" >> "$REPORT"
echo >> "$REPORT"
"${RUN[@]}" -Xms1g -Xmx1g io.github.taskgroup.benchmarks.InterleavedForkJoin --n 1000 --rounds 150 --warmup-rounds 15 \
  --clock threads --compare "$JFR_PAIRS" --out "$OUT/unused-costs.md" > /dev/null
cat "$OUT/unused-costs.md" >> "$REPORT"
echo >> "$REPORT"
# The JFR listener's own cost per child, tasks run inline: CPU time of the measuring thread, which is all of it.
"${RUN[@]}" -Xms1g -Xmx1g io.github.taskgroup.benchmarks.InterleavedForkJoin --n 1000 --rounds 300 --warmup-rounds 20 \
  --clock thread --compare taskGroupInline:taskGroupInlineNoJfr --out "$OUT/jfr-inline.md" > /dev/null
cat "$OUT/jfr-inline.md" >> "$REPORT"
echo >> "$REPORT"

echo "== Straggler watch"
echo "### Straggler watch: 1,000 parked tasks, then 1,000 cancelled stragglers (load: $(uptime | sed 's/.*load average: //'))" >> "$REPORT"
echo >> "$REPORT"
"${RUN[@]}" io.github.taskgroup.benchmarks.StragglerWatchCost --out "$OUT/stragglers.md" > /dev/null
cat "$OUT/stragglers.md" >> "$REPORT"
echo >> "$REPORT"

echo "== Cancellation latency"
echo "### Cancellation of 1,000 sleeping siblings (load: $(uptime | sed 's/.*load average: //'))" >> "$REPORT"
echo >> "$REPORT"
"${RUN[@]}" -Xms1g -Xmx1g io.github.taskgroup.benchmarks.CancellationLatency --out "$OUT/cancel.md"
cat "$OUT/cancel.md" >> "$REPORT"
echo >> "$REPORT"

echo "== Heap per parked child"
echo "### Heap retained per parked child (load: $(uptime | sed 's/.*load average: //'))" >> "$REPORT"
echo >> "$REPORT"
"${RUN[@]}" -XX:+UseSerialGC -Xms1g -Xmx1g io.github.taskgroup.benchmarks.HeapPerParkedChild --out "$OUT/heap.md"
cat "$OUT/heap.md" >> "$REPORT"

echo "== Report: $REPORT"
