package io.github.taskgroup.benchmarks;

import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 18: what {@code Task.completion()} costs. Tasks run on the benchmark thread (no thread start to
 * drown the figure), so each pair differs only by asking for the view: {@code ranThenAsked} asks a task
 * that already ended (the view is made and completed at once); {@code askedThenRan} asks a pending task,
 * then runs it (the view is made, then completed by the task's end). The difference with the baseline of
 * each pair is the cost of the view: time, and bytes per operation with {@code -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-preview", "-Xms1g", "-Xmx1g"})
public class CompletionViewBenchmark {

    static final Integer ONE = 1;
    static final Callable<Integer> TASK = () -> ONE;

    private Runnable deferred; // the task the deferring executor was handed, run by the benchmark
    private TaskGroupFactory inline;
    private TaskGroupFactory deferring;
    private TaskGroup inlineGroup;
    private TaskGroup deferringGroup;

    @Setup(Level.Trial)
    public void setUp() {
        inline = TaskGroupFactory.builder()
                .executor(Runnable::run)
                .renameThreads(false)
                .build();
        Executor defer = runnable -> deferred = runnable;
        deferring =
                TaskGroupFactory.builder().executor(defer).renameThreads(false).build();
        inlineGroup = inline.openRoot("inline", io.github.taskgroup.TaskGroupOptions.defaults());
        deferringGroup = deferring.openRoot("deferring", io.github.taskgroup.TaskGroupOptions.defaults());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        inlineGroup.join();
        deferringGroup.join();
        inlineGroup.close();
        deferringGroup.close();
        inline.close();
        deferring.close();
    }

    @Benchmark
    public Task<Integer> ranBaseline() {
        return inlineGroup.fork(TASK);
    }

    @Benchmark
    public CompletableFuture<Integer> ranThenAsked() {
        return inlineGroup.fork(TASK).completion();
    }

    @Benchmark
    public Task<Integer> pendingBaseline() {
        Task<Integer> task = deferringGroup.fork(TASK);
        deferred.run();
        return task;
    }

    @Benchmark
    public CompletableFuture<Integer> askedThenRan() {
        Task<Integer> task = deferringGroup.fork(TASK);
        CompletableFuture<Integer> view = task.completion();
        deferred.run();
        return view;
    }
}
