package io.github.taskgroup;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The read-only {@link CompletableFuture} that {@link Task#completion()} and {@link TaskGroup#completion()}
 * return.
 *
 * <p>Why a {@code CompletableFuture} and not a bare {@code CompletionStage}: {@code CompletableFuture.allOf},
 * {@code anyOf} and Kotlin's {@code await()} take one, and a minimal stage would allocate a copy for each
 * {@code toCompletableFuture()}. It is read-only: only the task (or group) completes it, so
 * {@code complete}, {@code completeExceptionally}, {@code completeAsync} and {@code obtrude*} throw
 * {@link UnsupportedOperationException}. {@code cancel} is mapped: it cancels the task (or the group) with
 * reason {@link CancellationReason#EXPLICIT}, and the view completes once the task (or every task) is done,
 * with what it then reports. {@code orTimeout} and {@code completeOnTimeout} apply to a copy, which they
 * return. Dependent stages are plain {@code CompletableFuture}s.
 *
 * <p>Its {@link #defaultExecutor()}, where it completes when its source ended on an internal thread and where
 * {@code ...Async} dependents without an executor run, is {@code CompletableFuture}'s own (the common pool)
 * where that pool has at least two threads. With fewer (one or two cores), {@code CompletableFuture} would
 * start a new platform thread for every step; there it is a new virtual thread per step on JDK 21+, and a
 * shared cached pool of daemon threads ({@code taskgroup-completion-N}, retired after 60 idle seconds) on
 * JDK 17.
 *
 * <p>A group's view also collects the failures it will report (bounded like a {@link TaskGroupException}),
 * without consuming them: the owner's {@code join()} or {@code close()} still reports each one.
 */
class CompletionView<T extends @Nullable Object> extends CompletableFuture<T> {

    /** Where views complete asynchronously; see the class comment. */
    private static final Executor ASYNC = asyncExecutor(ForkJoinPool.getCommonPoolParallelism());

    private final Object source; // the DefaultTask or DefaultTaskGroup it is a view of

    CompletionView(Object source) {
        this.source = source;
    }

    // ---------------------------------------------------------------- completion by the source only

    void succeed(@Nullable T value) {
        super.complete(value);
    }

    void fail(Throwable failure) {
        super.completeExceptionally(failure);
    }

    /** Completes it on {@link #defaultExecutor()}: never on the calling (internal) thread. */
    void settleAsync(@Nullable Throwable failure, @Nullable T value) {
        defaultExecutor().execute(() -> {
            if (failure != null) {
                fail(failure);
            } else {
                succeed(value);
            }
        });
    }

    @Override
    public Executor defaultExecutor() {
        return ASYNC;
    }

    /** @param commonParallelism the common pool's parallelism, a parameter so that tests can choose it */
    static Executor asyncExecutor(int commonParallelism) {
        if (commonParallelism > 1) {
            return ForkJoinPool.commonPool(); // what CompletableFuture itself uses there
        }
        return TaskGroupExecutors.virtualThreadsAvailable()
                ? TaskGroupExecutors.virtualThreadStarter()
                : SharedPlatformPool.INSTANCE;
    }

    /** Made only on a JDK without virtual threads whose common pool is too small. */
    private static final class SharedPlatformPool {
        static final ExecutorService INSTANCE = TaskGroupExecutors.platformThreads("taskgroup-completion-");
    }

    // ---------------------------------------------------------------- read-only

    @Override
    public boolean complete(T value) {
        throw readOnly();
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        throw readOnly();
    }

    @Override
    public void obtrudeValue(T value) {
        throw readOnly();
    }

    @Override
    public void obtrudeException(Throwable ex) {
        throw readOnly();
    }

    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor executor) {
        throw readOnly();
    }

    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier) {
        throw readOnly();
    }

    @Override
    public CompletableFuture<T> orTimeout(long timeout, TimeUnit unit) {
        return copy().orTimeout(timeout, unit);
    }

    @Override
    public CompletableFuture<T> completeOnTimeout(T value, long timeout, TimeUnit unit) {
        return copy().completeOnTimeout(value, timeout, unit);
    }

    /**
     * Cancels the task, or the group, with reason {@link CancellationReason#EXPLICIT}. The view is not
     * completed by this call: it completes when the task (or every task of the group) is done, with what it
     * reports then (a cancelled task: a {@code CancellationException}; a quietly cancelled group: normally,
     * unless a task failed genuinely).
     *
     * @return whether this call cancelled the task (or the group)
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return source instanceof DefaultTask<?> task ? task.cancel() : ((DefaultTaskGroup) source).cancel();
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>(); // dependents are plain, writable futures
    }

    private UnsupportedOperationException readOnly() {
        return new UnsupportedOperationException(
                "The completion view of " + source + " is read-only: only it completes it (cancel() cancels it)");
    }

    /** A group's view: it also collects the failures it will report (a task's view stays 24 bytes). */
    static final class OfGroup extends CompletionView<@Nullable Void> {

        /** The failures it reports; guarded by the group's lock; null once settled. */
        @Nullable
        List<FailureRecord.Entry> failures;

        int omittedFailures; // guarded by the group's lock

        OfGroup(DefaultTaskGroup group, List<FailureRecord.Entry> unreported, int omitted) {
            super(group);
            this.failures = unreported;
            this.omittedFailures = omitted;
        }

        /** Collects a failure, while it is pending. Called under the group's lock. */
        void add(FailureRecord.Entry entry) {
            List<FailureRecord.Entry> list = failures;
            if (list == null) {
                return;
            }
            if (list.size() < TaskGroupException.MAX_RECORDED_FAILURES) {
                list.add(entry);
            } else {
                omittedFailures++;
            }
        }
    }
}
