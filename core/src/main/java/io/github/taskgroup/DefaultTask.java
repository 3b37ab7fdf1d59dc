package io.github.taskgroup;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadFactory;
import org.jspecify.annotations.Nullable;

/**
 * The task implementation, and the runnable the executor runs.
 *
 * <p>State transitions (see {@link Task.State}), each made while holding this task's monitor:
 * <pre>
 *   PENDING -> RUNNING            start(): a thread picked it up
 *   PENDING -> CANCELLED          cancel() before it started; it will never run
 *   PENDING -> FAILED             the executor rejected it
 *   RUNNING -> SUCCEEDED          its code returned and no cancellation was requested
 *   RUNNING -> FAILED             its code threw a genuine failure (cancellation requested or not)
 *   RUNNING -> CANCELLED          cancellation was requested and its code returned or threw only an echo
 * </pre>
 * The monitor also orders {@code cancel()}'s interrupt against the end of the run: once the runner has
 * left, no interrupt for this task can reach its thread, and the runner clears any interrupt it got, so
 * that nothing leaks into the next task of a pooled thread. An interrupt the thread had before the task
 * started (an owner that forks with an inline executor) is put aside during the run and given back after.
 *
 * <p>Size matters here (one per task, alive while the task runs and as long as its handle is kept): no
 * field is kept for what only some tasks need, and {@link #outcome} holds the work before the task ends.
 */
final class DefaultTask<T extends @Nullable Object> implements Task<T>, Runnable {

    private static final System.Logger LOG = System.getLogger(DefaultTask.class.getName());

    private final DefaultTaskGroup group;
    private final int sequence;
    private final @Nullable String name; // null: "task-<sequence>", built on demand
    private final long forkedAtNanos;

    /**
     * The task's {@link Task.State} and the reason its cancellation was requested, in one byte: the state's
     * ordinal in the low 3 bits, the reason's ordinal + 1 above them (0: none requested; set once, and kept
     * through the end, whatever the final state). Written only under this task's monitor, read by any thread
     * (volatile); 0 is PENDING without a reason, so a new task costs no volatile write here. One byte for two
     * fields (see {@link #state()} and {@link #reason()}) keeps the task at 56 bytes.
     */
    private volatile byte status;

    private static final Task.State[] STATES = Task.State.values();
    private static final CancellationReason[] REASONS = CancellationReason.values();
    private static final int STATE_BITS = 3;
    private static final int STATE_MASK = (1 << STATE_BITS) - 1;

    static {
        if (STATES.length > STATE_MASK + 1 || ((REASONS.length + 1) << STATE_BITS) > Byte.MAX_VALUE) {
            throw new ExceptionInInitializerError("Task.State or CancellationReason outgrew DefaultTask.status");
        }
    }

    private @Nullable Thread runner; // guarded by this; also read unguarded by the runner itself (see run())

    /**
     * Until the task ends, what is left to run: its {@link Callable} (with context propagators, the runnable
     * they wrapped around an {@link Invocation} of it), set to null when taken or when the task is cancelled
     * before it started. Once the task ends: its value or failure (null when cancelled), published by the
     * volatile write of {@link #status}, which is what readers check first. One field for both, so that a
     * finished task's handle does not pin what its code captured, and a task is a word smaller. Written
     * only under this task's monitor, except by the runner taking the callable (after it made the task
     * RUNNING under the monitor, so nobody else writes it until the end).
     */
    private @Nullable Object outcome;

    /**
     * The view {@link #completion()} made, on first request (a CAS); null while nobody asked, so that a task
     * nobody asks for costs one null check when it ends. The one field kept for what only some tasks need
     * (it takes the task from 48 to 56 bytes): a side table in the group would save it, at the price of a
     * hash lookup per request and no stable view once the task ended.
     */
    private volatile @Nullable CompletionView<T> view;

    private static final VarHandle VIEW;

    static {
        try {
            VIEW = MethodHandles.lookup().findVarHandle(DefaultTask.class, "view", CompletionView.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The next task in its group's {@link TaskList}. */
    volatile @Nullable DefaultTask<?> next;

    /** Whether this task holds one of its group's concurrency permits; guarded by the group's lock. */
    boolean holdsPermit;

    /**
     * Whether this task holds a permit of its group's shared {@link ConcurrencyLimit}; guarded by that limit's
     * lock. Fits in the object's padding, with the two other booleans: a task is no bigger for it.
     */
    boolean holdsLimitPermit;

    /**
     * Whether a dispatch loop is inside {@code execute(this)}; written by that loop's thread only, so that
     * the thread sees it exactly (the only case that matters: the task ran inline there), and other threads
     * may read it stale (they only do a needless thread-local check). Fits in the object's padding.
     */
    boolean inDispatch;

    /**
     * Whether {@link VirtualThreadStarter} made this task's thread with the task's name, so that the run leaves
     * the name alone. Written by the forking thread before it starts that thread, read by that thread (the
     * start orders the two). Fits in the object's padding.
     */
    private boolean threadBornNamed;

    DefaultTask(
            DefaultTaskGroup group,
            int sequence,
            @Nullable String name,
            Callable<? extends T> callable,
            List<ContextPropagator> propagators) {
        this.group = group;
        this.sequence = sequence;
        this.name = name;
        this.forkedAtNanos = System.nanoTime();
        if (propagators.isEmpty()) {
            this.outcome = callable;
        } else {
            Runnable run = new Invocation<>(this, callable);
            for (int i = propagators.size() - 1; i >= 0; i--) {
                run = propagators.get(i).wrap(run);
            }
            this.outcome = run;
        }
    }

    @Override
    public String name() {
        return name != null ? name : "task-" + sequence;
    }

    @Override
    public TaskGroup group() {
        return group;
    }

    @Override
    public Task.State state() {
        return stateOf(status);
    }

    /** The reason cancellation of this task was requested, or {@code null}; kept once the task ended. */
    private @Nullable CancellationReason reason() {
        return reasonOf(status);
    }

    private static Task.State stateOf(int status) {
        return STATES[status & STATE_MASK];
    }

    private static @Nullable CancellationReason reasonOf(int status) {
        int requested = status >>> STATE_BITS;
        return requested == 0 ? null : REASONS[requested - 1];
    }

    /** Publishes a new state with the reason; the caller holds this task's monitor. */
    private void publish(Task.State state, @Nullable CancellationReason reason) {
        status = (byte) ((reason == null ? 0 : (reason.ordinal() + 1) << STATE_BITS) | state.ordinal());
    }

    @Override
    public @Nullable Throwable exception() {
        return state() == Task.State.FAILED ? (Throwable) outcome : null;
    }

    @Override
    public @Nullable CancellationReason cancellationReason() {
        int current = status; // one read: the state and the reason it had together
        Task.State state = stateOf(current);
        return state == Task.State.SUCCEEDED || state == Task.State.FAILED ? null : reasonOf(current);
    }

    @Override
    @SuppressWarnings("unchecked")
    public T get() {
        if (!state().isDone() && reason() == null && !group.isCancelled()) {
            group.awaitTask(this);
        }
        Task.State current = state();
        if (current == Task.State.SUCCEEDED) {
            return (T) outcome;
        }
        if (current == Task.State.FAILED) {
            Throwable failure = (Throwable) outcome;
            throw new CompletionException(describe() + " failed: " + Failures.summary(failure), failure);
        }
        CancellationReason requested = reason();
        CancellationReason reason = requested != null ? requested : group.cancellationReasonOrNull();
        if (current == Task.State.CANCELLED || reason != null) {
            throw cancelled(reason);
        }
        // The waiting thread was interrupted: the wait ends as a cancellation, with the interrupt kept.
        Thread.currentThread().interrupt();
        throw new CancellationException("Interrupted while waiting for " + describe());
    }

    /** The exception of a cancelled task: its reason, and the group's first failure as cause (if any). */
    private CancellationException cancelled(@Nullable CancellationReason reason) {
        CancellationException cancelled = new CancellationException(
                describe() + " was cancelled (" + (reason != null ? reason.value() : "unknown") + ")");
        Throwable cause = group.firstFailure();
        if (cause != null) {
            cancelled.initCause(cause);
        }
        return cancelled;
    }

    @Override
    public CompletableFuture<T> completion() {
        CompletionView<T> existing = view;
        if (existing != null) {
            return existing;
        }
        CompletionView<T> created = new CompletionView<>(this);
        if (!VIEW.compareAndSet(this, null, created)) {
            return view;
        }
        // The end of the task reads the view after it published its final state; this reads the state after
        // it published the view: one of the two sees the other (both may, and settle it with the same outcome).
        if (state().isDone()) {
            settle(created);
        }
        return created;
    }

    /** Completes the view, if there is one, on this thread: the task's own, after it was counted off. */
    private void settleView() {
        CompletionView<T> current = view;
        if (current != null) {
            settle(current);
        }
    }

    /** The task ended without running, on some other thread (a canceller, a dispatcher): not there. */
    private void settleViewAsync() {
        CompletionView<T> current = view;
        if (current != null) {
            current.defaultExecutor().execute(() -> settle(current));
        }
    }

    @SuppressWarnings("unchecked")
    private void settle(CompletionView<T> target) {
        int status = this.status; // one read: the state and the reason it had together
        Task.State current = stateOf(status);
        if (current == Task.State.SUCCEEDED) {
            target.succeed((T) outcome);
        } else if (current == Task.State.FAILED) {
            target.fail((Throwable) outcome);
        } else {
            target.fail(cancelled(reasonOf(status)));
        }
    }

    @Override
    public boolean cancel() {
        return cancel(CancellationReason.EXPLICIT);
    }

    /** Requests cancellation; returns whether this call did it. Safe to call from any thread. */
    @Override
    public boolean cancel(CancellationReason reason) {
        Objects.requireNonNull(reason, "reason");
        return cancel(reason, true);
    }

    /**
     * The cancellation of its group's sweep: as {@link #cancel(CancellationReason)}, but the straggler watch
     * is left to the group, which registers once for all the tasks it cancelled while they ran.
     *
     * @return whether this call cancelled the task while it ran
     */
    boolean cancelWithGroup(CancellationReason reason) {
        return cancel(reason, false) && state() == Task.State.RUNNING;
    }

    private boolean cancel(CancellationReason reason, boolean watchAlone) {
        boolean neverStarted;
        Thread running = null;
        synchronized (this) {
            if (state() == Task.State.PENDING) {
                outcome = null; // the work, never to run
                publish(Task.State.CANCELLED, reason);
                neverStarted = true;
            } else if (state() == Task.State.RUNNING && reason() == null) {
                publish(Task.State.RUNNING, reason);
                group.taskCancelling(); // before the interrupt: groups its code opens from now on open cancelled
                if (runner != null && runner != group.owner()) {
                    runner.interrupt();
                }
                if (watchAlone) {
                    group.factory().stragglers().watch(this); // until it ends: it may ignore the interrupt
                }
                running = runner;
                neverStarted = false;
            } else {
                return false;
            }
        }
        if (neverStarted) {
            group.taskEndedBeforeStart(this);
            settleViewAsync();
        } else {
            group.signalWaiters();
            // Alone (a cancelled group does all this itself, in its sweep): the groups the task opened, then
            // the runner's actions.
            if (running != null && !group.isCancelled()) {
                group.taskCancelledAlone(running, reason);
            }
        }
        return true;
    }

    /**
     * Whether this task runs on {@code thread} and was cancelled; asked by that thread only, which is why
     * {@link #runner} can be read without the monitor (only the runner sets it to itself, and clears it).
     */
    boolean cancelledWhileRunningOn(Thread thread) {
        return runner == thread && reason() != null;
    }

    /**
     * The task could not be started: its executor threw (a rejection or anything else), or a listener's
     * fatal error failed its fork. It fails with that. Returns the next task to dispatch.
     */
    @Nullable
    DefaultTask<?> rejected(Throwable refusal) {
        synchronized (this) {
            if (state() != Task.State.PENDING) {
                return null; // cancelled meanwhile, or started: whoever did it does the accounting
            }
            outcome = refusal;
            publish(Task.State.FAILED, null);
        }
        group.taskFailed(this, refusal);
        DefaultTask<?> next = group.taskEndedBeforeStartNoDispatch(this);
        settleViewAsync();
        return next;
    }

    /**
     * The executor's entry point, and also, without context propagators, the scoped body that
     * {@link RunningTask#runIn} calls back on the same thread: the task binds itself, so that running it
     * allocates no lambda. The two calls are told apart by {@link #runner}, which only the runner's own
     * thread can ever see equal to itself, and which it clears when the task completes. This method stays
     * small on purpose: the JIT inlines a small call back into the binding's frames, and a parked virtual
     * thread keeps every frame it has in the heap (a big method here measured 48 bytes more per parked task).
     */
    @Override
    @SuppressWarnings("unchecked")
    public void run() {
        Thread thread = Thread.currentThread();
        if (runner == thread) { // the call back (or the task's own code calling run() again: a no-op)
            Object callable = outcome;
            if (callable != null && !group.hasPropagators()) {
                outcome = null; // taken: a second call back must not run it twice
                call((Callable<? extends T>) callable);
            }
        } else {
            start(thread);
        }
    }

    /** Runs the task on this thread: the executor's call. */
    private void start(Thread thread) {
        // An interrupt the thread already had (an owner forking inline, a pool's stray one) is not the
        // task's: it is put aside while the task runs and given back after, whatever the task did.
        boolean threadWasInterrupted = Thread.interrupted();
        Runnable body;
        synchronized (this) {
            if (state() != Task.State.PENDING) {
                if (threadWasInterrupted) {
                    thread.interrupt();
                }
                return; // cancelled (or rejected) before it started: nothing to run, nothing to account
            }
            publish(Task.State.RUNNING, null); // PENDING has no reason: a requested cancellation ended it
            runner = thread;
            body = group.hasPropagators() ? (Runnable) outcome : this;
        }
        // What the end needs stays in this frame while the task runs (a parked virtual thread keeps it in
        // the heap): the thread's name to give back (null: not renamed) and the binding to restore.
        String threadName = group.renameThreads() && !threadBornNamed ? renamed(thread) : null;
        Object bindingAtStart = DefaultTaskGroup.bindingAtStart(group);
        VirtualMachineError fatal = null;
        try {
            RunningTask.runIn(group, body);
        } catch (Throwable aroundTask) {
            fatal = thrownAround(aroundTask);
        } finally {
            thread = Thread.currentThread(); // read again rather than kept: the same thread
            if (state() == Task.State.RUNNING) {
                fatal = complete(
                        null,
                        new IllegalStateException("A context propagator did not run " + describe()),
                        System.nanoTime());
            }
            if (reason() != null) {
                group.factory().stragglers().ended(this); // watched if it was cancelled while it ran
            }
            if (threadName != null) {
                rename(thread, threadName);
            }
            if (thread.isInterrupted()) {
                Thread.interrupted(); // an interrupt meant for this task must not reach the thread's next task
            }
            if ((thread == group.owner() || reason() != null) && outerTaskCancelled()) {
                threadWasInterrupted = true; // ran inline in a task whose cancellation it may have consumed
            }
            if (threadWasInterrupted) {
                thread.interrupt();
            }
            if (group.tasksBindGroups) {
                DefaultTaskGroup.restoreBinding(group, bindingAtStart);
            }
            try {
                DefaultTaskGroup.dispatchNext(this, group.taskEnded(this));
            } finally {
                settleView(); // dependents run here, on the task's thread, once the task is counted off
            }
        }
        if (fatal != null) {
            throw fatal; // a listener's fatal error, once the task is accounted for
        }
    }

    /**
     * The {@link VirtualThreadStarter}'s call, just before it makes this task's thread: the factory of that
     * thread, which names it for the task when the group renames threads (so that the run need not).
     */
    ThreadFactory threadFactory(VirtualThreadStarter starter) {
        if (!group.renameThreads()) {
            return starter.unnamed();
        }
        threadBornNamed = true;
        return group.threadFactory(name, starter);
    }

    /** Renames the thread for this task: returns its name before, or null when it could not be renamed. */
    private @Nullable String renamed(Thread thread) {
        String original = thread.getName();
        return rename(thread, threadNameFor(original)) ? original : null;
    }

    /**
     * Whether this task ran inline inside another task whose group is cancelled: the interrupt it consumed or
     * that was just cleared may have been that task's cancellation, which must not be lost (it is given
     * back). Only asked when that is possible and cheap to rule out: the task ran on its group's owner
     * thread (an owner that is itself a task, forking inline), or it was cancelled.
     */
    private static boolean outerTaskCancelled() {
        DefaultTaskGroup outer = RunningTask.group(); // the binding around this task's: the outer task's
        return outer != null && outer.isCancelled();
    }

    /**
     * Something was thrown around the task's code: a context propagator failed (which fails the task), or a
     * listener threw a fatal error. Returns the fatal error to rethrow once the task is accounted for.
     */
    private @Nullable VirtualMachineError thrownAround(Throwable thrown) {
        if (state() == Task.State.RUNNING) {
            return complete(null, thrown, System.nanoTime());
        }
        if (thrown instanceof VirtualMachineError fatal) {
            return fatal;
        }
        LOG.log(
                System.Logger.Level.WARNING,
                () -> "A context propagator failed after " + describe() + " completed; the task's outcome stands",
                thrown);
        return null;
    }

    /** Runs the task's code in the restored context: the listener hears start and finish on this thread. */
    private void call(Callable<? extends T> callable) {
        Listeners listeners = group.listeners();
        VirtualMachineError fatal = listeners.taskStarted(this);
        if (fatal != null) {
            throw fatal; // fails the task (see thrownAround): it is not run
        }
        long startedAt = listeners.needsRunTime() ? System.nanoTime() : 0L; // else nobody reads the run time
        T value = null;
        Throwable failure = null;
        try {
            value = callable.call();
        } catch (Throwable thrown) {
            failure = thrown;
        }
        fatal = complete(value, failure, startedAt);
        if (fatal != null) {
            throw fatal; // the task completed: start() rethrows it once the task is accounted for
        }
    }

    /** The innermost runnable that context propagators wrap: it runs the task's callable, once. */
    private static final class Invocation<T extends @Nullable Object> implements Runnable {

        private final DefaultTask<T> task;
        private @Nullable Callable<? extends T> callable; // taken by the first run

        Invocation(DefaultTask<T> task, Callable<? extends T> callable) {
            this.task = task;
            this.callable = callable;
        }

        @Override
        public void run() {
            Callable<? extends T> taken = callable;
            if (taken != null) {
                callable = null;
                task.call(taken);
            }
        }
    }

    /** Publishes the task's outcome; returns a listener's fatal error, if one threw. */
    private @Nullable VirtualMachineError complete(@Nullable T value, @Nullable Throwable thrown, long startedAt) {
        long runNanos = startedAt == 0L ? 0L : System.nanoTime() - startedAt;
        Throwable failure;
        synchronized (this) {
            runner = null;
            CancellationReason reason = reason();
            boolean cancelled = reason != null || group.isCancelled();
            failure = thrown == null || !cancelled ? thrown : Failures.genuineAfterCancellation(thrown);
            if (failure != null) {
                outcome = failure;
                publish(Task.State.FAILED, reason);
            } else if (reason != null) {
                outcome = null;
                publish(Task.State.CANCELLED, reason);
            } else if (thrown != null) {
                // An echo while the group (not yet this task) is cancelled: the group is about to cancel it.
                outcome = null;
                publish(Task.State.CANCELLED, group.cancellationReasonOrNull());
            } else {
                outcome = value;
                publish(Task.State.SUCCEEDED, null);
            }
        }
        if (failure != null) {
            group.taskFailed(this, failure);
        } else if (state() == Task.State.SUCCEEDED) {
            group.taskSucceeded(this);
        }
        return group.listeners().taskFinished(this, runNanos);
    }

    TaskSnapshot snapshot(long nowNanos, boolean withStackTrace) {
        return snapshot(nowNanos, withStackTrace, null);
    }

    /**
     * @param threads where to record the thread running the task (keyed by the returned snapshot, by
     *        identity) for a dump, or {@code null}
     */
    TaskSnapshot snapshot(long nowNanos, boolean withStackTrace, @Nullable Map<Object, Thread> threads) {
        Thread thread;
        synchronized (this) {
            thread = runner;
        }
        List<StackTraceElement> stack =
                withStackTrace && thread != null ? Arrays.asList(thread.getStackTrace()) : List.of();
        StragglerWatch stragglers = group.factory().stragglers();
        long sinceCancelled = reason() == null ? -1L : stragglers.sinceCancelled(this, nowNanos);
        TaskSnapshot snapshot = new TaskSnapshot(
                name(),
                state(),
                Duration.ofNanos(nowNanos - forkedAtNanos),
                thread != null ? thread.getName() : null,
                stack,
                sinceCancelled < 0 ? null : Duration.ofNanos(sinceCancelled),
                sinceCancelled >= 0 && stragglers.isStraggler(sinceCancelled));

        if (threads != null && thread != null) {
            threads.put(snapshot, thread);
        }
        return snapshot;
    }

    /** @return the thread running this task, or {@code null}; the caller holds this task's monitor */
    @Nullable
    Thread runner() {
        return runner;
    }

    long forkedAtNanos() {
        return forkedAtNanos;
    }

    String describe() {
        return "task '" + name() + "' of group '" + group.name() + "'";
    }

    private String threadNameFor(String original) {
        String label = group.threadLabel(name);
        return original.isEmpty() ? label : original + " " + label;
    }

    private static boolean rename(Thread thread, String newName) {
        try {
            thread.setName(newName);
            return true;
        } catch (SecurityException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "Task[" + name() + ", " + state() + "]";
    }
}
