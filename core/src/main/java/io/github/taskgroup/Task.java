package io.github.taskgroup;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/**
 * A handle to a task forked into a {@link TaskGroup}. The group owns the task: it is awaited by
 * {@link TaskGroup#join()} and cancelled with the group. The handle is the only thing that keeps a
 * finished task reachable.
 *
 * <p>Memory consistency effects: actions in a thread prior to the {@code fork} that made this task
 * <i>happen-before</i> the task's code begins. Actions taken by the task happen-before {@link #get()}
 * returns its value or throws its failure, before any read of {@link #state()} that sees a final state
 * after the task ran, and before its {@link #completion()} view completes. A {@link
 * java.util.concurrent.CancellationException} that {@code get()} throws when the group is cancelled may
 * come while the task's code still runs: it gives no edge from the task.
 *
 * <p>The interface is sealed: tasks come from {@link TaskGroup#fork(String, java.util.concurrent.Callable)}
 * and its overloads.
 *
 * @param <T> the type of the task's result, a nullable type when its code may return {@code null}
 */
public sealed interface Task<T extends @Nullable Object> permits DefaultTask {

    /**
     * The state of a task. The legal transitions are {@code PENDING -> RUNNING -> SUCCEEDED | FAILED |
     * CANCELLED} and {@code PENDING -> CANCELLED | FAILED} (cancelled before it started, or rejected by the
     * executor).
     */
    enum State {
        /** Forked, waiting for a thread or a concurrency permit. */
        PENDING,
        /** Running on a thread. A running task that was cancelled stays here until its code returns. */
        RUNNING,
        /** Returned a value, and was not cancelled before it did. */
        SUCCEEDED,
        /** Threw a genuine failure (see {@link TaskGroup} for what counts as one). */
        FAILED,
        /** Cancelled: it never started, or it was interrupted and ended without a genuine failure. */
        CANCELLED;

        /** @return whether this is one of the three final states */
        public boolean isDone() {
            return ordinal() >= SUCCEEDED.ordinal();
        }
    }

    /** @return the task's name: the one given to {@code fork}, or {@code task-<n>} */
    String name();

    /** @return the group that owns this task */
    TaskGroup group();

    /** @return the current state */
    State state();

    /**
     * Waits until the task is done and returns its result.
     *
     * <p>The wait ends early when the task, or its group, is cancelled: cancelling a group wakes every
     * {@code get()} on its tasks at once, even while the cancelled task's code is still winding down.
     *
     * @return the value the task returned, which is {@code null} if its code returned {@code null}
     * @throws CancellationException if the task was cancelled; when the group was cancelled because of a
     *         failure, the exception's cause is that failure. Also thrown, with the thread's interrupt
     *         status set again, when the waiting thread is interrupted.
     * @throws CompletionException if the task failed; its cause is the failure
     */
    T get();

    /**
     * A view of this task's completion that never blocks: it completes with the task's value, exceptionally
     * with its failure, or, when the task is cancelled, with a {@link CancellationException} whose cause is
     * the group's first failure (as {@link #get()} has it). Unlike {@code get()}, it waits for the task's
     * final state: a task of a cancelled group that then fails genuinely completes it with the failure.
     *
     * <p>The view is made on the first call (later calls return the same one), so a task nobody asks costs
     * nothing. It is read-only: {@code complete}, {@code completeExceptionally}, {@code completeAsync} and
     * {@code obtrude*} throw {@link UnsupportedOperationException}; {@code cancel(boolean)} cancels the task
     * like {@link #cancel()} (reason {@link CancellationReason#EXPLICIT}), and the view then completes when
     * the task is done. {@code orTimeout} and {@code completeOnTimeout} apply to a copy, which they return.
     *
     * <p>Dependent stages registered without an executor run, when the task ran, on the task's own thread
     * once the task was counted off (its group's {@code join()} no longer waits for it, the next queued task
     * was dispatched, the thread's name and context are restored; a thread born with the task's name, on
     * {@link TaskGroupExecutors#virtualThreadStarter()}, keeps that name); when it ended without running
     * (cancelled while pending, rejected), on the view's {@code defaultExecutor()} (see
     * {@link TaskGroup#completion()}); and, once the view is complete, on the thread that registers them. The
     * task's actions happen-before the view completes.
     *
     * @return the read-only completion view of this task
     */
    java.util.concurrent.CompletableFuture<T> completion();

    /** @return the failure when the state is {@link State#FAILED}, otherwise {@code null} */
    @Nullable
    Throwable exception();

    /**
     * @return why the task was cancelled, once cancellation was requested for it and unless it
     *         {@linkplain State#SUCCEEDED succeeded} or {@linkplain State#FAILED failed} anyway; otherwise
     *         {@code null}
     */
    @Nullable
    CancellationReason cancellationReason();

    /**
     * Cancels this task only (reason {@link CancellationReason#EXPLICIT}); the group and the other tasks go
     * on. A pending task never starts; a running task is interrupted and ends {@link State#CANCELLED}, unless
     * it then fails genuinely. The live groups its code opened are cancelled with it (reason
     * {@link CancellationReason#PARENT}: their {@code join()} throws), and a group it opens afterwards opens
     * cancelled. A cancelled task is not a failure of the group.
     *
     * @return {@code true} if this call cancelled the task, {@code false} if it was already done or already
     *         cancelled
     */
    boolean cancel();

    /**
     * Cancels this task only, like {@link #cancel()}, for {@code reason}: the reason that
     * {@link #cancellationReason()}, the exception of {@link #get()}, the listeners (meters, JFR) and the
     * snapshots report. For example, an adapter that cancels a task because the HTTP client went away passes
     * {@link CancellationReason#REQUEST_ABORTED}. The group and the other tasks go on, whatever the reason: it
     * names why this task stopped, it does not act on the group (a task cancelled with
     * {@link CancellationReason#TIMEOUT} does not time the group out).
     *
     * @param reason why the task is cancelled
     * @return {@code true} if this call cancelled the task, {@code false} if it was already done or already
     *         cancelled (then its first reason stays)
     * @throws NullPointerException if {@code reason} is null
     */
    boolean cancel(CancellationReason reason);
}
