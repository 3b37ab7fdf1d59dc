package io.github.taskgroup;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/** The factory implementation: options resolution, the registry of live groups, deadlines and shutdown. */
final class DefaultTaskGroupFactory implements TaskGroupFactory {

    private final Executor executor;
    private final @Nullable ExecutorService ownedExecutor; // the default executor, shut down by close(); else null
    private final TaskGroupOptions defaults;
    private final Map<String, TaskGroupOptions> namedOptions;
    private final Listeners listeners;
    private final List<ContextPropagator> propagators;
    private final boolean hasPropagators;
    private final boolean renameThreads;
    private final String name;
    // The MBean registration (a JmxSupport.Registration), or null without JMX; typed AutoCloseable so that
    // this class links on a runtime without java.management. Written by the constructor, read by close().
    private final @Nullable AutoCloseable mbean;
    private final Map<String, ConcurrencyLimit> limits; // shared limits by name, fixed at build

    private final AtomicLong ids = new AtomicLong();
    // One wall-clock anchor for every instant the factory reports, so that instants derived from
    // System.nanoTime() compare exactly (a nested group's deadline equals its parent's).
    private final long anchorNanos = System.nanoTime();
    private final java.time.Instant anchor = java.time.Instant.now();
    private final Map<Long, DefaultTaskGroup> liveGroups = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition groupClosed = lock.newCondition();
    private volatile boolean shutdown;
    private volatile @Nullable ScheduledThreadPoolExecutor deadlines; // created on first use
    private final StragglerWatch stragglers; // tasks cancelled while they ran; ticks on the deadline timer

    DefaultTaskGroupFactory(TaskGroupFactory.Builder builder) {
        if (builder.executor != null) {
            this.executor = builder.executor;
            this.ownedExecutor = null;
        } else {
            this.executor = TaskGroupExecutors.defaultExecutor();
            this.ownedExecutor = executor instanceof ExecutorService pool ? pool : null;
        }
        this.defaults = builder.defaults;
        this.namedOptions = Map.copyOf(builder.namedOptions);
        this.listeners = new Listeners(JfrSupport.withJfrListener(builder.listeners, builder.jfrEvents));
        this.propagators = List.copyOf(builder.propagators);
        this.hasPropagators = !propagators.isEmpty();
        this.renameThreads = builder.renameThreads;
        Map<String, ConcurrencyLimit> byName = new java.util.LinkedHashMap<>();
        builder.limits.forEach((name, bounds) -> byName.put(name, new ConcurrencyLimit(name, bounds[0], bounds[1])));
        this.limits = Map.copyOf(byName);
        this.name = builder.name;
        AutoCloseable registered = null;
        if (builder.jmx) {
            try {
                registered = JmxSupport.register(this, builder.jmxCancel);
            } catch (RuntimeException | Error e) {
                if (ownedExecutor != null) {
                    ownedExecutor.shutdown();
                }
                throw e;
            }
        }
        this.mbean = registered;
        this.stragglers = new StragglerWatch(builder.stragglerThreshold, this::scheduleDeadline, listeners);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void dump(Appendable out, DumpFormat format, boolean stacks) throws IOException {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(format, "format");
        TaskGroupDump.of(this, stacks).write(out, format);
    }

    @Override
    public TaskGroup open(String name, TaskGroupOptions options) {
        return open(name, options, true);
    }

    @Override
    public TaskGroup openRoot(String name, TaskGroupOptions options) {
        return open(name, options, false);
    }

    private TaskGroup open(String name, TaskGroupOptions options, boolean bindToThread) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(options, "options");
        TaskGroupOptions resolved = options.orElse(namedOptions.getOrDefault(name, TaskGroupOptions.defaults()))
                .orElse(defaults);
        DefaultTaskGroup enclosing = bindToThread ? DefaultTaskGroup.openedOnThisThread() : null;
        DefaultTaskGroup runningTaskOf = bindToThread ? RunningTask.group() : null;
        DefaultTaskGroup parent = enclosing != null ? enclosing : runningTaskOf;
        if (shutdown && parent == null) {
            throw new IllegalStateException("TaskGroupFactory is shut down: cannot open task group '" + name + "'");
        }
        DefaultTaskGroup group =
                new DefaultTaskGroup(this, ids.incrementAndGet(), name, resolved, parent, enclosing, runningTaskOf);
        liveGroups.put(group.id(), group);
        try {
            group.start(bindToThread); // throws only before it links or binds anything (deadline timer gone)
        } catch (RuntimeException | Error e) {
            liveGroups.remove(group.id());
            throw e;
        }
        VirtualMachineError fatal = listeners.groupOpened(group);
        if (fatal != null) { // the caller never gets the group: close it, so that nothing stays bound or live
            try {
                group.close();
            } catch (RuntimeException | Error e) {
                fatal.addSuppressed(e);
            }
            throw fatal;
        }
        group.expireIfDue();
        return group;
    }

    @Override
    public <R extends @Nullable Object> R run(String name, TaskGroupOptions options, TaskGroupBody<R> body)
            throws InterruptedException {
        Objects.requireNonNull(body, "body");
        DefaultTaskGroup group = (DefaultTaskGroup) open(name, options);
        R result = null;
        Throwable failure = null;
        try {
            result = body.run(group);
        } catch (Throwable thrown) {
            failure = thrown;
        }
        return group.finishRun(result, failure);
    }

    @Override
    public List<TaskGroupSnapshot> liveGroups(boolean withStackTraces) {
        return liveGroups(withStackTraces, null);
    }

    /**
     * @param threads where to record the thread behind each snapshot (see
     *        {@link DefaultTaskGroup#snapshot(boolean, Map)}), or {@code null}
     */
    List<TaskGroupSnapshot> liveGroups(boolean withStackTraces, @Nullable Map<Object, Thread> threads) {
        List<TaskGroupSnapshot> roots = new ArrayList<>();
        for (DefaultTaskGroup group : liveGroups.values()) {
            DefaultTaskGroup parent = group.parent();
            // A group whose parent closed first (left open by a task) is shown as a root, not lost.
            if (parent == null || parent.factory() != this || parent.state() == TaskGroup.State.CLOSED) {
                roots.add(group.snapshot(withStackTraces, threads));
            }
        }
        roots.sort((a, b) -> Long.compare(a.id(), b.id()));
        return roots;
    }

    @Override
    public Optional<TaskGroup> find(long id) {
        return Optional.ofNullable(liveGroups.get(id));
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long remaining = timeout.toNanos();
        lock.lock();
        try {
            while (!liveGroups.isEmpty()) {
                if (remaining <= 0) {
                    return false;
                }
                remaining = groupClosed.awaitNanos(remaining);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int cancelAll(CancellationReason reason) {
        Objects.requireNonNull(reason, "reason");
        int cancelled = 0;
        for (DefaultTaskGroup group : liveGroups.values()) {
            if (group.parent() == null && group.cancel(reason)) {
                cancelled++;
            }
        }
        return cancelled;
    }

    @Override
    public void close() {
        shutdown();
        cancelAll(CancellationReason.SHUTDOWN);
        ScheduledThreadPoolExecutor timer = deadlines;
        if (timer != null) {
            timer.shutdownNow();
        }
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
        }
        AutoCloseable registration = mbean;
        if (registration != null) {
            try {
                registration.close(); // idempotent
            } catch (Exception e) {
                throw new IllegalStateException("Could not unregister the MBean of TaskGroupFactory '" + name + "'", e);
            }
        }
    }

    // ---------------------------------------------------------------- called by groups

    Executor executor() {
        return executor;
    }

    Listeners listeners() {
        return listeners;
    }

    List<ContextPropagator> propagators() {
        return propagators;
    }

    boolean hasPropagators() {
        return hasPropagators;
    }

    boolean renameThreads() {
        return renameThreads;
    }

    /**
     * @return the shared limit of that name
     * @throws IllegalArgumentException if the factory has none: the group cannot open
     */
    ConcurrencyLimit limit(String limitName, String groupName) {
        ConcurrencyLimit limit = limits.get(limitName);
        if (limit == null) {
            throw new IllegalArgumentException("Task group '" + groupName + "' uses the shared limit '" + limitName
                    + "', which the factory does not have; "
                    + (limits.isEmpty()
                            ? "it has none (register one with TaskGroupFactory.Builder.limit or the property "
                                    + "taskgroup.limits." + limitName + ".max-concurrency)"
                            : "it has " + new java.util.TreeSet<>(limits.keySet())));
        }
        return limit;
    }

    /** @return the shared limit of that name, or null (for tests) */
    @Nullable
    ConcurrencyLimit limitOrNull(String limitName) {
        return limits.get(limitName);
    }

    StragglerWatch stragglers() {
        return stragglers;
    }

    void closed(DefaultTaskGroup group) {
        liveGroups.remove(group.id());
        if (liveGroups.isEmpty()) {
            lock.lock();
            try {
                groupClosed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    java.time.Instant instantOf(long nanoTime) {
        return anchor.plusNanos(nanoTime - anchorNanos);
    }

    ScheduledFuture<?> scheduleDeadline(Runnable expire, long delayNanos) {
        return deadlineTimer().schedule(expire, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    private ScheduledThreadPoolExecutor deadlineTimer() {
        ScheduledThreadPoolExecutor timer = deadlines;
        if (timer == null) {
            lock.lock();
            try {
                timer = deadlines;
                if (timer == null) {
                    timer = new ScheduledThreadPoolExecutor(1, runnable -> {
                        Thread thread = new Thread(runnable, "taskgroup-deadlines");
                        thread.setDaemon(true);
                        return thread;
                    });
                    timer.setRemoveOnCancelPolicy(true);
                    timer.setKeepAliveTime(10, TimeUnit.SECONDS);
                    timer.allowCoreThreadTimeOut(true);
                    deadlines = timer;
                }
            } finally {
                lock.unlock();
            }
        }
        return timer;
    }
}
