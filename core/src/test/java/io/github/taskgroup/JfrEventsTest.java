package io.github.taskgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in JFR events: recorded with {@link Recording}, read back with {@link RecordingFile}. */
class JfrEventsTest {

    private static final String GROUP = GroupClosedEvent.NAME;
    private static final String TASK = TaskFinishedEvent.NAME;
    private static final String RUN_TIME_THRESHOLD = RunTimeThreshold.NAME;
    private static final AtomicLong RUNS = new AtomicLong();

    @TempDir
    Path dir;

    private final ExecutorService pool = TaskGroupExecutors.platformThreads("jfr-");
    // Group names unique to one test run, so that events of other factories in this JVM are ignored.
    private final String prefix = "jfr" + RUNS.incrementAndGet() + "-";

    @AfterEach
    void tearDown() throws InterruptedException {
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private TaskGroupFactory factory() {
        return TaskGroupFactory.builder().executor(pool).build();
    }

    /** A recording of both events with the given task run time threshold, around {@code work}. */
    private List<RecordedEvent> record(Duration taskThreshold, Work work) throws Exception {
        try (Recording recording = new Recording()) {
            recording.enable(GROUP).withThreshold(Duration.ZERO);
            recording.enable(TASK).with(RUN_TIME_THRESHOLD, taskThreshold.toNanos() + " ns");
            return record(recording, work);
        }
    }

    /** The task's run time, as the event records it. */
    private static Duration runTime(RecordedEvent task) {
        return task.getDuration("runTime");
    }

    /**
     * When the task started, at the latest: the event is committed on its thread once it ended (a moment after, or
     * later if the thread is descheduled in between), and it ran its run time before it ended.
     */
    private static java.time.Instant startOf(RecordedEvent task) {
        return task.getEndTime().minus(runTime(task));
    }

    /** Runs for at least {@code time}, by the clock the run time is measured with (not a guess at a wait). */
    private static String runFor(Duration time) {
        long start = System.nanoTime();
        while (System.nanoTime() - start < time.toNanos()) {
            java.util.concurrent.locks.LockSupport.parkNanos(time.toNanos() / 4);
        }
        return "done";
    }

    private List<RecordedEvent> record(Recording recording, Work work) throws Exception {
        recording.start();
        work.run();
        recording.stop();
        Path file = dir.resolve("recording.jfr");
        recording.dump(file);
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getString("groupName").startsWith(prefix))
                .collect(Collectors.toList());
    }

    interface Work {
        void run() throws Exception;
    }

    private static List<RecordedEvent> ofType(List<RecordedEvent> events, String type) {
        return events.stream()
                .filter(e -> e.getEventType().getName().equals(type))
                .collect(Collectors.toList());
    }

    private static RecordedEvent group(List<RecordedEvent> events, String name) {
        List<RecordedEvent> found = ofType(events, GROUP).stream()
                .filter(e -> e.getString("groupName").equals(name))
                .collect(Collectors.toList());
        assertThat(found).as("GroupClosed events of %s", name).hasSize(1);
        return found.get(0);
    }

    private static RecordedEvent task(List<RecordedEvent> events, String group, String name) {
        List<RecordedEvent> found = ofType(events, TASK).stream()
                .filter(e -> e.getString("groupName").equals(group)
                        && e.getString("taskName").equals(name))
                .collect(Collectors.toList());
        assertThat(found).as("TaskFinished events of %s/%s", group, name).hasSize(1);
        return found.get(0);
    }

    @RepeatedTest(3)
    void aSucceedingGroupAndItsTasksAreRecordedWithTheirFields() throws Exception {
        String name = prefix + "ok";
        long[] ids = new long[2];
        List<RecordedEvent> events = record(Duration.ZERO, () -> {
            try (TaskGroupFactory factory = factory()) {
                factory.run(name, TaskGroupOptions.builder().maxConcurrency(1).build(), group -> {
                    ids[0] = group.id();
                    CountDownLatch release = new CountDownLatch(1);
                    group.fork("first", () -> release.await(10, TimeUnit.SECONDS));
                    group.fork("second", () -> "done"); // waits for the first's permit
                    release.countDown();
                    group.join();
                    ids[1] = factory.run(name + "-nested", nested -> nested.id());
                    return null;
                });
            }
        });
        RecordedEvent closed = group(events, name);
        assertThat(closed.getLong("groupId")).isEqualTo(ids[0]);
        assertThat(closed.getLong("parentId")).isZero();
        assertThat(closed.getString("policy")).isEqualTo("fail-fast");
        assertThat(closed.getString("outcome")).isEqualTo("succeeded");
        assertThat(closed.getString("cancellationReason")).isNull();
        assertThat(closed.getInt("tasksForked")).isEqualTo(2);
        assertThat(closed.getInt("tasksFailed")).isZero();
        assertThat(closed.getInt("tasksCancelled")).isZero();
        assertThat(closed.getDuration()).isPositive();

        RecordedEvent nested = group(events, name + "-nested");
        assertThat(nested.getLong("groupId")).isEqualTo(ids[1]);
        assertThat(nested.getLong("parentId")).isEqualTo(ids[0]);
        assertThat(nested.getInt("tasksForked")).isZero();

        RecordedEvent first = task(events, name, "first");
        RecordedEvent second = task(events, name, "second");
        for (RecordedEvent task : List.of(first, second)) {
            assertThat(task.getLong("groupId")).isEqualTo(ids[0]);
            assertThat(task.getString("outcome")).isEqualTo("succeeded");
            assertThat(task.getString("cancellationReason")).isNull();
            assertThat(task.getBoolean("started")).isTrue();
            assertThat(task.getDuration()).isZero(); // committed at the end: the run time is a field
            assertThat(runTime(task)).isPositive().isLessThanOrEqualTo(closed.getDuration());
            assertThat(task.getLong("waitTime")).isNotNegative();
        }
        // The second waited for the first's permit: it started once the first had ended.
        assertThat(startOf(second)).isAfterOrEqualTo(first.getEndTime());
        assertThat(second.getLong("waitTime")).isPositive();
        assertThat(Duration.ofNanos(second.getLong("waitTime"))).isLessThanOrEqualTo(closed.getDuration());
    }

    @RepeatedTest(3)
    void aFailureCancelsTheSiblingAndBothAreRecorded() throws Exception {
        String name = prefix + "fail";
        List<RecordedEvent> events = record(Duration.ZERO, () -> {
            try (TaskGroupFactory factory = factory()) {
                Throwable thrown = catchThrowable(() -> factory.run(name, group -> {
                    CountDownLatch started = new CountDownLatch(1);
                    group.fork("blocker", () -> {
                        started.countDown();
                        return TaskGroupContract.park();
                    });
                    group.fork("failing", () -> {
                        started.await();
                        throw new IllegalStateException("boom");
                    });
                    group.join();
                    return null;
                }));
                assertThat(thrown).isInstanceOf(TaskGroupException.class);
            }
        });
        RecordedEvent closed = group(events, name);
        assertThat(closed.getString("outcome")).isEqualTo("failed");
        assertThat(closed.getString("cancellationReason")).isEqualTo("sibling-failure");
        assertThat(closed.getInt("tasksForked")).isEqualTo(2);
        assertThat(closed.getInt("tasksFailed")).isEqualTo(1);
        assertThat(closed.getInt("tasksCancelled")).isEqualTo(1);
        RecordedEvent failing = task(events, name, "failing");
        assertThat(failing.getString("outcome")).isEqualTo("failed");
        assertThat(failing.getString("cancellationReason")).isNull();
        RecordedEvent blocker = task(events, name, "blocker");
        assertThat(blocker.getString("outcome")).isEqualTo("cancelled");
        assertThat(blocker.getString("cancellationReason")).isEqualTo("sibling-failure");
        assertThat(blocker.getBoolean("started")).isTrue();
    }

    @RepeatedTest(3)
    void aCancelledGroupRecordsItsReasonAndTheTaskThatNeverStarted() throws Exception {
        String name = prefix + "cancel";
        List<RecordedEvent> events = record(Duration.ZERO, () -> {
            try (TaskGroupFactory factory = factory();
                    TaskGroup group = factory.open(name)) {
                CountDownLatch started = new CountDownLatch(1);
                group.fork("running", () -> {
                    started.countDown();
                    return TaskGroupContract.park();
                });
                started.await();
                group.cancel();
                group.fork("never", () -> "unreached");
                group.join(); // the owner's own cancel: join stays quiet
            }
        });
        RecordedEvent closed = group(events, name);
        assertThat(closed.getString("outcome")).isEqualTo("cancelled");
        assertThat(closed.getString("cancellationReason")).isEqualTo("explicit");
        assertThat(closed.getInt("tasksForked")).isEqualTo(2);
        assertThat(closed.getInt("tasksCancelled")).isEqualTo(2);
        RecordedEvent running = task(events, name, "running");
        assertThat(running.getString("outcome")).isEqualTo("cancelled");
        assertThat(running.getString("cancellationReason")).isEqualTo("explicit");
        assertThat(running.getBoolean("started")).isTrue();
        RecordedEvent never = task(events, name, "never");
        assertThat(never.getString("outcome")).isEqualTo("cancelled");
        assertThat(never.getString("cancellationReason")).isEqualTo("explicit");
        assertThat(never.getBoolean("started")).isFalse();
        assertThat(runTime(never)).isZero();
        assertThat(never.getLong("waitTime")).isNotNegative();
    }

    @RepeatedTest(3)
    void aTimedOutGroupRecordsTheTimeout() throws Exception {
        String name = prefix + "timeout";
        List<RecordedEvent> events = record(Duration.ZERO, () -> {
            try (TaskGroupFactory factory = factory()) {
                Throwable thrown = catchThrowable(() -> factory.run(
                        name,
                        TaskGroupOptions.builder()
                                .timeout(Duration.ofMillis(20))
                                .build(),
                        group -> {
                            group.fork("slow", TaskGroupContract::park);
                            group.join();
                            return null;
                        }));
                assertThat(thrown).isInstanceOf(TaskGroupTimeoutException.class);
            }
        });
        RecordedEvent closed = group(events, name);
        assertThat(closed.getString("outcome")).isEqualTo("timeout");
        assertThat(closed.getString("cancellationReason")).isEqualTo("timeout");
        assertThat(closed.getInt("tasksCancelled")).isEqualTo(1);
        assertThat(closed.getDuration()).isPositive(); // from the open event, a little after the deadline started
        RecordedEvent slow = task(events, name, "slow");
        assertThat(slow.getString("outcome")).isEqualTo("cancelled");
        assertThat(slow.getString("cancellationReason")).isEqualTo("timeout");
    }

    @RepeatedTest(3)
    void tasksRunInlineInsideATaskNestTheirSpans() throws Exception {
        String name = prefix + "inline";
        TaskGroupOptions inline =
                TaskGroupOptions.builder().executor(Runnable::run).build();
        List<RecordedEvent> events = record(Duration.ZERO, () -> {
            try (TaskGroupFactory factory = factory()) {
                factory.run(name, group -> {
                    group.fork(
                            "outer",
                            () -> factory.run(name + "-1", inline, g1 -> {
                                g1.fork(
                                        "middle",
                                        () -> factory.run(name + "-2", inline, g2 -> {
                                            g2.fork("inner", () -> "done");
                                            g2.fork("inner2", () -> "done");
                                            return null;
                                        }));
                                return null;
                            }));
                    return null;
                });
            }
        });
        RecordedEvent outer = task(events, name, "outer");
        RecordedEvent middle = task(events, name + "-1", "middle");
        RecordedEvent inner = task(events, name + "-2", "inner");
        RecordedEvent inner2 = task(events, name + "-2", "inner2");
        // One thread, each run inside the one around it: shorter, and committed before it. (Not the start computed
        // from the event's time: that is the commit, which a descheduled thread may make later than the end.)
        assertThat(runTime(middle)).isLessThanOrEqualTo(runTime(outer));
        assertThat(middle.getEndTime()).isBeforeOrEqualTo(outer.getEndTime());
        assertThat(runTime(inner).plus(runTime(inner2))).isLessThanOrEqualTo(runTime(middle));
        assertThat(inner.getEndTime()).isBeforeOrEqualTo(inner2.getEndTime());
        for (RecordedEvent task : List.of(inner, inner2, middle)) {
            assertThat(task.getEndTime()).isBeforeOrEqualTo(outer.getEndTime());
            assertThat(task.getThread().getJavaThreadId())
                    .isEqualTo(outer.getThread().getJavaThreadId());
            assertThat(task.getString("outcome")).isEqualTo("succeeded");
        }
        assertThat(inner2.getEndTime()).isBeforeOrEqualTo(middle.getEndTime());
        assertThat(group(events, name + "-2").getLong("parentId"))
                .isEqualTo(group(events, name + "-1").getLong("groupId"));
    }

    @Test
    void aTaskBegunBeforeARecordingStoppedLeavesNothingForTheNextRecording() throws Exception {
        String name = prefix + "stale";
        ExecutorService single = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (TaskGroupFactory factory =
                TaskGroupFactory.builder().executor(single).build()) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            TaskGroup[] group = new TaskGroup[1];
            List<RecordedEvent> first = record(Duration.ZERO, () -> {
                group[0] = factory.open(name);
                group[0].fork("straddling", () -> {
                    started.countDown();
                    return release.await(10, TimeUnit.SECONDS);
                });
                started.await();
            });
            release.countDown();
            group[0].join();
            group[0].close();
            assertThat(first).isEmpty();
            List<RecordedEvent> second = record(
                    Duration.ZERO,
                    () -> factory.run(name + "-next", g -> {
                        g.fork("next", () -> "done"); // same thread as the straddling task
                        return null;
                    }));
            assertThat(second)
                    .extracting(e -> e.getEventType().getName() + " " + e.getString("groupName"))
                    .containsExactlyInAnyOrder(GROUP + " " + name + "-next", TASK + " " + name + "-next");
        } finally {
            single.shutdown();
        }
    }

    @Test
    void aTaskShorterThanTheThresholdIsNotRecorded() throws Exception {
        String name = prefix + "threshold";
        List<RecordedEvent> events = record(Duration.ofHours(1), () -> {
            try (TaskGroupFactory factory = factory()) {
                factory.run(name, group -> {
                    group.fork("short", () -> "done");
                    group.fork("cancelled", () -> "done").cancel();
                    group.join();
                    return null;
                });
            }
        });
        assertThat(ofType(events, TASK)).isEmpty();
        assertThat(group(events, name).getInt("tasksForked")).isEqualTo(2);
    }

    @RepeatedTest(3)
    void aTaskOverTheThresholdIsRecordedWithItsRunTimeAndFields() throws Exception {
        String name = prefix + "over";
        Duration threshold = Duration.ofMillis(20);
        long[] groupId = new long[1];
        List<RecordedEvent> events = record(threshold, () -> {
            try (TaskGroupFactory factory = factory()) {
                factory.run(name, group -> {
                    groupId[0] = group.id();
                    group.fork("slow", () -> runFor(Duration.ofMillis(30)));
                    group.join();
                    return null;
                });
            }
        });
        RecordedEvent slow = task(events, name, "slow");
        assertThat(runTime(slow)).isGreaterThanOrEqualTo(Duration.ofMillis(30));
        assertThat(runTime(slow)).isLessThanOrEqualTo(group(events, name).getDuration());
        assertThat(slow.getLong("groupId")).isEqualTo(groupId[0]);
        assertThat(slow.getString("outcome")).isEqualTo("succeeded");
        assertThat(slow.getString("cancellationReason")).isNull();
        assertThat(slow.getBoolean("started")).isTrue();
        assertThat(slow.getLong("waitTime")).isNotNegative();
        assertThat(slow.getThread().getJavaName()).startsWith("jfr-");
    }

    @Test
    void theRunTimeThresholdTakesTheValuesOfJfrThresholdsAndTheLowestOfSeveralRecordings() {
        assertThat(RunTimeThreshold.parse("10 ms")).isEqualTo(10_000_000L);
        assertThat(RunTimeThreshold.parse("10ms")).isEqualTo(10_000_000L);
        assertThat(RunTimeThreshold.parse("0 ns")).isZero();
        assertThat(RunTimeThreshold.parse("250 us")).isEqualTo(250_000L);
        assertThat(RunTimeThreshold.parse("2 s")).isEqualTo(2_000_000_000L);
        assertThat(RunTimeThreshold.parse("1 m")).isEqualTo(60_000_000_000L);
        assertThat(RunTimeThreshold.parse("infinity")).isEqualTo(Long.MAX_VALUE);
        assertThat(RunTimeThreshold.parse("ten ms")).isNegative();
        assertThat(RunTimeThreshold.parse("10 weeks")).isNegative();
        RunTimeThreshold control = new RunTimeThreshold();
        assertThat(control.combine(java.util.Set.of("10 ms", "1 s", "200 us", "nonsense")))
                .isEqualTo("200 us");
        assertThat(control.combine(java.util.Set.of())).isEqualTo(RunTimeThreshold.DEFAULT);
    }

    @RepeatedTest(3)
    void twoRecordingsGetAtLeastTheTasksEachAskedFor() throws Exception {
        String name = prefix + "two";
        try (Recording coarse = new Recording()) {
            coarse.enable(TASK).with(RUN_TIME_THRESHOLD, "1 h");
            coarse.start();
            List<RecordedEvent> events = record(Duration.ZERO, () -> {
                try (TaskGroupFactory factory = factory()) {
                    factory.run(name, group -> group.fork("quick", () -> "done").get());
                }
            });
            assertThat(runTime(task(events, name, "quick"))).isPositive();
        }
    }

    @Test
    void aRecordingThatSetsTheOldThresholdIsWarnedAbout() throws Exception {
        List<java.util.logging.LogRecord> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                warnings.add(record);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(JfrListener.class.getName());
        logger.addHandler(handler);
        try (TaskGroupFactory factory = factory();
                Recording old = new Recording();
                Recording current = new Recording()) {
            old.setName(prefix + "old");
            old.enable(TASK).withThreshold(Duration.ofMillis(10));
            old.start();
            current.setName(prefix + "current");
            current.enable(TASK).withThreshold(Duration.ZERO).with(RUN_TIME_THRESHOLD, "10 ms");
            current.start();
        } finally {
            logger.removeHandler(handler);
        }
        assertThat(warnings)
                .extracting(java.util.logging.LogRecord::getMessage)
                .filteredOn(message -> message.contains(prefix))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("'" + prefix + "old'", TASK + "#threshold=10000000 ns", RUN_TIME_THRESHOLD);
    }

    @RepeatedTest(5)
    void recordingsStartedAndStoppedWhileTasksRunBreakNothing() throws Exception {
        String name = prefix + "toggle";
        ExecutorService toggler = java.util.concurrent.Executors.newSingleThreadExecutor();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        CountDownLatch toggled = new CountDownLatch(3);
        java.util.concurrent.Future<?> toggling = toggler.submit(() -> {
            while (!stop.get()) {
                try (Recording recording = new Recording()) {
                    recording.enable(TASK).with(RUN_TIME_THRESHOLD, "0 ns");
                    recording.enable(GROUP);
                    recording.start();
                    Thread.onSpinWait();
                    recording.stop();
                }
                toggled.countDown();
            }
            return null;
        });
        try (TaskGroupFactory factory = factory()) {
            int groups = 0;
            // Until the recordings have come and gone a few times while groups ran; at least 20 groups.
            while (groups < 20 || toggled.getCount() > 0) {
                int sum = factory.run(name, group -> {
                    List<Task<Integer>> tasks = new java.util.ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        int value = i;
                        tasks.add(group.fork(() -> value));
                    }
                    group.join();
                    return tasks.stream().mapToInt(Task::get).sum();
                });
                assertThat(sum).isEqualTo(190);
                groups++;
            }
        } finally {
            stop.set(true);
            toggling.get(30, TimeUnit.SECONDS); // rethrows what the recordings threw
            toggler.shutdown();
        }
    }

    @Test
    void theOptOutLeavesNoEvents() throws Exception {
        String name = prefix + "off";
        List<RecordedEvent> events = record(Duration.ZERO, () -> {
            try (TaskGroupFactory factory =
                    TaskGroupFactory.builder().executor(pool).jfrEvents(false).build()) {
                factory.run(name, group -> {
                    group.fork("task", () -> "done");
                    group.join();
                    return null;
                });
            }
        });
        assertThat(events).isEmpty();
    }

    @Test
    void noEventOfASpanThatBeganBeforeTheRecording() throws Exception {
        String name = prefix + "before";
        try (TaskGroupFactory factory = factory();
                Recording recording = new Recording()) {
            recording.enable(GROUP).withThreshold(Duration.ZERO);
            recording.enable(TASK).with(RUN_TIME_THRESHOLD, "0 ms");
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            TaskGroup group = factory.open(name);
            group.fork("early", () -> {
                started.countDown();
                return release.await(10, TimeUnit.SECONDS);
            });
            started.await();
            List<RecordedEvent> events = record(recording, () -> {
                release.countDown();
                group.join();
                group.close();
                factory.run(name + "-later", g -> {
                    g.fork("later", () -> "done");
                    return null;
                });
            });
            assertThat(events)
                    .extracting(e -> e.getEventType().getName() + " " + e.getString("groupName"))
                    .containsExactlyInAnyOrder(GROUP + " " + name + "-later", TASK + " " + name + "-later");
        }
    }

    @Test
    void theShippedSettingsParseAndEnableTheEvents() throws Exception {
        Configuration configuration;
        try (InputStream in = TaskGroupFactory.class.getResourceAsStream("/META-INF/taskgroup.jfc");
                Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            configuration = Configuration.create(reader);
        }
        Map<String, String> settings = configuration.getSettings();
        assertThat(settings)
                .containsEntry(GROUP + "#enabled", "true")
                .containsEntry(GROUP + "#threshold", "0 ms")
                .containsEntry(TASK + "#enabled", "true")
                .containsEntry(TASK + "#threshold", "0 ms")
                .containsEntry(TASK + "#" + RUN_TIME_THRESHOLD, "10 ms");
        String name = prefix + "jfc";
        List<RecordedEvent> events;
        try (Recording recording = new Recording(configuration)) {
            events = record(recording, () -> {
                try (TaskGroupFactory factory = factory()) {
                    factory.run(name, group -> {
                        group.fork(() -> runFor(Duration.ofMillis(15))); // over the 10 ms threshold
                        group.join();
                        return null;
                    });
                }
            });
        }
        assertThat(group(events, name).getString("outcome")).isEqualTo("succeeded");
        RecordedEvent task = task(events, name, "task-1");
        assertThat(runTime(task)).isGreaterThanOrEqualTo(Duration.ofMillis(15));
        assertThat(task.getString("outcome")).isEqualTo("succeeded");
    }

    @Test
    void aRecordingThatDoesNotNameTheEventsGetsTheShippedDefaults() throws Exception {
        String name = prefix + "defaults";
        List<RecordedEvent> events;
        try (Recording recording = new Recording()) { // no setting for either event: their annotations apply
            events = record(recording, () -> {
                try (TaskGroupFactory factory = factory()) {
                    factory.run(name, group -> {
                        group.fork("quick", () -> "done");
                        group.join();
                        return null;
                    });
                }
            });
        }
        assertThat(group(events, name).getInt("tasksForked")).isEqualTo(1);
        jdk.jfr.EventType type = jdk.jfr.EventType.getEventType(TaskFinishedEvent.class);
        Map<String, String> defaults = type.getSettingDescriptors().stream()
                .collect(Collectors.toMap(
                        jdk.jfr.SettingDescriptor::getName, jdk.jfr.SettingDescriptor::getDefaultValue));
        assertThat(defaults).containsEntry("threshold", "0 ms").containsEntry(RUN_TIME_THRESHOLD, "10 ms");
    }

    @Test
    void withoutJdkJfrTheFactoryHasNoJfrListener() {
        assertThat(JfrSupport.jfrModulePresent()).isTrue();
        assertThat(JfrSupport.listenerOrNull(false)).isNull();
        assertThat(JfrSupport.listenerOrNull(true)).isNotNull();
        List<TaskGroupListener> none = List.of();
        assertThat(JfrSupport.withJfrListener(none, false)).isSameAs(none);
        assertThat(JfrSupport.withJfrListener(none, true)).hasSize(1);
    }

    @Test
    void aRuntimeWithoutTheJdkJfrModuleRunsGroups() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classpath = System.getProperty("java.class.path");
        Process process = new ProcessBuilder(
                        java, "--limit-modules", "java.base", "-cp", classpath, JfrAbsentMain.class.getName())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("jdk.jfr present: false").contains("result: 3");
    }
}
