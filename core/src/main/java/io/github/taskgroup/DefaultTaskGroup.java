package io.github.taskgroup;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The group implementation. See {@link TaskGroup} for the guarantees.
 *
 * <p>State ({@link TaskGroup.State}, in {@link #state}): every legal change is a constant of {@link Transition}
 * (the complete list, checked by {@code GroupStateTransitionsTest}, which drives each one); {@link #setState}
 * asserts that each write is one of them. Every write of {@code state} holds {@link #lock}; reads take no lock.
 * <pre>
 *   OPEN       -> JOINING     JOIN_STARTS            join() starts waiting
 *   JOINING    -> OPEN        JOIN_RETURNS           join() stops waiting and nothing cancelled or closed the group
 *   OPEN       -> CANCELLING  CANCEL                 the first cancel(reason) (cancellation is set once, before)
 *   JOINING    -> CANCELLING  CANCEL_WHILE_JOINING   idem, while the owner waits in join()
 *   OPEN       -> CLOSED      CLOSE                  close(), once every task finished
 *   CANCELLING -> CLOSED      CLOSE_CANCELLED        idem, after a cancel (close() cancels what is still live)
 *   JOINING    -> CLOSED      CLOSE_WHILE_JOINING    close() by another thread while the owner is in join() with
 *                                                    nothing live: join() then returns (or reports) as usual and
 *                                                    the group stays CLOSED
 * </pre>
 * Nothing leaves CLOSED, and CANCELLING never goes back: a join() that starts or ends in CANCELLING or CLOSED
 * changes nothing.
 *
 * {@code live} counts tasks that are not done; a task is done when its final state is published, its
 * listener events are delivered and its thread no longer runs its code. {@code join()} and
 * {@code close()} wait for {@code live == 0}; {@code close()} then seals it ({@code 0 -> SEALED}, one CAS),
 * so that a fork racing {@code close()} either counted itself first (and is waited for) or finds the count
 * sealed and fails: no task of a group ever starts once it is CLOSED.
 */
final class DefaultTaskGroup implements TaskGroup, CompletionPolicy.Context {

    /**
     * Every legal change of {@link #state}; nothing else ever happens to it (asserted by {@link #setState}).
     * {@code GroupStateTransitionsTest} drives each one and fails to compile when one is added without a test.
     */
    enum Transition {
        /** join() starts waiting. */
        JOIN_STARTS(TaskGroup.State.OPEN, TaskGroup.State.JOINING),
        /** join() stops waiting (returns, throws or times out) and nothing cancelled or closed the group. */
        JOIN_RETURNS(TaskGroup.State.JOINING, TaskGroup.State.OPEN),
        /** The first cancel(reason), by any thread: the owner, a task's end, the deadline timer, a parent. */
        CANCEL(TaskGroup.State.OPEN, TaskGroup.State.CANCELLING),
        /** The first cancel(reason) while the owner waits in join(). */
        CANCEL_WHILE_JOINING(TaskGroup.State.JOINING, TaskGroup.State.CANCELLING),
        /** close() of a group never cancelled, once nothing is live (it seals the count first). */
        CLOSE(TaskGroup.State.OPEN, TaskGroup.State.CLOSED),
        /** close() of a cancelled group (close() itself cancels what is still live), once nothing is live. */
        CLOSE_CANCELLED(TaskGroup.State.CANCELLING, TaskGroup.State.CLOSED),
        /**
         * close() by a thread other than the owner while the owner is in join() and nothing is live (so
         * close() cancels nothing): the owner's join() then finds the group CLOSED, does not move it back to
         * OPEN, and returns or reports as after any wait.
         */
        CLOSE_WHILE_JOINING(TaskGroup.State.JOINING, TaskGroup.State.CLOSED);

        final TaskGroup.State from;
        final TaskGroup.State to;

        Transition(TaskGroup.State from, TaskGroup.State to) {
            this.from = from;
            this.to = to;
        }

        /** @return the transition from {@code from} to {@code to}, or {@code null} if that change is illegal */
        static @Nullable Transition of(TaskGroup.State from, TaskGroup.State to) {
            for (Transition transition : values()) {
                if (transition.from == from && transition.to == to) {
                    return transition;
                }
            }
            return null;
        }
    }

    /** @return the reason of the group's cancellation, or {@code null} while it is not cancelled */
    private @Nullable CancellationReason cancelReason() {
        Cancellation cancelled = cancellation;
        return cancelled == null ? null : cancelled.reason;
    }

    /**
     * A group's cancellation: its reason, and whether {@code join()} stays quiet about it (the owner side's own
     * decision). Immutable; one shared instance per (reason, quiet), so cancelling allocates nothing.
     */
    static final class Cancellation {
        private static final Cancellation[] ALL = new Cancellation[CancellationReason.values().length * 2];

        static {
            for (CancellationReason reason : CancellationReason.values()) {
                ALL[reason.ordinal() * 2] = new Cancellation(reason, false);
                ALL[reason.ordinal() * 2 + 1] = new Cancellation(reason, true);
            }
        }

        final CancellationReason reason;
        final boolean quiet;

        private Cancellation(CancellationReason reason, boolean quiet) {
            this.reason = reason;
            this.quiet = quiet;
        }

        static Cancellation of(CancellationReason reason, boolean quiet) {
            return ALL[reason.ordinal() * 2 + (quiet ? 1 : 0)];
        }
    }

    /** Writes {@link #state}; caller holds {@link #lock}, and the change is one of {@link Transition}. */
    private void setState(TaskGroup.State to) {
        assert lock.isHeldByCurrentThread();
        assert Transition.of(state, to) != null : "illegal transition " + state + " -> " + to + " of " + this;
        state = to;
    }

    /**
     * The innermost live group the current thread opened (or {@linkplain CurrentTaskGroup#bind bound}).
     * The group of the task a thread runs is kept apart, by {@link RunningTask}, so that running a task
     * never touches this thread-local.
     */
    private static final ThreadLocal<DefaultTaskGroup> CURRENT = new ThreadLocal<>();

    private static final System.Logger LOG = System.getLogger(DefaultTaskGroup.class.getName());

    private final DefaultTaskGroupFactory factory;
    private final long id;
    private final String name;
    private final CompletionPolicy policy;
    // The group's decisions (see CompletionPolicy): made by the opening thread; called by the threads that end
    // tasks, cancel for timeout, join, or settle a completion view. Calls to a tracker of a policy of the
    // application's are serialized by policyLock (and endsHeard, the task ends it was told of, and
    // allEndedHeardAt, endsHeard at the last onAllEnded, are guarded by it); the built-ins' trackers are stateless
    // and shared: policyLock is null and their calls take no lock.
    private final CompletionPolicy.Tracker tracker;
    private final @Nullable ReentrantLock policyLock;
    private int endsHeard;
    private int allEndedHeardAt = -1;
    private final Executor executor;
    private final int maxConcurrency; // Integer.MAX_VALUE: unlimited
    private final @Nullable Duration ownTimeout;
    private final long deadlineNanos; // Long.MAX_VALUE: none
    private final @Nullable DefaultTaskGroup parent;
    private final @Nullable DefaultTaskGroup enclosing; // the live group CURRENT held when the owner opened this one
    private final @Nullable DefaultTaskGroup openedInTaskOf; // bound to a thread that ran a task of that group, or null
    private final Thread owner;
    private final String ownerName;
    private final long openedAtNanos = System.nanoTime();
    // attributes: descriptions only (TaskGroupOptions#attributes); the options' unmodifiable map, shared, so
    //   a group without attributes points at the one empty Map.of(). Final: any thread reads it.
    private final Map<String, String> attributes;

    // ---- The state that decides behaviour. Who writes (W) and who reads (R) each field:
    // state: see Transition. W under lock: the owner in join() (OPEN <-> JOINING), the first canceller (any
    //   thread), the thread whose close() sealed the count (-> CLOSED). R without lock: every thread (fork,
    //   state(), snapshots, the walks of CURRENT).
    private volatile TaskGroup.State state = TaskGroup.State.OPEN;
    // cancellation: the reason and whether join() stays quiet (a decision of the owner's side: explicit, a
    //   won race, the policy), in one immutable value. W once, under lock, by the first canceller (the owner, a
    //   thread ending a task, the deadline timer, the canceller of a parent group, any caller of cancel()),
    //   before state becomes CANCELLING; never cleared. R without lock: forks, tasks, the owner reporting,
    //   nested groups opening, snapshots. Non-null = cancelled. (It was two fields, cancelReason and
    //   quietCancel, that readers had to read in the right order.)
    private volatile @Nullable Cancellation cancellation;
    // ownDeadlineExpired: the group's own deadline passed (while it was not cancelled; possibly after a clean
    //   join, with nothing live: then only what is forked or opened later is cancelled). W once (false -> true),
    //   under lock, by the deadline timer thread (expire), before it reads live, joinedClean and children.
    //   R by forks (after counting themselves live) and nested groups opening (start), which then cancel for
    //   timeout; and by whoever builds the timeout exception (its message). (It was two flags, the second,
    //   expiredWhileIdle, written just after this one: one flag now, see docs/design/decisions.md.)
    private volatile boolean ownDeadlineExpired;
    // won: the policy settled the group as a success (a won race): the tasks' failures are dropped. W once
    //   (false -> true), by the thread whose task end (or the owner's join) made the tracker decide, before that
    //   decision's cancel. R by the owner reporting (throwFailures, outcome) and completion()'s settler.
    private volatile boolean won;

    // live: tasks not done (atomic; +1 by forks, any thread; -1 by the thread that ends each task). SEALED by
    //   the one close() whose CAS 0 -> SEALED wins. R by join()/close() waits, expire, completion().
    private final AtomicInteger live = new AtomicInteger();
    private static final int SEALED = Integer.MIN_VALUE; // live once closed: forks see a negative count
    private final AtomicInteger sequence = new AtomicInteger();
    // Tasks that ended failed or cancelled, for the JFR group event; counted on those (rare) paths only.
    // W (atomic increments): the threads that end tasks. R: the closing thread (JFR), introspection.
    private volatile int failedTasks;
    private volatile int cancelledTasks;
    private static final AtomicIntegerFieldUpdater<DefaultTaskGroup> FAILED_TASKS =
            AtomicIntegerFieldUpdater.newUpdater(DefaultTaskGroup.class, "failedTasks");
    private static final AtomicIntegerFieldUpdater<DefaultTaskGroup> CANCELLED_TASKS =
            AtomicIntegerFieldUpdater.newUpdater(DefaultTaskGroup.class, "cancelledTasks");
    private final TaskList tasks = new TaskList();
    private final Set<DefaultTaskGroup> children = ConcurrentHashMap.newKeySet();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // waiters: threads waiting on 'changed' for a single task (Task.get). W under lock by those threads;
    //   R without lock by the threads that end tasks (to skip the signal when nobody waits).
    private volatile int waiters;
    private final FailureRecord failures = new FailureRecord(); // guarded by lock
    // firstFailure: W once, under lock, with the first entry of 'failures' (any thread that records one);
    //   R without lock as the cheap "anything failed?" test: the owner reporting, tasks, outcome().
    private volatile @Nullable Throwable firstFailure;
    // reportedToOwner: the last thing join() threw, so that run() does not wrap it. W and R by the thread that
    //   calls join() and run() (the owner).
    private volatile @Nullable Throwable reportedToOwner;
    // joinedClean: join() returned normally and nothing was forked or opened since. W true by the owner at the
    //   end of a clean join(); W false by forks (any thread, only when it is set) and nested groups opening.
    //   R by the deadline timer thread (expire) and forks.
    private volatile boolean joinedClean;
    // leaked: left open and bound by a task that ended: unbound and reported once. W (false -> true) by the
    //   thread that ended that task (restoreBinding); R by that path, by snapshots and by the canceller of a
    //   task of the parent (cancelGroupsOpenedIn), any thread.
    private volatile boolean leaked;
    // view: completion()'s pending future. W under lock by callers of completion() (and cleared in it by the
    //   settler); R without lock by threads ending tasks (taskCountedOff) and completion() callers.
    private volatile CompletionView.@Nullable OfGroup view;

    /**
     * Armed {@link CurrentTaskGroup#onCancel on-cancel actions}: null until the first registration (so that a
     * group nobody registers with pays one null check when it or one of its tasks is cancelled), and again once
     * the group is cancelled (it took them). Written under lock; read unlocked for that null check.
     */
    private volatile @Nullable Set<CancelHook> cancelHooks;

    /**
     * Whether a running task of this group was ever cancelled alone (the group was not). Set once (by the
     * canceller, after the task's reason and before its interrupt and its look for the groups the task opened),
     * never cleared; read by a group opening in a task of this group, which scans this group's tasks only then.
     */
    private volatile boolean tasksCancelledAlone;

    /**
     * Whether a task of this group ever opened a group bound to its thread: only then does a task's end
     * check, and restore, its thread's binding. Set once, never cleared; a plain field (a stale read only
     * costs a check, see {@link #restoreBinding}).
     */
    boolean tasksBindGroups;

    private int permits; // guarded by lock; only used when maxConcurrency is set
    private final @Nullable ArrayDeque<DefaultTask<?>> queue; // guarded by lock; only with a concurrency limit
    private final int maxQueued; // the queue's bound (Integer.MAX_VALUE: none); only with a concurrency limit
    private int reservedQueue; // guarded by lock: places taken by forks that have not entered the queue yet
    private final @Nullable ConcurrencyLimit limit; // the shared limit every task passes, or null
    // Whether forks go through admission (a maxConcurrency or a shared limit): else a fork reads this only.
    private final boolean limited;
    // deadlineTimer: W once by the opening thread (start), which publishes the group after; R under lock by
    //   cancel() and close() (any thread); a timer that fires before the write finds it null, harmlessly.
    private @Nullable ScheduledFuture<?> deadlineTimer;

    /**
     * {@link RunningTask}'s binding of this group for its tasks (a {@code ScopedValue.Carrier} on JDK 25+),
     * made by the first task that runs and shared by the others. A racy cache on purpose: the carrier is
     * immutable (final fields only), so any thread that sees it sees it whole, and two tasks that both
     * make one bind the same value.
     */
    @Nullable
    Object taskBinding;

    // threadLabel: W and R by task threads (or, with VirtualThreadStarter, by forking threads), without a lock:
    //   the last named task's "<group>/<task>" thread name, and with the starter the factory of threads born
    //   with it, so that a fan-out forked under one name shares one string. A racy cache like taskBinding (a
    //   record, final fields only): a stale or lost entry costs one more string, never a wrong name.
    private @Nullable ThreadLabel threadLabel;
    // unnamedTasksThreads: W and R by forking threads, the same kind of racy cache: VirtualThreadStarter's
    //   factory of threads named after this group, for its unnamed tasks.
    private @Nullable ThreadFactory unnamedTasksThreads;

    private record ThreadLabel(
            String taskName, String label, @Nullable ThreadFactory factory) {}

    DefaultTaskGroup(
            DefaultTaskGroupFactory factory,
            long id,
            String name,
            TaskGroupOptions options,
            @Nullable DefaultTaskGroup parent,
            @Nullable DefaultTaskGroup enclosing,
            @Nullable DefaultTaskGroup openedInTaskOf) {
        this.factory = factory;
        this.id = id;
        this.name = name;
        this.policy = options.policy().orElse(TaskGroupPolicy.FAIL_FAST);
        this.executor = options.executor().orElse(factory.executor());
        this.maxConcurrency = options.maxConcurrency().orElse(Integer.MAX_VALUE);
        this.permits = maxConcurrency;
        this.queue = maxConcurrency == Integer.MAX_VALUE ? null : new ArrayDeque<>();
        this.maxQueued = options.maxQueued().orElse(Integer.MAX_VALUE);
        this.limit = options.limit().isPresent() ? factory.limit(options.limit().get(), name) : null;
        this.limited = queue != null || limit != null;
        this.ownTimeout = options.timeout().orElse(null);
        this.attributes = options.attributes();
        this.parent = parent;
        this.enclosing = enclosing;
        this.openedInTaskOf = openedInTaskOf;
        this.owner = Thread.currentThread();
        this.ownerName = owner.getName();
        long own = ownTimeout == null ? Long.MAX_VALUE : saturatedAdd(openedAtNanos, ownTimeout);
        long inherited = parent == null ? Long.MAX_VALUE : parent.deadlineNanos;
        this.deadlineNanos = Math.min(own, inherited);
        this.policyLock = policy instanceof TaskGroupPolicy ? null : new ReentrantLock();
        CompletionPolicy.Tracker made = policy.newTracker(this); // what it throws, open() throws
        if (made == null) {
            throw new NullPointerException(
                    "Completion policy '" + policy.value() + "' made a null tracker for task group '" + name + "'");
        }
        this.tracker = made;
    }

    /** Links the group into its parent and the thread, and starts its deadline; called once, by open. */
    void start(boolean bindToThread) {
        if (ownTimeout != null && (parent == null || deadlineNanos < parent.deadlineNanos)) {
            deadlineTimer = factory.scheduleDeadline(this::expire, deadlineNanos - System.nanoTime());
        }
        if (bindToThread) {
            CURRENT.set(this);
            if (openedInTaskOf != null && !openedInTaskOf.tasksBindGroups) {
                openedInTaskOf.tasksBindGroups = true;
            }
        }
        if (parent != null) {
            parent.joinedClean = false;
            parent.children.add(this);
            if (parent.ownDeadlineExpired) {
                parent.cancel(CancellationReason.TIMEOUT); // opened after the parent's deadline
            }
            Cancellation parentCancellation = parent.cancellation;
            if (parentCancellation != null) { // cancelled while we were linking in: its sweep may have missed us
                cancel(parentCancellation.reason.forNestedGroups(), parentCancellation.quiet);
            } else if (openedInTaskOf == parent
                    && parent.tasksCancelledAlone
                    && parent.taskOfCurrentThreadCancelled()) {
                // Opened in a task that is cancelled (before we linked in, or since its code went on regardless):
                // the task's sweep (cancelGroupsOpenedIn) may have missed us.
                cancel(CancellationReason.PARENT, false);
            }
        }
    }

    // ---------------------------------------------------------------- thread context

    /** @return the innermost live group the current thread owns or works for, or {@code null} */
    static @Nullable DefaultTaskGroup current() {
        DefaultTaskGroup opened = openedOnThisThread();
        return opened != null ? opened : RunningTask.group();
    }

    /** @return the innermost live group the current thread opened or bound, or {@code null} */
    static @Nullable DefaultTaskGroup openedOnThisThread() {
        DefaultTaskGroup group = CURRENT.get();
        while (group != null && group.state == TaskGroup.State.CLOSED) {
            group = group.enclosing; // closed out of order, or left unclosed by a thread that moved on
        }
        return group;
    }

    /** What {@link #bindingAtStart} returns for a thread that has no group bound. */
    private static final Object NO_BINDING = new Object();

    /**
     * @return what a task of {@code group} starting on this thread must restore when it ends: the thread's
     *         binding ({@link #NO_BINDING} for none), or {@code null} when no task of {@code group} ever
     *         bound a group (nothing read: the common case costs no thread-local access)
     */
    static @Nullable Object bindingAtStart(DefaultTaskGroup group) {
        if (!group.tasksBindGroups) {
            return null;
        }
        DefaultTaskGroup bound = CURRENT.get();
        return bound != null ? bound : NO_BINDING;
    }

    /**
     * A task of {@code group} ended on this thread: unbinds any group it opened and left open (a bug in its
     * code), so that the thread's next task does not inherit it, and reports each such group once.
     *
     * @param atStart what {@link #bindingAtStart} returned when the task started; {@code null} when it read
     *        nothing, and then only this task (the first of its group to bind one) can have bound groups
     *        opened in a task of {@code group} on this thread
     */
    static void restoreBinding(DefaultTaskGroup group, @Nullable Object atStart) {
        DefaultTaskGroup bound = CURRENT.get();
        DefaultTaskGroup target = atStart == null || atStart == NO_BINDING ? null : (DefaultTaskGroup) atStart;
        DefaultTaskGroup g = bound;
        while (g != null && g != target && g.openedInTaskOf == group) {
            if (g.state != TaskGroup.State.CLOSED) {
                g.reportLeaked(group);
            }
            g = g.enclosing;
        }
        DefaultTaskGroup restored = atStart == null ? g : target;
        if (restored == bound) {
            return;
        }
        if (restored == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(restored);
        }
    }

    private void reportLeaked(DefaultTaskGroup taskGroup) {
        if (leaked) {
            return;
        }
        leaked = true;
        LOG.log(
                System.Logger.Level.WARNING,
                () -> "Task group '" + name + "' (id " + id + ") was left open by a "
                        + "task of group '" + taskGroup.name + "' that ended on thread "
                        + Thread.currentThread().getName()
                        + "; it is no longer the thread's current group, and stays live (leaked) until closed. "
                        + "Close every group a task opens, with try-with-resources or TaskGroupFactory.run");
    }

    static @Nullable DefaultTaskGroup enterTask(DefaultTaskGroup group) {
        DefaultTaskGroup previous = CURRENT.get();
        CURRENT.set(group);
        return previous;
    }

    static void leaveTask(@Nullable DefaultTaskGroup previous) {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }

    // ---------------------------------------------------------------- public API

    @Override
    public long id() {
        return id;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TaskGroup.State state() {
        return state;
    }

    @Override
    public CompletionPolicy policy() {
        return policy;
    }

    @Override
    public Optional<Instant> deadline() {
        return Optional.ofNullable(deadlineInstant());
    }

    @Override
    public Optional<CancellationReason> cancellationReason() {
        return Optional.ofNullable(cancelReason());
    }

    @Override
    public Map<String, String> attributes() {
        return attributes;
    }

    @Override
    public <T extends @Nullable Object> Task<T> fork(Callable<? extends T> callable) {
        Objects.requireNonNull(callable, "callable");
        return forkNamed(null, callable, false); // named task-<n> from its sequence number
    }

    @Override
    public <T extends @Nullable Object> Task<T> fork(String name, Callable<? extends T> callable) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(callable, "callable");
        return forkNamed(name, callable, false);
    }

    @Override
    public <T extends @Nullable Object> Optional<Task<T>> tryFork(Callable<? extends T> callable) {
        Objects.requireNonNull(callable, "callable");
        return Optional.ofNullable(forkNamed(null, callable, true));
    }

    @Override
    public <T extends @Nullable Object> Optional<Task<T>> tryFork(String name, Callable<? extends T> callable) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(callable, "callable");
        return Optional.ofNullable(forkNamed(name, callable, true));
    }

    /** @return the task, or {@code null} only when admission refused it and {@code orNull} is set */
    @SuppressWarnings("NullAway") // null only for tryFork, which asks for it
    private <T extends @Nullable Object> Task<T> forkNamed(
            @Nullable String name, Callable<? extends T> callable, boolean orNull) {
        if (state == TaskGroup.State.CLOSED) {
            throw closed(name);
        }
        // The task is made first: its context propagators may throw, and a reservation taken before them
        // would leak (a permit that no task returns). A refused fork leaves only an unused sequence number.
        // A cancelled group takes every fork (it returns a cancelled task), so it reserves nothing.
        int taskSequence = sequence.incrementAndGet();
        DefaultTask<T> task = new DefaultTask<>(this, taskSequence, name, callable, factory.propagators());
        int reservation = 0;
        if (limited && cancellation == null) {
            reservation = reserve(name, taskSequence, orNull);
            if (reservation == REFUSED) {
                return null;
            }
        }
        if (joinedClean) {
            joinedClean = false; // only when set: a volatile write per fork is a fence on the owner's hot path
        }
        if (live.getAndIncrement() < 0) { // close() sealed the count: it saw nothing live and will not wait
            live.decrementAndGet();
            if (reservation != 0) {
                dispatch(admit(task, reservation, false)); // never published: gives the reservation back
            }
            throw closed(name);
        }
        // The forked event goes out before the task is visible to cancellers, so that it precedes every
        // other event of the task and always sees it PENDING.
        VirtualMachineError fatal = listeners().taskForked(task);
        tasks.push(task);
        // What the fork reserved becomes the task's: its permits (toRun == task), or its place in a queue
        // (null); if a canceller got to it first, the reservation is given back (toRun: who got it, if any).
        DefaultTask<?> toRun = reservation != 0 ? admit(task, reservation, true) : task;
        if (fatal != null) {
            dispatch(toRun != task ? toRun : null);
            dispatch(task.rejected(fatal)); // a listener's fatal error fails the fork: the task never runs
            throw fatal;
        }
        if (ownDeadlineExpired) {
            cancel(CancellationReason.TIMEOUT);
        }
        CancellationReason reason = cancelReason();
        if (reason != null) {
            dispatch(toRun != task ? toRun : null);
            task.cancel(reason); // never runs; its end is accounted for by cancel, which frees its permits
            return task;
        }
        if (toRun != null && reservation != 0) {
            admitted(toRun, toRun == task ? 0L : -1L);
        }
        dispatch(toRun);
        return task;
    }

    // ---------------------------------------------------------------- admission (maxConcurrency, shared limit)

    /** {@link #reserve}: the fork was refused and asked for no exception. */
    private static final int REFUSED = -1;

    /** A reservation's bit: the fork took one of the group's permits. */
    private static final int GROUP_PERMIT = 1;

    /** A reservation's bit: the fork took a place in the group's queue. */
    private static final int GROUP_PLACE = 2;

    /**
     * Reserves, for a fork about to be made, what its task needs to be admitted: a group permit or a place in
     * the group's queue; then, with a group permit (or with no group limit), a permit of the shared limit or a
     * place in its queue. A task that waits in its group's queue asks the shared limit once it leaves it.
     *
     * @return the reservation: bits {@link #GROUP_PERMIT}, {@link #GROUP_PLACE}, {@link ConcurrencyLimit#PERMIT},
     *         {@link ConcurrencyLimit#PLACE}; {@link #REFUSED} when a queue is full and {@code orNull} is set
     * @throws TaskRejectedException when a queue is full and {@code orNull} is not set
     */
    private int reserve(@Nullable String taskName, int taskSequence, boolean orNull) {
        int reservation = 0;
        if (queue != null) {
            lock.lock();
            try {
                if (permits > 0) {
                    permits--;
                    reservation = GROUP_PERMIT;
                } else if (queue.size() + reservedQueue < maxQueued) {
                    reservedQueue++;
                    reservation = GROUP_PLACE;
                }
            } finally {
                lock.unlock();
            }
            if (reservation == 0) {
                return refuse(taskName, taskSequence, TaskRejectedException.Reason.QUEUE_FULL, orNull);
            }
            if (reservation == GROUP_PLACE) {
                return reservation;
            }
        }
        if (limit != null) {
            int shared = limit.reserve();
            if (shared == 0) {
                if (reservation != 0) {
                    dispatch(giveBackGroupPermit()); // rare: the group's permit goes to its queue, or back
                }
                return refuse(taskName, taskSequence, TaskRejectedException.Reason.LIMIT_FULL, orNull);
            }
            reservation |= shared;
        }
        return reservation;
    }

    private int refuse(
            @Nullable String taskName, int taskSequence, TaskRejectedException.Reason reason, boolean orNull) {
        VirtualMachineError fatal = listeners().forkRejected(this, reason);
        if (fatal != null) {
            throw fatal;
        }
        if (orNull) {
            return REFUSED;
        }
        String task = taskName != null ? "'" + taskName + "'" : "task-" + taskSequence;
        if (reason == TaskRejectedException.Reason.QUEUE_FULL) {
            throw new TaskRejectedException(
                    name,
                    reason,
                    null,
                    maxQueued,
                    "Task group '" + name + "' refused to fork " + task + ": its " + maxConcurrency
                            + " concurrency permits are taken and its queue is full (maxQueued " + maxQueued + ")");
        }
        ConcurrencyLimit shared = Objects.requireNonNull(limit);
        throw new TaskRejectedException(
                name,
                reason,
                shared.name(),
                shared.maxQueued(),
                "Task group '" + name + "' refused to fork " + task + ": the " + shared.maxConcurrency()
                        + " permits of shared limit '" + shared.name() + "' are taken and its queue is full (maxQueued "
                        + shared.maxQueued() + ")");
    }

    /**
     * Gives the task what its fork reserved (see {@link #reserve}), or gives it back when the task is no
     * longer pending (cancelled since it was pushed: its end found nothing to free) or {@code keep} is false
     * (the fork failed before the task was published).
     *
     * @return {@code task} if it now holds every permit it needs; else a task that got a permit given back
     *         (to be dispatched), or {@code null}
     */
    private @Nullable DefaultTask<?> admit(DefaultTask<?> task, int reservation, boolean keep) {
        if (queue != null) {
            DefaultTask<?> entering;
            int shared = reservation & (ConcurrencyLimit.PERMIT | ConcurrencyLimit.PLACE);
            lock.lock();
            try {
                boolean pending = keep && task.state() == Task.State.PENDING;
                if ((reservation & GROUP_PLACE) != 0) {
                    reservedQueue--;
                    if (!pending) {
                        return null;
                    }
                    if (permits == 0) {
                        queue.addLast(task);
                        return null;
                    }
                    permits--; // freed since the reservation, with nobody queued
                    task.holdsPermit = true;
                    entering = task;
                } else if (pending) {
                    task.holdsPermit = true;
                    entering = task;
                } else {
                    entering = groupPermitFreedLocked();
                }
            } finally {
                lock.unlock();
            }
            if (limit == null) {
                return entering;
            }
            if (entering == task) {
                return limit.admit(task, shared, true);
            }
            // Giving back: the shared reservation too, and the group's queued successor asks for a permit.
            DefaultTask<?> handedOn = shared != 0 ? limit.admit(task, shared, false) : null;
            DefaultTask<?> admitted = entering != null ? limit.passOn(false, entering) : null;
            return oneOf(handedOn, admitted);
        }
        return Objects.requireNonNull(limit).admit(task, reservation, keep);
    }

    /** The group's permit of a refused fork goes to the first queued task (which asks the shared limit). */
    private @Nullable DefaultTask<?> giveBackGroupPermit() {
        DefaultTask<?> entering;
        lock.lock();
        try {
            entering = groupPermitFreedLocked();
        } finally {
            lock.unlock();
        }
        DefaultTask<?> next = entering != null ? Objects.requireNonNull(limit).passOn(false, entering) : null;
        if (next != null) {
            admitted(next, -1L);
        }
        return next;
    }

    /** A group permit was freed: the first pending queued task takes it, or it goes back; caller holds lock. */
    private @Nullable DefaultTask<?> groupPermitFreedLocked() {
        DefaultTask<?> next = nextQueued();
        if (next == null) {
            permits++;
        }
        return next;
    }

    /**
     * Of two tasks that got permits on a rare path (a cancellation racing a fork), dispatches the first at
     * once and returns the second.
     */
    private static @Nullable DefaultTask<?> oneOf(@Nullable DefaultTask<?> first, @Nullable DefaultTask<?> second) {
        if (first == null) {
            return second;
        }
        if (second != null) {
            dispatch(first);
            return second;
        }
        return first;
    }

    /**
     * A task got every permit it needs and is about to be dispatched: the listeners hear how long it waited.
     *
     * @param waitedNanos the wait, or -1 to compute it from the fork's time
     */
    private static void admitted(DefaultTask<?> task, long waitedNanos) {
        long waited = waitedNanos >= 0 ? waitedNanos : Math.max(0L, System.nanoTime() - task.forkedAtNanos());
        // A listener's fatal error is logged, not rethrown: this runs for other tasks than the caller's own.
        ((DefaultTaskGroup) task.group()).listeners().taskAdmitted(task, waited);
    }

    /**
     * Hands tasks to their executors. Whatever an executor throws (a rejection, any exception or error),
     * the task did not start: it fails with that, and yields the next one to dispatch. A
     * {@link VirtualMachineError} is rethrown once every task is accounted for.
     */
    static void dispatch(@Nullable DefaultTask<?> task) {
        VirtualMachineError fatal = null;
        while (task != null) {
            try {
                ((DefaultTaskGroup) task.group()).executor.execute(task);
                task = null;
            } catch (Throwable refused) {
                if (fatal == null && refused instanceof VirtualMachineError error) {
                    fatal = error;
                }
                task = task.rejected(refused);
            }
        }
        if (fatal != null) {
            throw fatal;
        }
    }

    /**
     * The innermost loop of {@link #dispatchNext} on this thread that may have a task run inline. Only a
     * thread that ends, inside such a loop's {@code execute}, a task with a queued successor ever gets one
     * (so a fresh virtual thread that ends a task normally gets no thread-local map).
     */
    private static final ThreadLocal<Trampoline> TRAMPOLINE = new ThreadLocal<>();

    /** A dispatch loop's state: which task it handed to {@code execute}, and what that task left it. */
    private static final class Trampoline {
        @Nullable
        DefaultTask<?> executing;

        @Nullable
        DefaultTask<?> deferred;
    }

    /**
     * Dispatches {@code next}, the queued task that inherits the permit of {@code ended}, on the thread that
     * ran {@code ended}. When {@code ended} ran inline, inside the {@code execute} of a loop below on this
     * thread (a caller-runs policy, an inline executor), {@code next} is left to that loop, which runs it
     * once {@code execute} returns: running it here would add stack frames per queued task until the stack
     * overflows. Only the loop that directly executes {@code ended} takes it, so nothing that waits for
     * {@code next} can be below it on the stack.
     */
    static void dispatchNext(DefaultTask<?> ended, @Nullable DefaultTask<?> next) {
        if (next == null) {
            return;
        }
        if (!ended.inDispatch) { // not run inline by a loop: nothing below to defer to
            drain(null, next);
            return;
        }
        Trampoline trampoline = TRAMPOLINE.get();
        if (trampoline == null) {
            trampoline = new Trampoline();
            TRAMPOLINE.set(trampoline);
        } else if (trampoline.executing == ended) {
            trampoline.deferred = next;
            return;
        }
        DefaultTask<?> outerExecuting = trampoline.executing; // a loop further down this thread's stack
        DefaultTask<?> outerDeferred = trampoline.deferred;
        try {
            drain(trampoline, next);
        } finally {
            trampoline.executing = outerExecuting;
            trampoline.deferred = outerDeferred;
        }
    }

    /**
     * {@link #dispatch}, marking each task {@link DefaultTask#inDispatch} during its {@code execute}, and
     * running the successors that tasks run inline leave in {@code trampoline} (if published; when it is
     * not, the first task that ends inline publishes a loop of its own, one level up, for the others).
     */
    private static void drain(@Nullable Trampoline trampoline, @Nullable DefaultTask<?> task) {
        VirtualMachineError fatal = null;
        while (task != null) {
            if (trampoline != null) {
                trampoline.executing = task;
                trampoline.deferred = null;
            }
            DefaultTask<?> next = null;
            task.inDispatch = true;
            try {
                ((DefaultTaskGroup) task.group()).executor.execute(task);
            } catch (Throwable refused) {
                if (fatal == null && refused instanceof VirtualMachineError error) {
                    fatal = error;
                }
                next = task.rejected(refused); // non-null only if it never ran: nothing was deferred
            } finally {
                task.inDispatch = false;
            }
            task = next != null || trampoline == null ? next : trampoline.deferred;
        }
        if (fatal != null) {
            throw fatal;
        }
    }

    @Override
    public void join() throws InterruptedException {
        join(Long.MAX_VALUE);
    }

    @Override
    public boolean join(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        return join(saturatedAdd(System.nanoTime(), timeout));
    }

    private boolean join(long deadline) throws InterruptedException {
        if (state == TaskGroup.State.CLOSED) {
            throw new IllegalStateException("Task group '" + name + "' is closed: it cannot be joined");
        }
        transition(TaskGroup.State.OPEN, TaskGroup.State.JOINING); // JOIN_STARTS, unless cancelled or closed
        policyHearsJoin(true);
        int waited;
        try {
            waited = awaitAll(true, deadline);
        } finally {
            transition(TaskGroup.State.JOINING, TaskGroup.State.OPEN); // JOIN_RETURNS, unless cancelled or closed
        }
        if (waited == TIMED_OUT) {
            return false;
        }
        policyHearsJoin(false);
        boolean interrupted = waited == INTERRUPTED;
        try {
            report(interrupted);
        } catch (Throwable report) {
            reportedToOwner = report;
            throw report;
        }
        joinedClean = true;
        tasks.clearIfAllDone();
        return true;
    }

    @Override
    public boolean cancel(CancellationReason reason) {
        Objects.requireNonNull(reason, "reason");
        if (reason == CancellationReason.TIMEOUT) {
            // The policy says whether a timeout is loud (asked only if this cancel is likely to count).
            return cancel(reason, cancellation == null && state != TaskGroup.State.CLOSED && !policyHearsDeadline());
        }
        return cancel(
                reason,
                reason == CancellationReason.EXPLICIT
                        || reason == CancellationReason.FIRST_SUCCESS
                        || reason == CancellationReason.POLICY);
    }

    /**
     * @param quiet whether join() should return normally: the cancellation is the owner side's own decision
     *        (an explicit cancel, a won race), here or in an enclosing group
     */
    private boolean cancel(CancellationReason reason, boolean quiet) {
        lock.lock();
        try {
            if (cancellation != null || state == TaskGroup.State.CLOSED) {
                return false;
            }
            cancellation = Cancellation.of(reason, quiet);
            setState(TaskGroup.State.CANCELLING); // CANCEL or CANCEL_WHILE_JOINING
            if (queue != null) {
                queue.clear(); // queued tasks are cancelled below, with the others
            }
            if (deadlineTimer != null) {
                deadlineTimer.cancel(false);
            }
        } finally {
            lock.unlock();
        }
        // Nested groups first: their owners are our tasks, which must find their own groups cancelled
        // (with the right reason) before the interrupt reaches them.
        CancellationReason nestedReason = reason.forNestedGroups();
        for (DefaultTaskGroup child : children) {
            child.cancel(nestedReason, quiet);
        }
        long sweptAt = System.nanoTime();
        if (tasks.cancelLive(reason)) {
            factory.stragglers().watchGroup(this, sweptAt); // after the sweep: every task it cancelled is seen
        }
        signalAll();
        if (cancelHooks != null) {
            runCancelHooks(); // last: every task already knows it is cancelled when its call is aborted
        }
        return true;
    }

    // ---------------------------------------------------------------- on-cancel actions

    /**
     * Arms {@code hook} unless this group is already cancelled.
     *
     * @return whether it was armed; {@code false}: the caller runs it at once
     */
    boolean addCancelHook(CancelHook hook) {
        lock.lock();
        try {
            if (cancellation != null) {
                return false;
            }
            Set<CancelHook> hooks = cancelHooks;
            if (hooks == null) {
                hooks = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
                cancelHooks = hooks;
            }
            hooks.add(hook);
            return true;
        } finally {
            lock.unlock();
        }
    }

    void removeCancelHook(CancelHook hook) {
        lock.lock();
        try {
            Set<CancelHook> hooks = cancelHooks;
            if (hooks != null) {
                hooks.remove(hook);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The group was cancelled (its cancelReason is set): runs every armed action, on this thread. */
    private void runCancelHooks() {
        Set<CancelHook> taken;
        lock.lock();
        try {
            taken = cancelHooks;
            cancelHooks = null; // registrations from now on find the group cancelled and run at once
        } finally {
            lock.unlock();
        }
        if (taken != null) {
            for (CancelHook hook : taken) {
                hook.fire(); // failures logged: the sweep goes on (a fatal error is logged, as in a task sweep)
            }
        }
    }

    /**
     * A running task of this group is being cancelled (its reason is set, its thread not interrupted yet). Before
     * the interrupt, so that a group its code opens once it reacts opens cancelled; before the sweep of
     * {@link #taskCancelledAlone}, so that a group linking in meanwhile is either seen by it or sees this.
     */
    void taskCancelling() {
        if (!tasksCancelledAlone && cancellation == null) {
            tasksCancelledAlone = true;
        }
    }

    /**
     * A running task of this group was cancelled alone (the group is not): cancels the groups its code opened,
     * then runs the armed actions registered by the thread that runs it, on this thread.
     *
     * @param runner the task's thread
     * @param reason the task's reason
     */
    void taskCancelledAlone(Thread runner, CancellationReason reason) {
        cancelGroupsOpenedIn(runner, reason);
        if (cancelHooks != null) {
            runCancelHooksOf(runner);
        }
    }

    /**
     * Cancels the live groups the task running on {@code runner} opened (those a group of its own opened are
     * cancelled by them): a cancelled task's nested groups are cancelled with it, as a cancelled group's are.
     * Loud ({@link CancellationReason#PARENT} for an explicit cancel): their {@code join()} throws, so that the
     * task ends cancelled rather than going on as if their work were complete. A group left open by an earlier
     * task on the same thread (leaked) is not this task's.
     */
    private void cancelGroupsOpenedIn(Thread runner, CancellationReason reason) {
        CancellationReason nested = reason.forNestedGroups();
        for (DefaultTaskGroup child : children) {
            if (child.owner == runner && child.openedInTaskOf == this && !child.leaked) {
                child.cancel(nested, false);
            }
        }
    }

    /**
     * Runs the armed actions registered by {@code runner}, on this thread: its task was cancelled alone.
     */
    private void runCancelHooksOf(Thread runner) {
        List<CancelHook> matching = null;
        lock.lock();
        try {
            Set<CancelHook> hooks = cancelHooks;
            if (hooks == null) {
                return;
            }
            for (CancelHook hook : hooks) {
                if (hook.thread() == runner) {
                    if (matching == null) {
                        matching = new ArrayList<>(2);
                    }
                    matching.add(hook);
                }
            }
            if (matching != null) {
                hooks.removeAll(matching);
            }
        } finally {
            lock.unlock();
        }
        if (matching != null) {
            for (CancelHook hook : matching) {
                hook.fire();
            }
        }
    }

    /** Whether a task of this group that the calling thread runs has been cancelled; asked on that thread. */
    boolean taskOfCurrentThreadCancelled() {
        Thread thread = Thread.currentThread();
        boolean[] found = new boolean[1];
        tasks.forEachLive(task -> found[0] |= task.cancelledWhileRunningOn(thread));
        return found[0];
    }

    @Override
    public void close() {
        if (state == TaskGroup.State.CLOSED) {
            return;
        }
        if (live.get() > 0) {
            cancel(CancellationReason.EXPLICIT); // the owner left without joining what it forked
        }
        boolean interrupted = awaitUninterruptibly();
        while (!live.compareAndSet(0, SEALED)) {
            if (live.get() < 0) {
                return; // closed concurrently by another thread
            }
            // A fork from another thread won the race with the end of the wait: the owner is leaving,
            // so that task is cancelled like any other still live at close, and waited for.
            cancel(CancellationReason.EXPLICIT);
            interrupted |= awaitUninterruptibly();
        }
        lock.lock();
        try {
            setState(TaskGroup.State.CLOSED); // CLOSE, CLOSE_CANCELLED or CLOSE_WHILE_JOINING
            if (deadlineTimer != null) {
                deadlineTimer.cancel(false);
            }
        } finally {
            lock.unlock();
        }
        tasks.clearIfAllDone();
        for (DefaultTaskGroup child : children) {
            child.cancel(CancellationReason.PARENT, false); // nested groups the owner failed to close first
        }
        if (parent != null) {
            parent.children.remove(this);
        }
        if (CURRENT.get() == this) {
            DefaultTaskGroup restored = openedOnThisThread();
            if (restored == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(restored);
            }
        }
        factory.closed(this);
        if (cancellation != null) {
            factory.stragglers().groupEnded(this); // every task ended: none is left to watch
        }
        VirtualMachineError fatal = listeners().groupClosed(this, outcome(), System.nanoTime() - openedAtNanos);
        if (fatal != null) {
            failedListenerAtClose(fatal, interrupted);
        }
        throwFailures(interrupted);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** A listener threw a fatal error at close: it wins over the failures, which ride on it. */
    private void failedListenerAtClose(VirtualMachineError fatal, boolean interrupted) {
        try {
            throwFailures(interrupted);
        } catch (TaskGroupException report) {
            fatal.addSuppressed(report);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        throw fatal;
    }

    // ---------------------------------------------------------------- run()

    /**
     * The body of {@code run} finished (normally when {@code bodyFailure} is null): waits for every task
     * and reports, then closes the group.
     */
    <R extends @Nullable Object> R finishRun(@Nullable R result, @Nullable Throwable bodyFailure)
            throws InterruptedException {
        Throwable reported = null;
        try {
            if (bodyFailure == null) {
                join();
                return result;
            }
            if (bodyFailure == reportedToOwner) {
                // The body let join()'s own report through: those failures were reported; add any newer ones.
                boolean interrupted = awaitUninterruptibly();
                try {
                    throwFailures(false);
                } catch (TaskGroupException newer) {
                    newer.failures().forEach(bodyFailure::addSuppressed);
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                throw sneaky(bodyFailure);
            }
            boolean interrupted = bodyFailure instanceof InterruptedException;
            Throwable genuine =
                    isCancelled() ? Failures.genuineAfterCancellation(bodyFailure) : interrupted ? null : bodyFailure;
            if (genuine != null) {
                record(new FailureRecord.Entry("the body", genuine, true));
                cancel(CancellationReason.SIBLING_FAILURE);
            } else if (interrupted) {
                cancel(CancellationReason.PARENT, false);
            }
            interrupted |= awaitUninterruptibly();
            report(interrupted); // failures (the body's own included), interrupt, timeout, outside cancel
            throw sneaky(bodyFailure); // only the echo of a quiet cancellation: let it propagate as it is
        } catch (Throwable report) {
            reported = report;
            throw report;
        } finally {
            closeAfterRun(reported);
        }
    }

    /** Closes after run(); what close() throws (a listener's fatal error) never hides the report. */
    private void closeAfterRun(@Nullable Throwable reported) {
        if (reported == null) {
            close();
            return;
        }
        try {
            close();
        } catch (Throwable closing) {
            reported.addSuppressed(closing);
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E sneaky(Throwable throwable) throws E {
        throw (E) throwable;
    }

    // ---------------------------------------------------------------- called by tasks

    DefaultTaskGroupFactory factory() {
        return factory;
    }

    Listeners listeners() {
        return factory.listeners();
    }

    /** Runs {@code action} for each task of this group not done yet, newest fork first (the straggler watch). */
    void forEachLiveTask(Consumer<DefaultTask<?>> action) {
        tasks.forEachLive(action);
    }

    boolean renameThreads() {
        return factory.renameThreads();
    }

    /**
     * The name a task's thread carries while it runs the task: the group's name for an unnamed task (no
     * string per task), {@code <group>/<task>} for a named one, shared with the group's last task of that name.
     */
    String threadLabel(@Nullable String taskName) {
        if (taskName == null) {
            return name;
        }
        ThreadLabel last = threadLabel;
        if (last != null && last.taskName().equals(taskName)) {
            return last.label();
        }
        String label = name + "/" + taskName;
        threadLabel = new ThreadLabel(taskName, label, null);
        return label;
    }

    /** {@link VirtualThreadStarter}'s factory of threads born with the name {@link #threadLabel} gives. */
    ThreadFactory threadFactory(@Nullable String taskName, VirtualThreadStarter starter) {
        if (taskName == null) {
            ThreadFactory factory = unnamedTasksThreads;
            if (factory == null) {
                factory = starter.named(name);
                unnamedTasksThreads = factory;
            }
            return factory;
        }
        ThreadLabel last = threadLabel;
        if (last != null && last.factory() != null && last.taskName().equals(taskName)) {
            return last.factory();
        }
        String label = name + "/" + taskName;
        ThreadFactory factory = starter.named(label);
        threadLabel = new ThreadLabel(taskName, label, factory);
        return factory;
    }

    boolean hasPropagators() {
        return factory.hasPropagators();
    }

    Thread owner() {
        return owner;
    }

    boolean isCancelled() {
        return cancellation != null;
    }

    @Nullable
    CancellationReason cancellationReasonOrNull() {
        return cancelReason();
    }

    @Nullable
    Throwable firstFailure() {
        return firstFailure;
    }

    void taskFailed(DefaultTask<?> task, Throwable failure) {
        record(new FailureRecord.Entry("task '" + task.name() + "'", failure, false));
        policyHears(task);
    }

    void taskSucceeded(DefaultTask<?> task) {
        policyHears(task);
    }

    // ---------------------------------------------------------------- the completion policy

    /**
     * A task ended (its final state published, before it is counted off): tells the tracker and applies its
     * decision. Allocates nothing unless the tracker does: the built-ins' decisions are constants.
     */
    private void policyHears(DefaultTask<?> task) {
        CompletionPolicy.Decision decision;
        ReentrantLock serial = policyLock;
        try {
            if (serial == null) {
                decision = tracker.onTaskEnded(task);
            } else {
                serial.lock();
                try {
                    endsHeard++;
                    decision = tracker.onTaskEnded(task);
                } finally {
                    serial.unlock();
                }
            }
        } catch (Throwable thrown) {
            policyFailed(thrown);
            return;
        }
        if (decision != CompletionPolicy.Decision.CONTINUE) {
            decide(decision);
        }
    }

    /**
     * join() starts waiting ({@code starting}), or join() or a completion view saw every task ended: the
     * tracker's last word, heard once per set of ends (a second join(), or a join() after the view, with no task
     * ended since, hears nothing new).
     */
    private void policyHearsJoin(boolean starting) {
        CompletionPolicy.Decision decision;
        ReentrantLock serial = policyLock;
        try {
            if (serial == null) {
                decision = starting ? tracker.onJoin() : tracker.onAllEnded();
            } else {
                serial.lock();
                try {
                    if (starting) {
                        decision = tracker.onJoin();
                    } else if (allEndedHeardAt == endsHeard) {
                        decision = CompletionPolicy.Decision.CONTINUE; // said already, and nothing ended since
                    } else {
                        allEndedHeardAt = endsHeard;
                        decision = tracker.onAllEnded();
                    }
                } finally {
                    serial.unlock();
                }
            }
        } catch (Throwable thrown) {
            policyFailed(thrown);
            return;
        }
        if (decision != CompletionPolicy.Decision.CONTINUE) {
            decide(decision);
        }
    }

    /** The group is being cancelled for timeout: whether join() reports it (a throwing tracker: loudly). */
    private boolean policyHearsDeadline() {
        ReentrantLock serial = policyLock;
        try {
            if (serial == null) {
                return tracker.onDeadline();
            }
            serial.lock();
            try {
                return tracker.onDeadline();
            } finally {
                serial.unlock();
            }
        } catch (Throwable thrown) {
            record(new FailureRecord.Entry(policySource(), thrown, true));
            return true;
        }
    }

    /** Applies a decision of the tracker (any but CONTINUE); a null decision is the policy's failure. */
    private void decide(CompletionPolicy.@Nullable Decision decision) {
        if (decision == null) {
            policyFailed(new NullPointerException(
                    "Completion policy '" + policyName() + "' returned a null decision in task group '" + name + "'"));
            return;
        }
        CancellationReason reason = decision.reason();
        if (reason == null) {
            return;
        }
        if (decision.succeeds()) {
            won = true;
            cancel(reason, true);
            return;
        }
        Throwable failure = decision.failure();
        if (failure != null) { // decided, not thrown: the report says so
            record(FailureRecord.Entry.decidedBy(policySource(), failure));
        } else if (firstFailure == null) { // join() must not return normally after a failing decision
            record(FailureRecord.Entry.decidedBy(
                    policySource(),
                    new IllegalStateException("Completion policy '" + policyName() + "' failed task group '" + name
                            + "' (" + reason.value() + ") without a failure")));
        }
        cancel(reason, false);
    }

    /** The tracker threw: a failure of the group (never dropped by a won race), which is cancelled. */
    private void policyFailed(Throwable thrown) {
        record(new FailureRecord.Entry(policySource(), thrown, true));
        cancel(CancellationReason.SIBLING_FAILURE, false);
    }

    private String policySource() {
        return "the completion policy '" + policyName() + "'";
    }

    /** The policy's value(), for messages; a value() that throws does not break the accounting. */
    private String policyName() {
        try {
            return policy.value();
        } catch (RuntimeException e) {
            return policy.getClass().getName();
        }
    }

    @Override
    public TaskGroup taskGroup() {
        return this;
    }

    @Override
    public int unfinishedTasks() {
        return sequence.get() - endsHeard; // read by the tracker, under policyLock
    }

    @Override
    public boolean joining() {
        return state == TaskGroup.State.JOINING;
    }

    private void record(FailureRecord.Entry entry) {
        lock.lock();
        try {
            failures.add(entry);
            CompletionView.OfGroup pending = view;
            if (pending != null) {
                pending.add(entry);
            }
            if (firstFailure == null) {
                firstFailure = entry.failure();
            }
        } finally {
            lock.unlock();
        }
    }

    /** A task ended before it started (cancelled): tell the listeners, count it off, start the next. */
    void taskEndedBeforeStart(DefaultTask<?> task) {
        dispatch(taskEndedBeforeStartNoDispatch(task));
    }

    @Nullable
    DefaultTask<?> taskEndedBeforeStartNoDispatch(DefaultTask<?> task) {
        // A listener's fatal error is logged, not rethrown: this runs inside sweeps (cancel) that must
        // reach every task.
        listeners().taskFinished(task, TaskGroupListener.NOT_STARTED);
        return taskEnded(task);
    }

    /** Counts a finished task off; returns the queued task that inherits its permit, if any. */
    @Nullable
    DefaultTask<?> taskEnded(DefaultTask<?> task) {
        Task.State ended = task.state();
        if (ended == Task.State.FAILED) {
            FAILED_TASKS.incrementAndGet(this);
        } else if (ended == Task.State.CANCELLED) {
            CANCELLED_TASKS.incrementAndGet(this);
            policyHears(task); // succeeded and failed tasks were heard when they completed
        }
        DefaultTask<?> next = limited ? leave(task) : null;
        taskCountedOff();
        return next;
    }

    /**
     * Frees what an ended task held: its group permit goes to the first queued task, which then asks the
     * shared limit; its shared permit goes to the first task waiting there. At most one of them gets every
     * permit it needs (see {@link ConcurrencyLimit}): it is returned, to be dispatched.
     */
    private @Nullable DefaultTask<?> leave(DefaultTask<?> task) {
        DefaultTask<?> next = null;
        if (queue != null) {
            lock.lock();
            try {
                if (task.holdsPermit) {
                    task.holdsPermit = false;
                    next = groupPermitFreedLocked();
                } else if (!queue.isEmpty()) {
                    queue.remove(task); // cancelled while queued: don't keep it until its turn
                }
            } finally {
                lock.unlock();
            }
        }
        if (limit != null) {
            boolean released = limit.leave(task);
            if (released || next != null) {
                next = limit.passOn(released, next);
            }
        }
        if (next != null) {
            admitted(next, -1L);
        }
        return next;
    }

    private @Nullable DefaultTask<?> nextQueued() {
        DefaultTask<?> next;
        while ((next = queue.pollFirst()) != null) {
            if (next.state() == Task.State.PENDING) {
                next.holdsPermit = true;
                return next;
            }
        }
        return null;
    }

    private void taskCountedOff() {
        int left = live.decrementAndGet();
        if (left == 0 || waiters > 0) {
            signalAll();
        }
        if (left == 0 && view != null) {
            settleView(true);
        }
    }

    @Override
    public CompletableFuture<@Nullable Void> completion() {
        CompletionView.OfGroup current = view;
        if (current != null && !current.isDone()) {
            return current;
        }
        lock.lock();
        try {
            current = view;
            if (current == null || current.failures == null) { // none, or settled: a new one
                current = new CompletionView.OfGroup(this, failures.unreported(), failures.omitted());
                view = current;
            }
        } finally {
            lock.unlock();
        }
        // The last task counted off reads the view after it wrote the count; this reads the count after it
        // wrote the view: one of the two sees the other (both may: it is settled once).
        if (live.get() <= 0) {
            settleView(false);
        }
        return current;
    }

    /**
     * Nothing is live: takes the pending view's outcome now, as join() would report it, without draining
     * anything; completes it on the view's defaultExecutor() when called by the last task to
     * end (an internal thread, maybe inside a cancellation sweep), or here when called by completion().
     */
    private void settleView(boolean async) {
        CompletionView.OfGroup candidate = view;
        if (candidate == null || candidate.isDone()) {
            return;
        }
        if (policyLock != null && live.get() <= 0) {
            // The view stands for a join(): the application's policy has its last word first (the built-ins'
            // onAllEnded says nothing). A fork racing this makes the view wait for it, as below.
            policyHearsJoin(false);
        }
        CompletionView.OfGroup pending;
        List<FailureRecord.Entry> entries;
        int omitted;
        lock.lock();
        try {
            pending = view;
            if (pending == null || pending.failures == null || live.get() > 0) {
                return; // settled already, or a fork came first: the view waits for it too
            }
            entries = pending.failures;
            omitted = pending.omittedFailures;
            pending.failures = null;
        } finally {
            lock.unlock();
        }
        Throwable outcome = viewOutcome(entries, omitted);
        if (async) {
            pending.settleAsync(outcome, null);
        } else if (outcome != null) {
            pending.fail(outcome);
        } else {
            pending.succeed(null);
        }
    }

    /** What join() would throw with these failures, or null if it would return normally. */
    private @Nullable Throwable viewOutcome(List<FailureRecord.Entry> entries, int omitted) {
        if (won) {
            entries.removeIf(entry -> !entry.fromBody()); // a won race drops the losers' failures
            omitted = 0;
        }
        Cancellation cancelled = cancellation;
        CancellationReason reason = cancelled == null ? null : cancelled.reason;
        FailureRecord.Drained drained = new FailureRecord.Drained(entries, omitted);
        if (!drained.isEmpty()) {
            return reason == CancellationReason.TIMEOUT
                    ? timeoutException(drained)
                    : new TaskGroupException(
                            name,
                            "Task group '" + name + "' failed with " + drained.describe(),
                            drained.failures(),
                            drained.omitted());
        }
        if (cancelled == null || cancelled.quiet) {
            return null;
        }
        if (reason == CancellationReason.TIMEOUT) {
            return timeoutException(drained);
        }
        if (reason == CancellationReason.SHUTDOWN
                || reason == CancellationReason.REQUEST_ABORTED
                || reason == CancellationReason.PARENT) {
            return new CancellationException("Task group '" + name + "' was cancelled (" + reason.value() + ")");
        }
        return null;
    }

    void signalWaiters() {
        if (waiters > 0) {
            signalAll();
        }
    }

    private void signalAll() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Task.get(): waits until the task is done or cancelled, or the group is cancelled, or interrupt. */
    void awaitTask(DefaultTask<?> task) {
        lock.lock();
        try {
            waiters++;
            while (!task.state().isDone() && task.cancellationReason() == null && cancellation == null) {
                changed.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // DefaultTask.get turns this into a CancellationException
        } finally {
            waiters--;
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- waiting and reporting

    private static final int DONE = 0;
    private static final int INTERRUPTED = 1;
    private static final int TIMED_OUT = 2;

    /**
     * Waits for live == 0, or until {@code deadline} ({@link System#nanoTime()}; {@code Long.MAX_VALUE}: none).
     * An interrupt cancels the group (reason parent) and the wait then goes on, without deadline, until every
     * task finished.
     *
     * @return {@link #DONE}, {@link #INTERRUPTED} (every task finished, the group was cancelled because of
     *         the interrupt) or {@link #TIMED_OUT} (tasks still run; nothing was cancelled)
     */
    private int awaitAll(boolean interruptible, long deadline) {
        if (live.get() <= 0) {
            return DONE;
        }
        boolean interrupted = false;
        lock.lock();
        try {
            while (live.get() > 0) {
                if (interruptible && !interrupted) {
                    try {
                        if (deadline == Long.MAX_VALUE) {
                            changed.await();
                        } else {
                            long remaining = deadline - System.nanoTime();
                            if (remaining <= 0) {
                                return TIMED_OUT;
                            }
                            changed.awaitNanos(remaining);
                        }
                    } catch (InterruptedException e) {
                        interrupted = true;
                        lock.unlock();
                        try {
                            cancel(CancellationReason.PARENT, false);
                        } finally {
                            lock.lock();
                        }
                    }
                } else {
                    changed.awaitUninterruptibly();
                }
            }
        } finally {
            lock.unlock();
        }
        return interrupted ? INTERRUPTED : DONE;
    }

    private boolean awaitUninterruptibly() {
        boolean interrupted = Thread.interrupted();
        awaitAll(false, Long.MAX_VALUE);
        return interrupted || Thread.interrupted();
    }

    /**
     * Throws what the owner of {@code join} (or {@code run}) must hear: the failures first, always (with the
     * interrupt re-asserted); then the interrupt, the timeout, or a cancellation from outside.
     */
    private void report(boolean interrupted) throws InterruptedException {
        throwFailures(interrupted);
        if (interrupted) {
            throw new InterruptedException(
                    "Interrupted while joining task group '" + name + "'; its tasks were cancelled");
        }
        Cancellation cancelled = cancellation;
        if (cancelled == null || cancelled.quiet) {
            return;
        }
        CancellationReason reason = cancelled.reason;
        if (reason == CancellationReason.TIMEOUT) {
            throw timeoutException(new FailureRecord.Drained(List.of(), 0));
        }
        if (reason == CancellationReason.SHUTDOWN
                || reason == CancellationReason.REQUEST_ABORTED
                || reason == CancellationReason.PARENT) {
            throw new CancellationException("Task group '" + name + "' was cancelled (" + reason.value() + ")");
        }
    }

    /** Throws the failures not reported yet, if any, re-asserting the interrupt when there was one. */
    private void throwFailures(boolean interrupted) {
        if (firstFailure == null) {
            return; // nothing was ever recorded (firstFailure is set with the first record)
        }
        FailureRecord.Drained drained;
        lock.lock();
        try {
            drained = failures.drain(won);
        } finally {
            lock.unlock();
        }
        if (drained.isEmpty()) {
            return;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        TaskGroupException report = cancelReason() == CancellationReason.TIMEOUT
                ? timeoutException(drained)
                : new TaskGroupException(
                        name,
                        "Task group '" + name + "' failed with " + drained.describe(),
                        drained.failures(),
                        drained.omitted());
        throw report;
    }

    private TaskGroupTimeoutException timeoutException(FailureRecord.Drained drained) {
        String what = ownDeadlineExpired
                ? "timed out after " + ownTimeout
                : "was cancelled: the deadline of an enclosing group expired";
        String message =
                "Task group '" + name + "' " + what + (drained.isEmpty() ? "" : "; it also had " + drained.describe());
        return new TaskGroupTimeoutException(
                name, message, ownDeadlineExpired ? ownTimeout : null, drained.failures(), drained.omitted());
    }

    /**
     * Called by open once the group is announced: a group whose own deadline had passed by then (a timeout
     * shorter than opening took) expires now, on the opening thread, before anything is forked into it. The
     * timer would expire it too, a moment later on its own thread, when a task forked meanwhile may have run.
     */
    void expireIfDue() {
        if (deadlineTimer != null && deadlineNanos - System.nanoTime() <= 0) {
            expire(); // the timer's own call then finds the group cancelled and does nothing
        }
    }

    private void expire() {
        lock.lock();
        try {
            if (cancellation != null) {
                return;
            }
            ownDeadlineExpired = true;
        } finally {
            lock.unlock();
        }
        // A deadline that passes after a successful join() while nothing is live (before close) cuts
        // nothing short: it only cancels what is forked or opened later. The flag is written (above) before
        // the checks, and fork() counts itself live before reading it, so one of the two always sees the other.
        if (!joinedClean || live.get() > 0 || !children.isEmpty()) {
            cancel(CancellationReason.TIMEOUT);
        }
    }

    private TaskGroup.Outcome outcome() {
        int failed = 0;
        if (firstFailure != null) {
            lock.lock();
            try {
                failed = failures.total();
            } finally {
                lock.unlock();
            }
        }
        CancellationReason reason = cancelReason();
        if (failed > 0 && !won) {
            return TaskGroup.Outcome.FAILED;
        }
        if (reason == CancellationReason.TIMEOUT) {
            return TaskGroup.Outcome.TIMEOUT;
        }
        if (reason != null && reason != CancellationReason.FIRST_SUCCESS && reason != CancellationReason.POLICY) {
            return TaskGroup.Outcome.CANCELLED;
        }
        return TaskGroup.Outcome.SUCCEEDED;
    }

    private void transition(TaskGroup.State from, TaskGroup.State to) {
        lock.lock();
        try {
            if (state == from) {
                setState(to);
            }
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- introspection

    TaskGroupSnapshot snapshot(boolean withStackTraces) {
        return snapshot(withStackTraces, null);
    }

    /**
     * @param threads where to record the owner thread of each group snapshot and the thread of each running
     *        task snapshot (keyed by the snapshot, by identity), for a dump; or {@code null}
     */
    TaskGroupSnapshot snapshot(boolean withStackTraces, @Nullable Map<Object, Thread> threads) {
        long now = System.nanoTime();
        List<StackTraceElement> ownerStack = withStackTraces ? Arrays.asList(owner.getStackTrace()) : List.of();
        List<TaskSnapshot> taskSnapshots = new ArrayList<>();
        tasks.forEachLive(task -> taskSnapshots.add(task.snapshot(now, withStackTraces, threads)));
        Collections.reverse(taskSnapshots); // the list holds the newest first: shown in the order forked
        List<TaskGroupSnapshot> groups = new ArrayList<>();
        for (DefaultTaskGroup child : children) {
            groups.add(child.snapshot(withStackTraces, threads));
        }
        groups.sort((a, b) -> Long.compare(a.id(), b.id()));
        TaskGroupSnapshot snapshot = new TaskGroupSnapshot(
                id,
                name,
                ownerName,
                factory.instantOf(openedAtNanos),
                Duration.ofNanos(now - openedAtNanos),
                deadlineInstant(),
                policy,
                state,
                cancelReason(),
                taskSnapshots,
                groups,
                leaked,
                ownerStack,
                attributes);
        if (threads != null) {
            threads.put(snapshot, owner);
        }
        return snapshot;
    }

    @Nullable
    DefaultTaskGroup parent() {
        return parent;
    }

    int forkedTasks() {
        return sequence.get();
    }

    int failedTasks() {
        return failedTasks;
    }

    int cancelledTasks() {
        return cancelledTasks;
    }

    private @Nullable Instant deadlineInstant() {
        return deadlineNanos == Long.MAX_VALUE ? null : factory.instantOf(deadlineNanos);
    }

    private IllegalStateException closed(@Nullable String taskName) {
        return new IllegalStateException("Task group '" + name + "' is closed: cannot fork task '"
                + (taskName != null ? taskName : "task-" + (sequence.get() + 1)) + "'");
    }

    private static long saturatedAdd(long nanos, Duration duration) {
        long add;
        try {
            add = duration.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
        long sum = nanos + add;
        return ((nanos ^ sum) & (add ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    @Override
    public String toString() {
        return "TaskGroup[" + id + ", " + name + ", " + state + "]";
    }
}
