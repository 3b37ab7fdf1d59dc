package io.github.taskgroup.benchmarks;

import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupListener;
import io.github.taskgroup.TaskSnapshot;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 17, third target: what the straggler watch (a factory's {@code stragglerThreshold}) costs.
 *
 * <ul>
 *   <li><b>Parked, never cancelled</b>: {@code --children} tasks park on a latch for {@code --watch-thresholds}
 *       thresholds; the watch must not wake once (its tick count stays 0, the factory's timer thread never
 *       starts).
 *   <li><b>Cancelled stragglers</b>: {@code --children} tasks that ignore their interrupt are cancelled together
 *       and kept running for {@code --watch-thresholds} thresholds; every one is reported once, and the watch
 *       wakes once per threshold at most (one or two ticks in all), not once per task. Also: the time
 *       {@code cancel()} takes per running task (interrupt plus the watch's bookkeeping) and the CPU time of the
 *       timer thread.
 * </ul>
 *
 * <p>The tick count is the watch's own counter (the one {@code StragglersTest} reads), read by reflection
 * because it is not public. Usage: {@code StragglerWatchCost [--children 1000] [--threshold-ms 100]
 * [--watch-thresholds 10] [--rounds 5] [--out file.md]}.
 */
public final class StragglerWatchCost {

    private StragglerWatchCost() {}

    /** Counts reports and remembers when the first and the last of a round came. */
    static final class Reports implements TaskGroupListener {
        final AtomicInteger count = new AtomicInteger();
        final AtomicLong firstNanos = new AtomicLong();
        final AtomicLong lastNanos = new AtomicLong();

        @Override
        public void taskStraggling(Task<?> task, TaskSnapshot snapshot) {
            long now = System.nanoTime();
            if (count.getAndIncrement() == 0) {
                firstNanos.set(now);
            }
            lastNanos.set(now);
        }

        void reset() {
            count.set(0);
        }
    }

    public static void main(String[] args) throws Exception {
        int children = Parking.intArg(args, "--children", 1000);
        int thresholdMs = Parking.intArg(args, "--threshold-ms", 100);
        int watchThresholds = Parking.intArg(args, "--watch-thresholds", 10);
        int rounds = Parking.intArg(args, "--rounds", 5);
        String out = Parking.stringArg(args, "--out", null);
        if (children < 1 || thresholdMs < 1 || watchThresholds < 2 || rounds < 1) {
            throw new IllegalArgumentException(
                    "--children, --threshold-ms and --rounds must be at least 1, --watch-thresholds at least 2");
        }
        quietWarnings();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Reports reports = new Reports();
        StringBuilder md = new StringBuilder();
        md.append(String.format(
                Locale.ROOT,
                "%d tasks, threshold %d ms, each case watched for %d thresholds, %d rounds (a new factory per"
                        + " round, default virtual-thread executor)%n%n",
                children,
                thresholdMs,
                watchThresholds,
                rounds));
        md.append("| round | parked, not cancelled: ticks | timer thread started | cancelled stragglers: reported"
                + " | ticks in the time watched | first / last report after cancel (ms) | cancel() per running task (ns) | timer"
                + " thread CPU (ms) |\n");
        md.append("|---:|---:|---|---:|---:|---:|---:|---:|\n");
        for (int round = 1; round <= rounds; round++) {
            reports.reset();
            awaitNoTimer(); // the previous round's factory closed its timer; its thread ends on its own
            try (TaskGroupFactory factory = TaskGroupFactory.builder()
                    .name("straggler-cost-" + round)
                    .stragglerThreshold(Duration.ofMillis(thresholdMs))
                    .listener(reports)
                    .build()) {
                // 1. Parked, never cancelled.
                CountDownLatch started = new CountDownLatch(children);
                CountDownLatch release = new CountDownLatch(1);
                try (TaskGroup group = factory.open("parked")) {
                    for (int i = 0; i < children; i++) {
                        group.fork(() -> {
                            started.countDown();
                            release.await();
                            return null;
                        });
                    }
                    started.await();
                    Thread.sleep(watchThresholds * (long) thresholdMs); // the window watched, not a wait for an event
                    long parkedTicks = ticks(factory);
                    boolean timerStarted = timerThread() != null;
                    release.countDown();
                    group.join();

                    // 2. Cancelled stragglers: they swallow their interrupt until released.
                    CountDownLatch started2 = new CountDownLatch(children);
                    CountDownLatch release2 = new CountDownLatch(1);
                    long cancelNanos;
                    long cancelledAt;
                    try (TaskGroup stubborn = factory.open("stubborn")) {
                        for (int i = 0; i < children; i++) {
                            stubborn.fork(() -> {
                                started2.countDown();
                                while (true) {
                                    try {
                                        release2.await();
                                        return null;
                                    } catch (InterruptedException ignored) {
                                        // a straggler: it ignores its cancellation
                                    }
                                }
                            });
                        }
                        started2.await();
                        cancelledAt = System.nanoTime();
                        stubborn.cancel();
                        cancelNanos = System.nanoTime() - cancelledAt;
                        long deadline =
                                cancelledAt + TimeUnit.MILLISECONDS.toNanos(watchThresholds * (long) thresholdMs);
                        Thread.sleep(Math.max(0L, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                        // A slow machine may need longer than the window: keep watching, a threshold at a time,
                        // until every straggler was reported (bounded: 100 thresholds).
                        for (int extra = 0; reports.count.get() < children && extra < 100; extra++) {
                            Thread.sleep(thresholdMs);
                        }
                        long watchedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cancelledAt);
                        long stragglerTicks = ticks(factory);
                        Thread timer = timerThread();
                        long timerCpu = timer == null ? 0L : threads.getThreadCpuTime(timer.threadId());
                        int reported = reports.count.get();
                        release2.countDown();
                        try {
                            stubborn.join();
                        } catch (Exception expected) {
                            // cancelled: join reports it
                        }
                        md.append(String.format(
                                Locale.ROOT,
                                "| %d | %d | %s | %d | %d in %d ms | %.0f / %.0f | %,d | %.2f |%n",
                                round,
                                parkedTicks,
                                timerStarted ? "yes" : "no",
                                reported,
                                stragglerTicks,
                                watchedMs,
                                reported == 0 ? Double.NaN : (reports.firstNanos.get() - cancelledAt) / 1e6,
                                reported == 0 ? Double.NaN : (reports.lastNanos.get() - cancelledAt) / 1e6,
                                cancelNanos / children,
                                timerCpu / 1e6));
                        if (reported != children) {
                            throw new IllegalStateException(
                                    "expected " + children + " straggler reports, got " + reported);
                        }
                    }
                }
            }
        }
        md.append(String.format(
                Locale.ROOT,
                "%nA tick is one wake-up of the watch on the factory's timer thread (\"taskgroup-deadlines\");"
                        + " reports come between one and two thresholds after the cancellation.%n"));
        System.out.print(md);
        if (out != null) {
            Files.writeString(Path.of(out), md);
        }
    }

    /**
     * The watch logs a WARN line with the stack of each straggler through {@code System.Logger}, here
     * java.util.logging: format each record as the console would (so its cost stays in the figures) and drop it,
     * instead of printing a thousand stacks per round.
     */
    static void quietWarnings() {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger("io.github.taskgroup.StragglerWatch");
        logger.setUseParentHandlers(false);
        java.util.logging.SimpleFormatter formatter = new java.util.logging.SimpleFormatter();
        logger.addHandler(new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                sink = formatter.format(record);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        });
        KEEP.add(logger); // the JUL manager holds loggers weakly
    }

    static final java.util.List<Object> KEEP = new java.util.ArrayList<>();

    static volatile Object sink;

    /** The watch's tick counter, package-private in the core: {@code factory.stragglers().ticks()}. */
    static long ticks(TaskGroupFactory factory) throws ReflectiveOperationException {
        Method stragglers = factory.getClass().getDeclaredMethod("stragglers");
        stragglers.setAccessible(true);
        Object watch = stragglers.invoke(factory);
        Method ticks = watch.getClass().getDeclaredMethod("ticks");
        ticks.setAccessible(true);
        return (long) ticks.invoke(watch);
    }

    static void awaitNoTimer() throws InterruptedException {
        Thread timer;
        while ((timer = timerThread()) != null) {
            timer.join();
        }
    }

    static Thread timerThread() {
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().equals("taskgroup-deadlines") && thread.isAlive()) {
                return thread;
            }
        }
        return null;
    }
}
