package io.github.taskgroup.benchmarks;

import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupExecutors;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupOptions;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Issue 7, measurement 4: 1,000 tasks under a concurrency limit of 8, taskgroup's {@code maxConcurrency}
 * against hand-written {@link Semaphore} versions. Score: nanoseconds per 1,000-task batch.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-preview", "-Xms1g", "-Xmx1g"})
public class LimitBenchmark {

    static final int LIMIT = 8;

    /** Number of tasks per batch. */
    @Param({"1000"})
    public int tasks;

    /** CPU work per task, in Blackhole.consumeCPU tokens (0: a trivial task). */
    @Param({"0"})
    public int work;

    private TaskGroupFactory factory;
    private TaskGroupOptions limited;

    @Setup(Level.Trial)
    public void setUp() {
        factory = TaskGroupFactory.builder()
                .executor(TaskGroupExecutors.virtualThreads())
                .build();
        limited = TaskGroupOptions.builder().maxConcurrency(LIMIT).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        factory.close();
    }

    /** The owner takes a permit before starting each virtual thread; the thread gives it back. */
    @Benchmark
    public Object semaphoreOwnerAcquires() throws InterruptedException {
        Semaphore permits = new Semaphore(LIMIT);
        Thread[] threads = new Thread[tasks];
        int w = work;
        for (int i = 0; i < tasks; i++) {
            permits.acquire();
            threads[i] = Thread.ofVirtual().start(() -> {
                try {
                    Blackhole.consumeCPU(w);
                } finally {
                    permits.release();
                }
            });
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return threads;
    }

    /** Every task gets its virtual thread at once and waits for a permit inside it. */
    @Benchmark
    public Object semaphoreInTask() throws InterruptedException {
        Semaphore permits = new Semaphore(LIMIT);
        Thread[] threads = new Thread[tasks];
        int w = work;
        for (int i = 0; i < tasks; i++) {
            threads[i] = Thread.ofVirtual().start(() -> {
                permits.acquireUninterruptibly();
                try {
                    Blackhole.consumeCPU(w);
                } finally {
                    permits.release();
                }
            });
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return threads;
    }

    /** taskgroup with maxConcurrency(8): queued tasks get no thread until a permit frees up. */
    @Benchmark
    public Object taskGroupMaxConcurrency() throws InterruptedException {
        int w = work;
        try (TaskGroup group = factory.open("limited", limited)) {
            for (int i = 0; i < tasks; i++) {
                group.fork(() -> {
                    Blackhole.consumeCPU(w);
                    return null;
                });
            }
            group.join();
            return group;
        }
    }
}
