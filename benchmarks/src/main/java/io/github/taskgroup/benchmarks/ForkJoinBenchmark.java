package io.github.taskgroup.benchmarks;

import com.softwaremill.jox.structured.Scopes;
import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.CompletionPolicy;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupOptions;
import io.github.taskgroup.micrometer.TaskGroupMetricsListener;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
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

/**
 * Issue 7, measurement 1: a whole group (open, fork N trivial tasks, wait for all, close), one virtual
 * thread per task, for each way of doing it. The score is nanoseconds per group; divide by N for the
 * per-child cost. {@code rawVirtualThreads} is the physical floor every ratio is taken against.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-preview", "-Xms1g", "-Xmx1g"})
public class ForkJoinBenchmark {

    /** Number of children per group. */
    @Param({"1", "10", "100", "1000"})
    public int n;

    static final Integer ONE = 1;
    static final Callable<Integer> TASK = () -> ONE;
    static final Runnable RUNNABLE = () -> {};
    static final Supplier<Integer> SUPPLIER = () -> ONE;

    private ExecutorService sharedVirtualThreads; // for CompletableFuture and the taskgroup factories
    private TaskGroupFactory plain;
    private TaskGroupFactory noRename;
    private TaskGroupFactory bareExecutor;
    private TaskGroupFactory withMetrics;
    private TaskGroupFactory noJfr;
    private TaskGroupFactory inline;
    private TaskGroupFactory inlineNoJfr;
    private TaskGroupFactory withLimit;
    private TaskGroupFactory renamingOnNumberedThreads;
    private SimpleMeterRegistry registry;
    private final TaskGroupOptions defaults = TaskGroupOptions.defaults();
    // Admission control present but never limiting (issue 15 part 5): a group limit and a shared limit no
    // group of N <= 1000 can reach, and an application-written completion policy that behaves like FAIL_FAST.
    private final TaskGroupOptions unlimitedMaxConcurrency = TaskGroupOptions.builder()
            .maxConcurrency(Integer.MAX_VALUE)
            .maxQueued(Integer.MAX_VALUE)
            .build();
    private final TaskGroupOptions unlimitedSharedLimit =
            TaskGroupOptions.builder().limit(UNLIMITED).build();
    private final TaskGroupOptions ownFailFast =
            TaskGroupOptions.builder().policy(new OwnFailFast()).build();

    static final String UNLIMITED = "unlimited";

    @Setup(Level.Trial)
    public void setUp() {
        sharedVirtualThreads = Executors.newVirtualThreadPerTaskExecutor();
        // The library's defaults: on JDK 21+ the default executor starts a virtual thread per task.
        plain = TaskGroupFactory.builder().build();
        noRename = TaskGroupFactory.builder().renameThreads(false).build();
        // An executor that only starts a virtual thread: no per-executor thread registry to update.
        bareExecutor = TaskGroupFactory.builder()
                .executor(runnable -> Thread.ofVirtual().start(runnable))
                .renameThreads(false)
                .build();
        registry = new SimpleMeterRegistry();
        withMetrics = TaskGroupFactory.builder()
                .listener(new TaskGroupMetricsListener(registry, 100))
                .build();
        // The library's defaults with its JFR listener left out: what jfrEvents(true) (the default) costs while
        // no recording runs is taskGroup against this one.
        noJfr = TaskGroupFactory.builder().jfrEvents(false).build();
        // Diagnostic: each task runs inline, on the forking thread, so that a group's time is the library's own
        // bookkeeping (no thread to start, no hand-over), where a few nanoseconds per child can be resolved.
        inline = TaskGroupFactory.builder()
                .executor(Runnable::run)
                .renameThreads(false)
                .build();
        inlineNoJfr = TaskGroupFactory.builder()
                .executor(Runnable::run)
                .renameThreads(false)
                .jfrEvents(false)
                .build();
        withLimit = TaskGroupFactory.builder()
                .limit(UNLIMITED, Integer.MAX_VALUE, Integer.MAX_VALUE)
                .build();
        // Spring Boot's 'virtual' mode before it used the starter: virtual threads named taskgroup-N by the
        // executor, which each task renames to its own name at start and back at its end.
        ThreadFactory numbered = Thread.ofVirtual().name("taskgroup-", 1).factory();
        renamingOnNumberedThreads = TaskGroupFactory.builder()
                .executor(runnable -> numbered.newThread(runnable).start())
                .build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        plain.close();
        noRename.close();
        bareExecutor.close();
        withMetrics.close();
        noJfr.close();
        inline.close();
        inlineNoJfr.close();
        withLimit.close();
        renamingOnNumberedThreads.close();
        sharedVirtualThreads.close();
    }

    /** The floor: start N virtual threads, join them. */
    @Benchmark
    public Object rawVirtualThreads() throws InterruptedException {
        Thread[] threads = new Thread[n];
        for (int i = 0; i < n; i++) {
            threads[i] = Thread.ofVirtual().start(RUNNABLE);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return threads;
    }

    /** A fresh newVirtualThreadPerTaskExecutor per group, closed at the end (close waits for all). */
    @Benchmark
    public Object virtualThreadPerTaskExecutor() throws Exception {
        Object last = null;
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            @SuppressWarnings("unchecked")
            Future<Integer>[] futures = new Future[n];
            for (int i = 0; i < n; i++) {
                futures[i] = executor.submit(TASK);
            }
            for (Future<Integer> future : futures) {
                last = future.get();
            }
        }
        return last;
    }

    /** JDK 25 preview StructuredTaskScope with its default joiner (all must succeed). */
    @Benchmark
    public Object structuredTaskScope() throws InterruptedException {
        try (var scope = StructuredTaskScope.<Integer>open()) {
            for (int i = 0; i < n; i++) {
                scope.fork(TASK);
            }
            return scope.join();
        }
    }

    /** supplyAsync on a shared virtual-thread executor, then allOf().join(). */
    @Benchmark
    public Object completableFutureAllOf() {
        CompletableFuture<?>[] futures = new CompletableFuture<?>[n];
        for (int i = 0; i < n; i++) {
            futures[i] = CompletableFuture.supplyAsync(SUPPLIER, sharedVirtualThreads);
        }
        return CompletableFuture.allOf(futures).join();
    }

    /** Jox supervised scope: fork N, join each fork. */
    @Benchmark
    public Object joxSupervised() throws InterruptedException {
        return Scopes.supervised(scope -> {
            @SuppressWarnings("unchecked")
            com.softwaremill.jox.structured.Fork<Integer>[] forks = new com.softwaremill.jox.structured.Fork[n];
            for (int i = 0; i < n; i++) {
                forks[i] = scope.fork(TASK);
            }
            Integer last = null;
            for (com.softwaremill.jox.structured.Fork<Integer> fork : forks) {
                last = fork.join();
            }
            return last;
        });
    }

    /** taskgroup with the library defaults on virtual threads: JFR events on (no recording), no other listener. */
    @Benchmark
    public Object taskGroup() throws InterruptedException {
        return runGroup(plain);
    }

    /** taskgroup with the Micrometer metrics listener of issue 4 on a SimpleMeterRegistry. */
    @Benchmark
    public Object taskGroupMetrics() throws InterruptedException {
        return runGroup(withMetrics);
    }

    /** Diagnostic: taskgroup with renameThreads(false). */
    @Benchmark
    public Object taskGroupNoRename() throws InterruptedException {
        return runGroup(noRename);
    }

    /** Diagnostic: taskgroup with renameThreads(false) on a bare "start a virtual thread" executor. */
    @Benchmark
    public Object taskGroupNoRenameBareExecutor() throws InterruptedException {
        return runGroup(bareExecutor);
    }

    /** taskgroup with the library defaults except {@code jfrEvents(false)}: no JFR listener at all. */
    @Benchmark
    public Object taskGroupNoJfr() throws InterruptedException {
        return runGroup(noJfr);
    }

    /**
     * Diagnostic (interleaved companion only): {@code jfrEvents} on (the default), tasks run inline on the
     * forking thread, {@code renameThreads(false)}.
     */
    public Object taskGroupInline() throws InterruptedException {
        return runGroup(inline);
    }

    /** Diagnostic (interleaved companion only): as {@link #taskGroupInline()} with {@code jfrEvents(false)}. */
    public Object taskGroupInlineNoJfr() throws InterruptedException {
        return runGroup(inlineNoJfr);
    }

    /**
     * Interleaved companion only: the defaults plus a group {@code maxConcurrency} and {@code maxQueued} of
     * {@link Integer#MAX_VALUE}, a limit that is there but never reached.
     */
    public Object taskGroupMaxConcurrencyUnreached() throws InterruptedException {
        return runGroup(plain, unlimitedMaxConcurrency);
    }

    /**
     * Interleaved companion only: the defaults on an executor of numbered virtual threads that each task renames
     * (Spring Boot's 'virtual' mode before it ran on the starter), to compare with {@link #taskGroup()}.
     */
    public Object taskGroupRenamingNumberedThreads() throws InterruptedException {
        return runGroup(renamingOnNumberedThreads);
    }

    /** Interleaved companion only: every task passes a shared factory limit that is never reached. */
    public Object taskGroupSharedLimitUnreached() throws InterruptedException {
        return runGroup(withLimit, unlimitedSharedLimit);
    }

    /** Interleaved companion only: an application-written policy on the SPI that behaves like FAIL_FAST. */
    public Object taskGroupOwnPolicy() throws InterruptedException {
        return runGroup(plain, ownFailFast);
    }

    private Object runGroup(TaskGroupFactory factory) throws InterruptedException {
        return runGroup(factory, defaults);
    }

    private Object runGroup(TaskGroupFactory factory, TaskGroupOptions options) throws InterruptedException {
        try (TaskGroup group = factory.open("bench", options)) {
            for (int i = 0; i < n; i++) {
                group.fork(TASK);
            }
            group.join();
            return group;
        }
    }

    /** Fail fast, written by an application on the policy SPI: one tracker per group, a stateless decision. */
    static final class OwnFailFast implements CompletionPolicy, CompletionPolicy.Tracker {

        @Override
        public String value() {
            return "own-fail-fast";
        }

        @Override
        public Tracker newTracker(Context context) {
            return this;
        }

        @Override
        public Decision onTaskEnded(Task<?> task) {
            return task.state() == Task.State.FAILED
                    ? Decision.fail(CancellationReason.SIBLING_FAILURE)
                    : Decision.CONTINUE;
        }
    }
}
