package io.github.taskgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tasks that ignore their cancellation are reported while the application runs, once, and cheaply. */
class StragglersTest {

    private static final AtomicLong RUNS = new AtomicLong();
    private static final Duration THRESHOLD = Duration.ofMillis(50);

    @TempDir
    Path dir;

    private final String prefix = "straggle" + RUNS.incrementAndGet() + "-";
    private final List<ExecutorService> pools = new ArrayList<>();
    private final List<CountDownLatch> releases = new ArrayList<>();
    private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    private final Logger log = Logger.getLogger(StragglerWatch.class.getName());
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()
                    && record.getMessage().contains(prefix)) {
                warnings.add(record);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void captureLog() {
        log.addHandler(handler);
    }

    @AfterEach
    void releaseEverything() throws InterruptedException {
        releases.forEach(CountDownLatch::countDown);
        log.removeHandler(handler);
        log.setLevel(null);
        for (ExecutorService pool : pools) {
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS))
                    .as("no task thread left")
                    .isTrue();
        }
    }

    /** Records every straggler report, and whether it came before the task's end. */
    static final class StragglerListener implements TaskGroupListener {
        final Map<Task<?>, TaskSnapshot> reported = new ConcurrentHashMap<>();
        final List<String> violations = new CopyOnWriteArrayList<>();
        final Map<Task<?>, Boolean> finished = new ConcurrentHashMap<>();

        @Override
        public void taskStraggling(Task<?> task, TaskSnapshot snapshot) {
            if (finished.containsKey(task)) {
                violations.add("reported after it finished: " + task);
            }
            if (task.state() != Task.State.RUNNING) {
                violations.add("reported in state " + task.state());
            }
            if (reported.put(task, snapshot) != null) {
                violations.add("reported twice: " + task);
            }
        }

        @Override
        public void taskFinished(Task<?> task, long runNanos) {
            finished.put(task, Boolean.TRUE);
        }
    }

    private ExecutorService pool() {
        ExecutorService pool = TaskGroupExecutors.platformThreads(prefix);
        pools.add(pool);
        return pool;
    }

    private CountDownLatch release() {
        CountDownLatch release = new CountDownLatch(1);
        releases.add(release);
        return release;
    }

    private static DefaultTaskGroupFactory factory(ExecutorService pool, Duration threshold, TaskGroupListener l) {
        return (DefaultTaskGroupFactory) TaskGroupFactory.builder()
                .executor(pool)
                .stragglerThreshold(threshold)
                .listener(l)
                .build();
    }

    /** A task's code that ignores its interrupt: it waits for {@code release}, whatever happens. */
    static String ignoreInterrupts(CountDownLatch started, CountDownLatch release) {
        started.countDown();
        while (true) {
            try {
                release.await();
                return "released";
            } catch (InterruptedException swallowed) {
                // the bug this feature finds: the cancellation is swallowed and the wait goes on
            }
        }
    }

    private static List<TaskSnapshot> tasks(List<TaskGroupSnapshot> groups) {
        List<TaskSnapshot> all = new ArrayList<>();
        for (TaskGroupSnapshot group : groups) {
            all.addAll(group.tasks());
            all.addAll(tasks(group.groups()));
        }
        return all;
    }

    @RepeatedTest(5)
    void aTaskThatIgnoresItsCancellationIsReportedOnceEverywhere() throws Exception {
        ExecutorService pool = pool();
        StragglerListener listener = new StragglerListener();
        CountDownLatch started = new CountDownLatch(2);
        CountDownLatch release = release();
        String outer = prefix + "outer";
        String inner = prefix + "inner";
        Path file = dir.resolve("stragglers.jfr");
        try (DefaultTaskGroupFactory factory = factory(pool, THRESHOLD, listener);
                Recording recording = new Recording()) {
            recording.enable(TaskStragglerEvent.NAME);
            recording.start();
            Task<String> stubborn;
            try (TaskGroup outerGroup = factory.open(outer);
                    TaskGroup innerGroup = factory.open(inner)) {
                try {
                    stubborn = innerGroup.fork("stubborn", () -> ignoreInterrupts(started, release));
                    Task<?> polite = innerGroup.fork("polite", () -> {
                        started.countDown();
                        return TaskGroupContract.park();
                    });
                    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
                    assertThat(tasks(factory.liveGroups()))
                            .hasSize(2)
                            .allSatisfy(t -> assertThat(t.sinceCancelled()).isNull())
                            .noneMatch(TaskSnapshot::straggler);

                    outerGroup.cancel();

                    await().atMost(Duration.ofSeconds(10)).until(() -> !listener.reported.isEmpty());
                    await().atMost(Duration.ofSeconds(10)).until(() -> !warnings.isEmpty());
                    assertThat(listener.reported).containsOnlyKeys(stubborn);
                    assertThat(polite.state()).isEqualTo(Task.State.CANCELLED); // it heeded the interrupt
                    TaskSnapshot reported = listener.reported.get(stubborn);
                    assertThat(reported.straggler()).isTrue();
                    assertThat(reported.sinceCancelled()).isGreaterThanOrEqualTo(THRESHOLD);
                    assertThat(reported.thread()).contains(prefix);
                    assertThat(reported.stackTrace())
                            .anyMatch(f -> f.getMethodName().equals("ignoreInterrupts"));

                    // the log line: group path, task, reason, how long ago, and the stack
                    assertThat(warnings).hasSize(1);
                    String message = warnings.get(0).getMessage();
                    assertThat(message)
                            .contains("Task 'stubborn' of group '" + outer + "/" + inner + "'")
                            .contains("(id " + innerGroup.id() + ")")
                            .contains("cancelled (parent)")
                            .containsPattern("still running \\d+ ms after it was cancelled")
                            .contains("ignores its interrupt")
                            .contains("io.github.taskgroup.StragglersTest.ignoreInterrupts(StragglersTest.java:");

                    // the snapshot: flag and age since cancellation
                    TaskSnapshot live = tasks(factory.liveGroups()).stream()
                            .filter(t -> t.name().equals("stubborn"))
                            .findFirst()
                            .orElseThrow();
                    assertThat(live.straggler()).isTrue();
                    assertThat(live.sinceCancelled()).isGreaterThanOrEqualTo(reported.sinceCancelled());
                    assertThat(live.state()).isEqualTo(Task.State.RUNNING);

                    // once: cancelling again changes nothing, and no tick is left to run
                    assertThat(stubborn.cancel()).isFalse();
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> !factory.stragglers().tickScheduled());
                    assertThat(listener.reported).hasSize(1);
                    assertThat(warnings).hasSize(1);

                    release.countDown();
                    innerGroup.join();
                    outerGroup.join();
                } finally {
                    release.countDown(); // a failed assertion must not leave close() waiting for it
                }
            }
            assertThat(stubborn.state()).isEqualTo(Task.State.CANCELLED);
            assertThat(factory.stragglers().watchedCount()).isZero();
            assertThat(listener.violations).isEmpty();
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals(TaskStragglerEvent.NAME))
                .filter(e -> e.getString("groupName").equals(inner))
                .collect(Collectors.toList());
        assertThat(events).hasSize(1);
        RecordedEvent event = events.get(0);
        assertThat(event.getString("groupPath")).isEqualTo(outer + "/" + inner);
        assertThat(event.getString("taskName")).isEqualTo("stubborn");
        assertThat(event.getString("cancellationReason")).isEqualTo("parent");
        assertThat(event.getDuration("sinceCancelled")).isGreaterThanOrEqualTo(THRESHOLD);
        assertThat(event.getString("taskThread")).contains(prefix);
        assertThat(event.getString("taskStack")).contains("StragglersTest.ignoreInterrupts");
        assertThat(event.getEventType().getCategoryNames()).containsExactly("TaskGroup");
    }

    @RepeatedTest(3)
    void aTaskThatEndsBeforeTheThresholdIsNeverReported() throws Exception {
        ExecutorService pool = pool();
        StragglerListener listener = new StragglerListener();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = release();
        Duration threshold = Duration.ofMillis(300);
        try (DefaultTaskGroupFactory factory = factory(pool, threshold, listener)) {
            Task<String> task;
            try (TaskGroup group = factory.open(prefix + "quick")) {
                task = group.fork("late-but-not-too-late", () -> ignoreInterrupts(started, release));
                assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
                group.cancel();
                assertThat(factory.stragglers().watchedCount()).isEqualTo(1);
                assertThat(tasks(factory.liveGroups()).get(0).sinceCancelled()).isNotNull();
                release.countDown(); // ends well before the threshold
                group.join();
            }
            assertThat(task.state()).isEqualTo(Task.State.CANCELLED);
            assertThat(factory.stragglers().watchedCount()).isZero();
            // the tick scheduled at cancellation still runs, finds nothing, and schedules no other
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> factory.stragglers().ticks() == 1);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !factory.stragglers().tickScheduled());
        }
        assertThat(listener.reported).isEmpty();
        assertThat(warnings).isEmpty();
    }

    @Test
    void aThousandStragglersCostOneWakeUpPerThresholdAndUncancelledTasksNone() throws Exception {
        int n = 1000;
        // Far longer than the sweep of 1,000 tasks takes even on a loaded machine: no tick may move the tasks from
        // the group's entry to their own while watchedCount() reads both (a count for tests, not atomic).
        Duration threshold = Duration.ofSeconds(1);
        ExecutorService pool = pool();
        StragglerListener listener = new StragglerListener();
        CountDownLatch started = new CountDownLatch(n);
        CountDownLatch release = release();
        log.setLevel(Level.OFF); // a thousand stacks in the build log help nobody; the listener sees them
        try (DefaultTaskGroupFactory factory = factory(pool, threshold, listener)) {
            try (TaskGroup group = factory.open(prefix + "thousand")) {
                try {
                    for (int i = 0; i < n; i++) {
                        group.fork(() -> ignoreInterrupts(started, release));
                    }
                    assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
                    // parked and not cancelled: nothing is watched, nothing scheduled
                    assertThat(factory.stragglers().watchedCount()).isZero();
                    assertThat(factory.stragglers().tickScheduled()).isFalse();
                    assertThat(factory.stragglers().ticks()).isZero();

                    long before = System.nanoTime();
                    group.cancel();
                    long sweep = System.nanoTime() - before;
                    assertThat(factory.stragglers().watchedCount()).isEqualTo(n);

                    await().atMost(Duration.ofSeconds(60)).until(() -> listener.reported.size() == n);
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> !factory.stragglers().tickScheduled());
                    // one tick when the first reaches the threshold; the rest, cancelled within the same sweep, are due
                    // by the next tick one threshold later at the latest (more ticks only if the sweep took longer)
                    long bound = 2 + sweep / threshold.toNanos();
                    assertThat(factory.stragglers().ticks()).isBetween(1L, bound);
                    assertThat(listener.violations).isEmpty();
                } finally {
                    release.countDown(); // also when an assertion failed: close() waits for the tasks
                }
                group.join();
            }
            assertThat(factory.stragglers().watchedCount()).isZero();
        }
    }

    @Test
    void aGroupThatClosedBeforeItsCancellerRegisteredItIsNotWatched() throws Exception {
        // The canceller's sweep ends after the group closed (its last task ended and the owner closed it
        // before the canceller got to register the group): what the canceller registers then must not stay.
        try (DefaultTaskGroupFactory factory = factory(pool(), Duration.ofHours(1), new StragglerListener())) {
            DefaultTaskGroup group = (DefaultTaskGroup) factory.open(prefix + "late");
            long sweptAt = System.nanoTime();
            group.close();
            factory.stragglers().watchGroup(group, sweptAt);
            assertThat(factory.stragglers().watchedGroupCount()).isZero();
            assertThat(factory.stragglers().tickScheduled()).isFalse();
        }
    }

    @RepeatedTest(5)
    void aCancelledGroupIsWatchedOnceForAllItsTasksAndForgottenWhenItCloses() throws Exception {
        ExecutorService pool = pool();
        StragglerListener listener = new StragglerListener();
        CountDownLatch started = new CountDownLatch(3);
        CountDownLatch release = release();
        try (DefaultTaskGroupFactory factory = factory(pool, Duration.ofHours(1), listener)) {
            try (TaskGroup idle = factory.open(prefix + "idle")) {
                idle.fork(() -> "done").get();
                idle.cancel(); // nothing runs: nothing to watch, no tick
                assertThat(factory.stragglers().watchedGroupCount()).isZero();
                assertThat(factory.stragglers().tickScheduled()).isFalse();
            }
            try (TaskGroup group = factory.open(prefix + "three")) {
                for (int i = 0; i < 3; i++) {
                    group.fork(() -> ignoreInterrupts(started, release));
                }
                assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
                group.cancel();
                assertThat(factory.stragglers().watchedGroupCount()).isEqualTo(1);
                assertThat(factory.stragglers().watchedCount()).isEqualTo(3);
                assertThat(tasks(factory.liveGroups()))
                        .hasSize(3)
                        .allSatisfy(task -> assertThat(task.sinceCancelled()).isNotNull());
                release.countDown();
                group.join();
            }
            // closed long before the threshold: forgotten at once, not at the tick an hour later
            assertThat(factory.stragglers().watchedGroupCount()).isZero();
            assertThat(factory.stragglers().watchedCount()).isZero();
        }
        assertThat(listener.reported).isEmpty();
    }

    @RepeatedTest(5)
    void aTaskCancelledAloneBeforeItsGroupIsReportedOnceWithItsOwnTime() throws Exception {
        ExecutorService pool = pool();
        StragglerListener listener = new StragglerListener();
        CountDownLatch started = new CountDownLatch(2);
        CountDownLatch release = release();
        try (DefaultTaskGroupFactory factory = factory(pool, THRESHOLD, listener)) {
            try (TaskGroup group = factory.open(prefix + "both")) {
                Task<String> first = group.fork("first", () -> ignoreInterrupts(started, release));
                Task<String> second = group.fork("second", () -> ignoreInterrupts(started, release));
                assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
                first.cancel();
                await().atMost(Duration.ofSeconds(10)).until(() -> listener.reported.containsKey(first));
                group.cancel();
                await().atMost(Duration.ofSeconds(10)).until(() -> listener.reported.containsKey(second));
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> !factory.stragglers().tickScheduled());
                assertThat(listener.reported).hasSize(2);
                List<TaskSnapshot> now = tasks(factory.liveGroups()); // one moment for both
                TaskSnapshot firstNow = now.stream()
                        .filter(t -> t.name().equals("first"))
                        .findFirst()
                        .orElseThrow();
                TaskSnapshot secondNow = now.stream()
                        .filter(t -> t.name().equals("second"))
                        .findFirst()
                        .orElseThrow();
                // first was cancelled a whole threshold before its group: it keeps that earlier time
                assertThat(firstNow.sinceCancelled()).isGreaterThan(secondNow.sinceCancelled());
                assertThat(firstNow.straggler()).isTrue();
                assertThat(secondNow.straggler()).isTrue();
                assertThat(warnings).hasSize(2);
                release.countDown();
                group.join();
            }
            assertThat(factory.stragglers().watchedCount()).isZero();
            assertThat(factory.stragglers().watchedGroupCount()).isZero();
        }
        assertThat(listener.violations).isEmpty();
    }

    @Test
    void theThresholdMustBePositive() {
        TaskGroupFactory.Builder builder = TaskGroupFactory.builder();
        assertThatThrownBy(() -> builder.stragglerThreshold(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The straggler threshold must be positive, got PT0S");
        assertThatThrownBy(() -> builder.stragglerThreshold(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The straggler threshold must be positive, got PT-0.005S");
        assertThatThrownBy(() -> builder.stragglerThreshold(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("threshold");
        assertThat(TaskGroupFactory.Builder.DEFAULT_STRAGGLER_THRESHOLD).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aHugeThresholdIsAcceptedAndNeverReached() throws Exception {
        ExecutorService pool = pool();
        StragglerListener listener = new StragglerListener();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = release();
        try (DefaultTaskGroupFactory factory = factory(pool, Duration.ofSeconds(Long.MAX_VALUE), listener)) {
            try (TaskGroup group = factory.open(prefix + "huge")) {
                group.fork(() -> ignoreInterrupts(started, release));
                assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
                group.cancel();
                TaskSnapshot snapshot = tasks(factory.liveGroups()).get(0);
                assertThat(snapshot.sinceCancelled()).isNotNull();
                assertThat(snapshot.straggler()).isFalse();
                assertThat(factory.stragglers().tickScheduled()).isTrue();
                release.countDown();
                group.join();
            }
        }
        assertThat(listener.reported).isEmpty();
    }
}
