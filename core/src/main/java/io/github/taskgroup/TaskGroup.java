package io.github.taskgroup;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import org.jspecify.annotations.Nullable;

/**
 * A group of concurrent tasks owned by the block that opened it: structured concurrency, as in Python's
 * {@code asyncio.TaskGroup} and Trio's nurseries.
 *
 * <pre>{@code
 * try (TaskGroup group = factory.open("checkout")) {
 *     Task<Price> price = group.fork("price", () -> prices.fetch(id));
 *     Task<Stock> stock = group.fork("stock", () -> stocks.fetch(id));
 *     group.join();
 *     return new Page(price.get(), stock.get());
 * }
 * }</pre>
 *
 * <h2>Guarantees</h2>
 * <ol>
 *   <li><b>Nothing is orphaned.</b> {@link #join()} and {@link #close()} return only when every task of the
 *       group has finished, including tasks forked by other tasks while the owner waits.</li>
 *   <li><b>Nothing is swallowed.</b> Every genuine failure of a task reaches the owner, once, in a
 *       {@link TaskGroupException}, from {@link #join()} or, when the owner never joined, from
 *       {@link #close()}. An exception that is only the echo of a cancellation ({@link InterruptedException},
 *       {@link CancellationException}, an interrupted I/O operation, or one caused by them) thrown by a task
 *       that was being cancelled is not a failure. A genuine exception thrown after the cancellation is, and
 *       so is an echo that carries genuine failures as suppressed exceptions (a nested group's
 *       {@link TaskGroupException} that try-with-resources attached to an {@code InterruptedException}): the
 *       task fails with them.</li>
 *   <li><b>Failures win.</b> When a genuine failure coincides with a cancellation or with the owner's
 *       interruption, {@code join()}, {@code close()} and {@code run()} throw {@link TaskGroupException}; an
 *       interrupted owner gets its interrupt status back.</li>
 *   <li><b>Cancellation is structured.</b> Cancelling a group, for any {@link CancellationReason},
 *       cancels its whole subtree: pending tasks never start, running tasks are interrupted, nested groups
 *       are cancelled, and every {@link #join()} and {@link Task#get()} waiting in the subtree wakes up. A
 *       group never interrupts its own owner thread.</li>
 *   <li><b>Nesting.</b> A group opened inside a task of this group, or by this group's owner while it is
 *       open, is a child of this group: it is cancelled with it, never outlives its deadline, and its
 *       failures reach this group through the task (or body) that ran it. A group opened inside a task is
 *       also cancelled when that task alone is cancelled ({@link Task#cancel()}).</li>
 * </ol>
 *
 * <p>Groups are thread-safe: any thread may fork into a group, including its own tasks. {@link #join()}
 * and {@link #close()} are meant for the owner.
 *
 * <p>Memory consistency effects: actions in a thread prior to forking a task <i>happen-before</i> the
 * task's code begins. Actions taken by a task happen-before {@link #join()} returns or throws (and
 * {@link #join(java.time.Duration)} returns {@code true}, {@link #close()} returns or throws,
 * {@link TaskGroupFactory#run} returns or throws) in the thread that waited for that task, and
 * happen-before this group's {@link #completion()} view completes. Actions prior to {@link #cancel()} (or a
 * cancellation for another reason) happen-before a task interrupted by it detects the interrupt, and
 * before any read that sees the cancellation ({@link #cancellationReason()} present). There is no edge
 * between sibling tasks, nor from a task to a {@code join(Duration)} that returned {@code false}.
 *
 * <p>The interface is sealed: groups come from a {@link TaskGroupFactory}, which is the
 * seam to replace in tests. Its guarantees rest on one implementation's state machine, and a second
 * implementation could not keep them for the groups nested in it.
 */
public sealed interface TaskGroup extends AutoCloseable permits DefaultTaskGroup {

    /**
     * The lifecycle of a group. Legal transitions:
     * {@code OPEN <-> JOINING} (the owner waits in {@code join()}), {@code OPEN | JOINING -> CANCELLING}
     * (first cancellation, for any reason), {@code OPEN | CANCELLING -> CLOSED} ({@code close()}).
     */
    enum State {
        /** Accepting tasks. */
        OPEN,
        /** Accepting tasks; the owner is waiting in {@link #join()}. */
        JOINING,
        /** Cancelled: tasks are winding down; new forks return already cancelled tasks. */
        CANCELLING,
        /** Closed: every task finished; forking throws {@link IllegalStateException}. */
        CLOSED
    }

    /** How a closed group ended, as reported to {@link TaskGroupListener#groupClosed}. */
    enum Outcome {
        /** No failure, no cancellation (or a first-success race that was won). */
        SUCCEEDED,
        /** At least one genuine failure. */
        FAILED,
        /** Cancelled for a reason other than its deadline, without a genuine failure. */
        CANCELLED,
        /** Its deadline expired, without a genuine failure. */
        TIMEOUT;

        /** @return the outcome as a lowercase word, for metric tags */
        public String value() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** @return an identifier unique within the {@link TaskGroupFactory} that opened the group */
    long id();

    /** @return the name given to {@link TaskGroupFactory#open(String)} */
    String name();

    /** @return the current state */
    State state();

    /**
     * @return the completion policy in force: a {@link TaskGroupPolicy} constant for the built-ins; its
     *         {@link CompletionPolicy#value()} names it in snapshots, meters and JFR events
     */
    CompletionPolicy policy();

    /**
     * @return the instant at which the group will be cancelled with {@link CancellationReason#TIMEOUT}: the
     *         earlier of its own deadline and its enclosing groups' deadlines; empty when there is none
     */
    Optional<Instant> deadline();

    /** @return why the group was cancelled; empty while it is not cancelled */
    Optional<CancellationReason> cancellationReason();

    /**
     * @return the attributes the group was opened with ({@link TaskGroupOptions.Builder#attribute}, merged with
     *         those of its named options and the factory's defaults): descriptions for snapshots, dumps and
     *         spans, with no effect on how it runs. Unmodifiable, fixed for the group's life; empty when none
     *         was set. Not inherited from enclosing groups.
     */
    java.util.Map<String, String> attributes();

    /**
     * Forks a task named {@code task-<n>}. See {@link #fork(String, Callable)}.
     *
     * @param callable the task's code
     * @param <T> the type of its result
     * @return the task's handle
     */
    <T extends @Nullable Object> Task<T> fork(Callable<? extends T> callable);

    /**
     * Forks a task: it runs {@code callable} on the group's executor, once a concurrency permit is free
     * (permits are granted in fork order), and, if the group uses a shared limit, once a permit of that limit
     * is free (granted in the order tasks asked for it, across groups). {@code fork} never blocks.
     *
     * <p>Forking into a cancelled group returns a task that is already {@link Task.State#CANCELLED} and
     * never runs. If the executor rejects the task, the task fails with the
     * {@link java.util.concurrent.RejectedExecutionException}, which the policy handles like any failure.
     *
     * <p>Admission control: if every permit is taken and the queue the task would wait in is full (the
     * group's {@link TaskGroupOptions.Builder#maxQueued(int) maxQueued}, or the {@code maxQueued} of its shared
     * limit), the fork is refused at once with {@link TaskRejectedException}. A refused fork creates no task:
     * the group and its tasks are unaffected, and its policy does not see it. A task waiting for a permit that
     * is cancelled (or whose group is cancelled) ends {@link Task.State#CANCELLED} without running and frees
     * its place at once.
     *
     * @param name the task's name, shown in thread names, snapshots, logs and failure messages
     * @param callable the task's code
     * @param <T> the type of its result
     * @return the task's handle
     * @throws NullPointerException if {@code name} or {@code callable} is null
     * @throws IllegalStateException if the group is closed
     * @throws TaskRejectedException if admission control refused the fork (a queue is full)
     */
    <T extends @Nullable Object> Task<T> fork(String name, Callable<? extends T> callable);

    /**
     * Forks a task named {@code task-<n>} unless admission control refuses it. See
     * {@link #tryFork(String, Callable)}.
     *
     * @param callable the task's code
     * @param <T> the type of its result
     * @return the task's handle, or empty if the fork was refused
     */
    <T extends @Nullable Object> Optional<Task<T>> tryFork(Callable<? extends T> callable);

    /**
     * Forks a task like {@link #fork(String, Callable)}, but when admission control refuses it (every permit
     * taken and the queue it would wait in full: see {@link TaskGroupOptions.Builder#maxQueued(int)} and
     * {@link TaskGroupFactory.Builder#limit(String, int, int)}) returns an empty result instead of throwing
     * {@link TaskRejectedException}. Never blocks. A refused fork creates no task and leaves the group and its
     * tasks as they were (listeners hear {@link TaskGroupListener#forkRejected}); a returned task fails and is
     * cancelled exactly like one from {@code fork}.
     *
     * @param name the task's name
     * @param callable the task's code
     * @param <T> the type of its result
     * @return the task's handle, or empty if the fork was refused
     * @throws NullPointerException if {@code name} or {@code callable} is null
     * @throws IllegalStateException if the group is closed
     */
    <T extends @Nullable Object> Optional<Task<T>> tryFork(String name, Callable<? extends T> callable);

    /**
     * Waits until every task of the group has finished, including tasks forked while waiting.
     *
     * <p>If the owner is interrupted while waiting, the group is cancelled (reason
     * {@link CancellationReason#PARENT}), every task is awaited, and {@code InterruptedException} is thrown,
     * unless a task failed genuinely (then {@link TaskGroupException}, with the interrupt status set).
     * {@code join} may be called again after forking more tasks.
     *
     * @throws InterruptedException if the owner was interrupted and no task failed genuinely
     * @throws TaskGroupException if tasks failed genuinely (each failure is reported once); a
     *         {@link TaskGroupTimeoutException} when the group's deadline expired
     * @throws CancellationException if the group was cancelled because of its enclosing group, shutdown or
     *         an aborted request, and no task failed genuinely. A group cancelled with {@link #cancel()},
     *         because a first-success race was won, or because an enclosing group was cancelled in one of
     *         these two quiet ways, returns normally.
     * @throws IllegalStateException if the group is closed
     */
    void join() throws InterruptedException;

    /**
     * Waits at most {@code timeout} for every task of the group. If they all finish in time, this is
     * {@link #join()}: same reports, same exceptions, and it returns {@code true}. If time is up while tasks
     * still run, it returns {@code false} and cancels nothing: the caller decides whether to wait again,
     * to {@link #cancel()}, or to leave (and let {@link #close()} cancel what is left). An interrupt while
     * waiting behaves as in {@link #join()}: the group is cancelled and every task awaited.
     *
     * <p>This is a wait with a patience, not a deadline of the group: for that, use
     * {@link TaskGroupOptions.Builder#timeout(java.time.Duration)}.
     *
     * @param timeout how long to wait at most
     * @return {@code true} if every task finished, {@code false} if time was up first
     * @throws InterruptedException as {@link #join()}
     * @throws TaskGroupException as {@link #join()}
     * @throws CancellationException as {@link #join()}
     * @throws IllegalStateException if the group is closed
     */
    boolean join(java.time.Duration timeout) throws InterruptedException;

    /**
     * A view of the group's completion that never blocks and does not need the owner: a {@link #join()} that
     * nobody waits in. It completes the first time, at or after the call, that no task of the group is live
     * (so tasks forked while it is pending count), with what {@code join()} would report then: normally;
     * exceptionally with a {@link TaskGroupException} (a {@link TaskGroupTimeoutException} when the deadline
     * expired) holding the failures not yet reported to the owner when the view was made and every failure
     * since; or with a {@link CancellationException} when the group was cancelled from outside. It only
     * observes: the owner's {@code join()} or {@code close()} still reports each failure, once.
     *
     * <p>A call while the view is pending returns the same view; a call after it completed makes a new one
     * (completed at once if nothing is live). After {@link #close()} it completes at once, without the
     * failures the owner was told. Read-only like {@link Task#completion()}: {@code cancel(boolean)} cancels
     * the group like {@link #cancel()}, which is quiet, so the view then completes normally unless a task
     * fails genuinely.
     *
     * <p>Dependent stages registered without an executor run on the view's {@code defaultExecutor()}, never
     * on a thread of the group; once the view is complete, on the thread that registers them. That executor
     * is {@code CompletableFuture}'s own, the common pool, where the pool has at least two threads; with fewer
     * (one or two cores), where {@code CompletableFuture} would start a new platform thread per step, it
     * starts a virtual thread per step on JDK 21+ and uses a shared cached pool of daemon threads named
     * {@code taskgroup-completion-N} on JDK 17.
     * The actions of every task it waited for happen-before the view completes.
     *
     * @return the read-only completion view of the group
     */
    java.util.concurrent.CompletableFuture<@Nullable Void> completion();

    /**
     * Cancels the group with reason {@link CancellationReason#EXPLICIT}: a quiet early exit. Pending tasks
     * never start, running tasks are interrupted, nested groups are cancelled, and {@link #join()} returns
     * normally once every task has finished, unless a task failed genuinely (before or after the cancel).
     *
     * @return {@code true} if this call cancelled the group, {@code false} if it was already cancelled or
     *         closed
     */
    default boolean cancel() {
        return cancel(CancellationReason.EXPLICIT);
    }

    /**
     * Cancels the group for the given reason; see {@link #cancel()} and {@link #join()} for what the owner
     * sees. Idempotent: only the first cancellation counts, and its reason sticks.
     *
     * @param reason why
     * @return {@code true} if this call cancelled the group
     */
    boolean cancel(CancellationReason reason);

    /**
     * Closes the group. If tasks are still running (the owner left without {@link #join()}, typically
     * because its block threw), they are cancelled (reason {@link CancellationReason#EXPLICIT}); then
     * {@code close} waits for every task. It is not interruptible: an interrupt during the wait is remembered
     * and re-asserted. Idempotent.
     *
     * @throws TaskGroupException if tasks failed genuinely and {@link #join()} has not reported those
     *         failures yet (with try-with-resources, they are attached to the block's own exception as
     *         suppressed)
     */
    @Override
    void close();
}
