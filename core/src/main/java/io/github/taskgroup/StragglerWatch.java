package io.github.taskgroup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Finds the tasks of one factory that ignore their cancellation ("stragglers"): a task still running
 * {@link #thresholdNanos} after cancellation was requested while it ran is reported once, with a warning
 * log line, the listeners' {@link TaskGroupListener#taskStraggling} (meters, the JFR event), and the flag of
 * its {@link TaskSnapshot}.
 *
 * <p>Cost: a task that is never cancelled while it runs is never seen here (nothing is scheduled per task,
 * nothing is added to a fork or a run). A task cancelled alone while it runs is put in one map, and removed
 * by its own thread when it ends. A group cancelled as a whole is put in another map once, for all the tasks
 * its sweep cancelled while they ran (so a sweep of a thousand tasks costs one entry, not a thousand); it
 * leaves that map when it closes, or at the first tick after the threshold, which moves those of its tasks
 * still running into the map of tasks (they are stragglers by then). One timer tick, on the factory's timer thread, checks the whole map: it is
 * scheduled only while the map holds tasks not reported yet, for the moment the earliest of them reaches the
 * threshold, and never sooner than one threshold after the previous tick. So a thousand stragglers cancelled
 * together cost one or two wake-ups, not a thousand; and a straggler is reported between one and two
 * thresholds after its cancellation.
 *
 * <p>Ordering: the report of a task (its {@code reported} flag, its snapshot and the listeners' event) is
 * made while holding the task's monitor, after checking that it still runs. The task publishes its end
 * under the same monitor before its listeners hear {@code taskFinished}, so a reported task's
 * {@code taskStraggling} always precedes its {@code taskFinished}, and a task that ended is never reported.
 * Lock order: a task's monitor, then {@link #lock} (a canceller watching a task); the tick never holds
 * {@link #lock} while it takes a task's monitor.
 */
final class StragglerWatch {

    private static final System.Logger LOG = System.getLogger(StragglerWatch.class.getName());

    /** The longest threshold kept as is: a longer one would overflow the nanosecond arithmetic. */
    private static final long MAX_THRESHOLD_NANOS = Long.MAX_VALUE / 4;

    /** Schedules a tick after a delay; the factory's timer. */
    interface Scheduler {
        void schedule(Runnable tick, long delayNanos);
    }

    /** A task cancelled while it ran, watched until it ends. */
    static final class Watched {

        final long cancelledAtNanos;

        /** Written once by the tick under the task's monitor; read by the tick and by snapshots. */
        volatile boolean reported;

        Watched(long cancelledAtNanos) {
            this.cancelledAtNanos = cancelledAtNanos;
        }
    }

    private final long thresholdNanos;
    private final Scheduler scheduler;
    private final Listeners listeners;

    /**
     * Put by cancellers (under the task's monitor) and by the tick (a watched group's tasks at the threshold);
     * removed by the task's thread at its end or by the tick.
     */
    private final Map<DefaultTask<?>, Watched> watched = new ConcurrentHashMap<>();

    /**
     * Groups whose sweep cancelled tasks while they ran, with the time of the sweep: put by the canceller after
     * its sweep, removed by the group's closer or by the tick that moves their tasks into {@link #watched}.
     */
    private final Map<DefaultTaskGroup, Long> watchedGroups = new ConcurrentHashMap<>();

    private final ReentrantLock lock = new ReentrantLock();
    private boolean tickScheduled; // guarded by lock
    private long lastTickNanos; // guarded by lock; meaningful once ticked
    private boolean ticked; // guarded by lock

    /** How many ticks ran; read by tests. */
    private final AtomicLong ticks = new AtomicLong();

    StragglerWatch(Duration threshold, Scheduler scheduler, Listeners listeners) {
        this.thresholdNanos = threshold.compareTo(Duration.ofNanos(MAX_THRESHOLD_NANOS)) > 0
                ? MAX_THRESHOLD_NANOS
                : threshold.toNanos();
        this.scheduler = scheduler;
        this.listeners = listeners;
    }

    /**
     * Cancellation was requested while {@code task} runs: watches it until it ends. Called by the canceller,
     * holding the task's monitor, once per task.
     */
    void watch(DefaultTask<?> task) {
        long now = System.nanoTime();
        watched.put(task, new Watched(now));
        ensureTick(now, now);
    }

    /**
     * The sweep of {@code group}'s cancellation, which started at {@code sweptAtNanos}, cancelled tasks of it
     * while they ran: watches them until they end. Called by the canceller once its sweep is over.
     */
    void watchGroup(DefaultTaskGroup group, long sweptAtNanos) {
        watchedGroups.putIfAbsent(group, sweptAtNanos);
        // The last task the sweep interrupted may have ended, and the group closed (groupEnded found nothing to
        // remove), before this put. Its closer makes it CLOSED before groupEnded: either that remove comes
        // after the put, or this read sees CLOSED.
        if (group.state() == TaskGroup.State.CLOSED) {
            watchedGroups.remove(group);
            return;
        }
        ensureTick(sweptAtNanos, System.nanoTime());
    }

    /** A group that {@link #watchGroup} may have watched closed: all its tasks ended. Called by its closer. */
    void groupEnded(DefaultTaskGroup group) {
        watchedGroups.remove(group);
    }

    private void ensureTick(long cancelledAtNanos, long nowNanos) {
        lock.lock();
        try {
            if (!tickScheduled) {
                scheduleTick(cancelledAtNanos + thresholdNanos, nowNanos);
            }
        } finally {
            lock.unlock();
        }
    }

    /** A task that was cancelled while it ran ended: no longer watched. Called by its own thread. */
    void ended(DefaultTask<?> task) {
        watched.remove(task);
    }

    /**
     * @return nanoseconds since cancellation was requested while {@code task} ran, or {@code -1} if it is not
     *         watched (not cancelled, or ended)
     */
    long sinceCancelled(DefaultTask<?> task, long nowNanos) {
        Watched entry = watched.get(task);
        if (entry != null) {
            return Math.max(0L, nowNanos - entry.cancelledAtNanos);
        }
        Long sweptAt = watchedGroups.isEmpty() ? null : watchedGroups.get((DefaultTaskGroup) task.group());
        return sweptAt == null || !isWatchedWithGroup(task) ? -1L : Math.max(0L, nowNanos - sweptAt);
    }

    /** Whether a task of a watched group is one its sweep cancelled while it ran, and still runs. */
    private static boolean isWatchedWithGroup(DefaultTask<?> task) {
        return task.state() == Task.State.RUNNING && task.cancellationReason() != null;
    }

    /** @return whether a task cancelled {@code sinceCancelledNanos} ago and still running is a straggler */
    boolean isStraggler(long sinceCancelledNanos) {
        return sinceCancelledNanos >= thresholdNanos;
    }

    /** @return how many ticks ran so far (for tests) */
    long ticks() {
        return ticks.get();
    }

    /** @return whether a tick is scheduled (for tests) */
    boolean tickScheduled() {
        lock.lock();
        try {
            return tickScheduled;
        } finally {
            lock.unlock();
        }
    }

    /** @return how many groups are watched as a whole now (for tests) */
    int watchedGroupCount() {
        return watchedGroups.size();
    }

    /** @return how many tasks are watched now, alone or with their group (for tests) */
    int watchedCount() {
        int[] count = {watched.size()};
        for (DefaultTaskGroup group : watchedGroups.keySet()) {
            group.forEachLiveTask(task -> {
                if (isWatchedWithGroup(task) && !watched.containsKey(task)) {
                    count[0]++;
                }
            });
        }
        return count[0];
    }

    /** Schedules the next tick for {@code dueNanos}, or one threshold after the last tick if that is later. */
    private void scheduleTick(long dueNanos, long nowNanos) {
        long at = ticked && lastTickNanos + thresholdNanos - dueNanos > 0 ? lastTickNanos + thresholdNanos : dueNanos;
        try {
            scheduler.schedule(this::tick, Math.max(0L, at - nowNanos));
            tickScheduled = true;
        } catch (RejectedExecutionException closed) {
            tickScheduled = false; // the factory is closed: it reports no more stragglers
        }
    }

    /** The timer's tick: reports the tasks that reached the threshold, then schedules the next tick if needed. */
    private void tick() {
        ticks.incrementAndGet();
        long now = System.nanoTime();
        try {
            watchTasksOfDueGroups(now);
            List<Report> reports = new ArrayList<>();
            for (Map.Entry<DefaultTask<?>, Watched> entry : watched.entrySet()) {
                DefaultTask<?> task = entry.getKey();
                Watched watch = entry.getValue();
                if (watch.reported) {
                    continue;
                }
                if (task.state().isDone()) {
                    watched.remove(task, watch); // the end raced its own removal
                    continue;
                }
                if (now - watch.cancelledAtNanos >= thresholdNanos) {
                    Report report = report(task, watch, now);
                    if (report != null) {
                        reports.add(report);
                    }
                }
            }
            for (Report report : reports) {
                log(report);
            }
        } finally {
            rescheduleAfterTick(now);
        }
    }

    /**
     * Moves the tasks of the groups whose sweep is a threshold old, and that still run, into the map of
     * tasks, where this tick reports them (and a task cancelled alone before keeps its earlier time).
     */
    private void watchTasksOfDueGroups(long now) {
        for (Map.Entry<DefaultTaskGroup, Long> entry : watchedGroups.entrySet()) {
            long sweptAt = entry.getValue();
            if (now - sweptAt < thresholdNanos) {
                continue;
            }
            DefaultTaskGroup group = entry.getKey();
            group.forEachLiveTask(task -> {
                if (isWatchedWithGroup(task)) {
                    watched.putIfAbsent(task, new Watched(sweptAt));
                }
            });
            // After the walk: a snapshot between the two finds the task in one map or both, never in none.
            watchedGroups.remove(group, entry.getValue());
        }
    }

    /** The task's report, made under its monitor if it still runs; {@code null} if it ended meanwhile. */
    private @Nullable Report report(DefaultTask<?> task, Watched watch, long now) {
        synchronized (task) {
            Thread thread = task.runner();
            if (task.state() != Task.State.RUNNING || thread == null) {
                return null;
            }
            watch.reported = true;
            TaskSnapshot snapshot = new TaskSnapshot(
                    task.name(),
                    Task.State.RUNNING,
                    Duration.ofNanos(now - task.forkedAtNanos()),
                    thread.getName(),
                    Arrays.asList(thread.getStackTrace()),
                    Duration.ofNanos(now - watch.cancelledAtNanos),
                    true);
            listeners.taskStraggling(task, snapshot); // a listener's fatal error is logged by Listeners
            return new Report(task, snapshot);
        }
    }

    private void rescheduleAfterTick(long tickNanos) {
        lock.lock();
        try {
            ticked = true;
            lastTickNanos = tickNanos;
            tickScheduled = false;
            long earliest = 0L;
            boolean pending = false;
            for (long sweptAt : watchedGroups.values()) {
                if (!pending || sweptAt - earliest < 0) {
                    earliest = sweptAt;
                    pending = true;
                }
            }
            for (Map.Entry<DefaultTask<?>, Watched> entry : watched.entrySet()) {
                Watched watch = entry.getValue();
                if (watch.reported || entry.getKey().state().isDone()) {
                    continue;
                }
                if (!pending || watch.cancelledAtNanos - earliest < 0) {
                    earliest = watch.cancelledAtNanos;
                    pending = true;
                }
            }
            if (pending) {
                scheduleTick(earliest + thresholdNanos, System.nanoTime());
            }
        } finally {
            lock.unlock();
        }
    }

    private record Report(DefaultTask<?> task, TaskSnapshot snapshot) {}

    private static void log(Report report) {
        LOG.log(System.Logger.Level.WARNING, () -> describe(report.task(), report.snapshot()));
    }

    /** The warning: group path, task, reason, time since cancellation, thread and its stack. */
    static String describe(DefaultTask<?> task, TaskSnapshot snapshot) {
        DefaultTaskGroup group = (DefaultTaskGroup) task.group();
        CancellationReason reason = task.cancellationReason();
        Duration since = snapshot.sinceCancelled();
        StringBuilder message = new StringBuilder("Task '")
                .append(task.name())
                .append("' of group '")
                .append(path(group))
                .append("' (id ")
                .append(group.id())
                .append(") is still running ")
                .append(since == null ? 0L : since.toMillis())
                .append(" ms after it was cancelled (")
                .append(reason == null ? "unknown" : reason.value())
                .append("): it ignores its interrupt. Thread '")
                .append(snapshot.thread())
                .append("':");
        for (StackTraceElement frame : snapshot.stackTrace()) {
            message.append(System.lineSeparator()).append("\tat ").append(frame);
        }
        return message.toString();
    }

    /** The names of the group's ancestors and its own, root first, separated by {@code /}. */
    static String path(DefaultTaskGroup group) {
        List<String> names = new ArrayList<>();
        for (DefaultTaskGroup g = group; g != null; g = g.parent()) {
            names.add(g.name());
        }
        StringBuilder path = new StringBuilder();
        for (int i = names.size() - 1; i >= 0; i--) {
            path.append(names.get(i));
            if (i > 0) {
                path.append('/');
            }
        }
        return path.toString();
    }
}
