package io.github.taskgroup.benchmarks;

import com.softwaremill.jox.structured.Scopes;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupExecutors;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.StructuredTaskScope;

/**
 * Issue 7, measurement 2: cancellation latency. A group has {@code children} tasks parked in
 * {@code Thread.sleep}; one more task waits until every one of them is parked (its thread in state
 * TIMED_WAITING), takes {@code t0 = System.nanoTime()} and throws. We record, relative to t0:
 * <ul>
 *   <li>woken: the owner's {@code join()} has thrown (its catch block reads the clock first thing);</li>
 *   <li>all finished: the latest {@code finally} of the sleeping siblings (each writes the clock);</li>
 *   <li>closed: {@code close()} has returned.</li>
 * </ul>
 * For Jox there is no separate join: the owner is woken when {@code supervised} throws, which is also
 * when the scope is closed. Rounds alternate between the implementations, after warm-up rounds.
 */
public final class CancellationLatency {

    private static final long SLEEP_MILLIS = 60_000;

    private final int children;
    private final Thread[] threads;
    private final long[] ends;
    private volatile long t0;
    private CountDownLatch started;

    private CancellationLatency(int children) {
        this.children = children;
        this.threads = new Thread[children];
        this.ends = new long[children];
    }

    private void reset() {
        java.util.Arrays.fill(threads, null);
        java.util.Arrays.fill(ends, 0L);
        t0 = 0;
        started = new CountDownLatch(children);
    }

    private Callable<Void> sleeper(int i) {
        return () -> {
            threads[i] = Thread.currentThread();
            started.countDown();
            try {
                Thread.sleep(SLEEP_MILLIS);
            } finally {
                ends[i] = System.nanoTime();
            }
            return null;
        };
    }

    private Callable<Void> thrower() {
        return () -> {
            started.await();
            Parking.awaitAll(threads, Thread.State.TIMED_WAITING);
            t0 = System.nanoTime();
            throw new IllegalStateException("boom");
        };
    }

    private long latestEnd() {
        long latest = 0;
        for (long end : ends) {
            if (end == 0) {
                throw new AssertionError("a sibling did not finish");
            }
            latest = Math.max(latest, end);
        }
        return latest;
    }

    /** {woken, allFinished, closed} in nanoseconds after t0. */
    long[] taskGroup(TaskGroupFactory factory) throws InterruptedException {
        reset();
        long woken = 0;
        try (TaskGroup group = factory.open("cancel", TaskGroupOptions.defaults())) {
            for (int i = 0; i < children; i++) {
                group.fork(sleeper(i));
            }
            group.fork(thrower());
            try {
                group.join();
                throw new AssertionError("join did not throw");
            } catch (RuntimeException expected) {
                woken = System.nanoTime();
            }
        }
        long closed = System.nanoTime();
        return new long[] {woken - t0, latestEnd() - t0, closed - t0};
    }

    long[] structuredTaskScope() throws InterruptedException {
        reset();
        long woken = 0;
        var scope = StructuredTaskScope.open();
        try {
            for (int i = 0; i < children; i++) {
                scope.fork(sleeper(i));
            }
            scope.fork(thrower());
            try {
                scope.join();
                throw new AssertionError("join did not throw");
            } catch (StructuredTaskScope.FailedException expected) {
                woken = System.nanoTime();
            }
        } finally {
            scope.close();
        }
        long closed = System.nanoTime();
        return new long[] {woken - t0, latestEnd() - t0, closed - t0};
    }

    long[] jox() throws InterruptedException {
        reset();
        long woken = 0;
        try {
            Scopes.supervised(scope -> {
                List<com.softwaremill.jox.structured.Fork<Void>> forks = new ArrayList<>(children);
                for (int i = 0; i < children; i++) {
                    forks.add(scope.fork(sleeper(i)));
                }
                scope.fork(thrower());
                for (var fork : forks) {
                    fork.join();
                }
                return null;
            });
            throw new AssertionError("supervised did not throw");
        } catch (RuntimeException expected) {
            woken = System.nanoTime();
        }
        return new long[] {woken - t0, latestEnd() - t0, woken - t0};
    }

    public static void main(String[] args) throws Exception {
        int children = Parking.intArg(args, "--children", 1000);
        int warmup = Parking.intArg(args, "--warmup", 30);
        int rounds = Parking.intArg(args, "--rounds", 100);
        String out = Parking.stringArg(args, "--out", null);
        CancellationLatency harness = new CancellationLatency(children);
        TaskGroupFactory factory = TaskGroupFactory.builder()
                .executor(TaskGroupExecutors.virtualThreads())
                .build();
        String[] names = {"taskgroup", "StructuredTaskScope", "Jox supervised"};
        long[][][] results = new long[3][3][rounds];
        for (int round = -warmup; round < rounds; round++) {
            for (int impl = 0; impl < 3; impl++) {
                long[] r = switch (impl) {
                    case 0 -> harness.taskGroup(factory);
                    case 1 -> harness.structuredTaskScope();
                    default -> harness.jox();
                };
                if (round >= 0) {
                    for (int k = 0; k < 3; k++) {
                        results[impl][k][round] = r[k];
                    }
                }
            }
        }
        factory.close();
        StringBuilder md = new StringBuilder();
        md.append("| implementation | owner woken (µs) | all siblings finished (µs) | close() returned (µs) |\n");
        md.append("|---|---:|---:|---:|\n");
        for (int impl = 0; impl < 3; impl++) {
            md.append("| ").append(names[impl]);
            for (int k = 0; k < 3; k++) {
                md.append(" | ").append(Parking.summary(results[impl][k]));
            }
            md.append(" |\n");
        }
        long tgWoken = Parking.median(results[0][0]);
        long stsWoken = Parking.median(results[1][0]);
        long tgAll = Parking.median(results[0][1]);
        long stsClosed = Parking.median(results[1][2]);
        md.append(String.format(
                java.util.Locale.ROOT,
                "%nMedians of %d rounds (p10 to p90 in brackets), %d sleeping children, after %d warm-up rounds."
                        + "%nTargets: taskgroup all-finished %s µs vs StructuredTaskScope close() %s µs (%s);"
                        + " taskgroup woken %s µs vs StructuredTaskScope join() %s µs: %.2fx (%s, target <= 2x).%n",
                rounds,
                children,
                warmup,
                Parking.micros(tgAll),
                Parking.micros(stsClosed),
                tgAll <= stsClosed ? "met" : "MISSED",
                Parking.micros(tgWoken),
                Parking.micros(stsWoken),
                (double) tgWoken / stsWoken,
                tgWoken <= 2 * stsWoken ? "met" : "MISSED"));
        System.out.print(md);
        if (out != null) {
            Files.writeString(Path.of(out), md);
        }
    }
}
