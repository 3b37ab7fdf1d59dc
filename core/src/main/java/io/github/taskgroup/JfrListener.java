package io.github.taskgroup;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The built-in listener that emits the JFR events {@link GroupClosedEvent}, {@link TaskFinishedEvent} and
 * {@link TaskStragglerEvent}.
 * Every reference to {@code jdk.jfr} lives here and in the event classes, which are loaded only once
 * {@link JfrSupport} has seen the {@code jdk.jfr} module.
 *
 * <p>Cost: while no recording enables an event, each callback creates the event, asks {@link
 * jdk.jfr.Event#isEnabled()} and returns; the event does not escape, so the JIT removes the allocation (the
 * idiom of the JDK's own events). While a recording enables them, an event is begun where the span starts
 * (open, start) and committed where it ends (close, finish) if {@link jdk.jfr.Event#shouldCommit()} says so,
 * which is where JFR applies the {@code threshold} setting; its fields are filled only then.
 *
 * <p>Begun events wait in a map until their span ends: a group may be closed on another thread than the one
 * that opened it. A task starts and finishes on one thread, but a thread-local would cost a virtual thread
 * (a new thread per task) its thread-local map, more than the map's node. JFR times the task itself, so the
 * listener is {@linkplain Listeners.Untimed untimed}: with no other listener, a task's run reads no clock.
 */
final class JfrListener implements TaskGroupListener, Listeners.Untimed {

    /** Groups opened while {@link GroupClosedEvent} was enabled, with their begun events. */
    private final ConcurrentHashMap<TaskGroup, GroupClosedEvent> openGroups = new ConcurrentHashMap<>();

    /** Tasks started while {@link TaskFinishedEvent} was enabled, with their begun events. */
    private final ConcurrentHashMap<Task<?>, TaskFinishedEvent> runningTasks = new ConcurrentHashMap<>();

    private JfrListener() {}

    /**
     * @return the listener
     * @throws LinkageError if the JFR classes cannot be linked
     */
    static TaskGroupListener create() {
        // Link the event classes now, so that a broken runtime fails here, where JfrSupport catches it.
        new GroupClosedEvent().isEnabled();
        new TaskFinishedEvent().isEnabled();
        new TaskStragglerEvent().isEnabled();
        return new JfrListener();
    }

    @Override
    public void groupOpened(TaskGroup group) {
        GroupClosedEvent event = new GroupClosedEvent();
        if (event.isEnabled()) {
            event.begin();
            openGroups.put(group, event);
        }
    }

    @Override
    public void groupClosed(TaskGroup group, TaskGroup.Outcome outcome, long durationNanos) {
        if (openGroups.isEmpty()) {
            return;
        }
        GroupClosedEvent event = openGroups.remove(group); // even if disabled meanwhile: nothing stays behind
        if (event == null) {
            return;
        }
        event.end();
        if (event.shouldCommit()) {
            event.groupId = group.id();
            if (group instanceof DefaultTaskGroup own) {
                DefaultTaskGroup parent = own.parent();
                event.parentId = parent == null ? 0L : parent.id();
                event.tasksForked = own.forkedTasks();
                event.tasksFailed = own.failedTasks();
                event.tasksCancelled = own.cancelledTasks();
            }
            event.groupName = group.name();
            event.policy = group.policy().value();
            event.outcome = outcome.name().toLowerCase(Locale.ROOT);
            event.cancellationReason =
                    group.cancellationReason().map(CancellationReason::value).orElse(null);
            event.commit();
        }
    }

    @Override
    public void taskStarted(Task<?> task) {
        TaskFinishedEvent event = new TaskFinishedEvent();
        if (!event.isEnabled()) {
            return;
        }
        long now = System.nanoTime();
        event.waitTime = task instanceof DefaultTask<?> own ? Math.max(0L, now - own.forkedAtNanos()) : 0L;
        runningTasks.put(task, event);
        event.begin();
    }

    @Override
    public void taskFinished(Task<?> task, long runNanos) {
        TaskFinishedEvent event;
        if (runNanos == NOT_STARTED) {
            event = new TaskFinishedEvent();
            if (!event.isEnabled()) {
                return;
            }
            event.begin(); // a zero duration: recorded only under a zero threshold
            event.end();
            if (!event.shouldCommit()) {
                return;
            }
            event.waitTime =
                    task instanceof DefaultTask<?> own ? Math.max(0L, System.nanoTime() - own.forkedAtNanos()) : 0L;
        } else {
            if (runningTasks.isEmpty()) {
                return;
            }
            event = runningTasks.remove(task); // even if disabled meanwhile: nothing stays behind
            if (event == null) {
                return; // started before the recording did
            }
            event.end();
            if (!event.shouldCommit()) {
                return;
            }
            event.started = true;
        }
        TaskGroup group = task.group();
        event.groupId = group.id();
        event.groupName = group.name();
        event.taskName = task.name();
        event.outcome = task.state().name().toLowerCase(Locale.ROOT);
        CancellationReason reason = task.cancellationReason();
        event.cancellationReason = reason == null ? null : reason.value();
        event.commit();
    }

    @Override
    public void taskStraggling(Task<?> task, TaskSnapshot snapshot) {
        TaskStragglerEvent event = new TaskStragglerEvent();
        if (!event.shouldCommit()) {
            return;
        }
        TaskGroup group = task.group();
        event.groupId = group.id();
        event.groupName = group.name();
        event.groupPath = group instanceof DefaultTaskGroup own ? StragglerWatch.path(own) : group.name();
        event.taskName = task.name();
        CancellationReason reason = task.cancellationReason();
        event.cancellationReason = reason == null ? null : reason.value();
        Duration since = snapshot.sinceCancelled();
        event.sinceCancelled = since == null ? 0L : since.toNanos();
        event.taskThread = snapshot.thread();
        StringBuilder stack = new StringBuilder();
        List<StackTraceElement> frames = snapshot.stackTrace();
        for (int i = 0; i < frames.size() && i < TaskStragglerEvent.MAX_FRAMES; i++) {
            stack.append(frames.get(i)).append('\n');
        }
        event.taskStack = stack.toString();
        event.commit();
    }
}
