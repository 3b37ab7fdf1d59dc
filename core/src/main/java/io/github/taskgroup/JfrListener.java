package io.github.taskgroup;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The built-in listener that emits the JFR events {@link GroupClosedEvent} and {@link TaskFinishedEvent}.
 * Every reference to {@code jdk.jfr} lives here and in the event classes, which are loaded only once
 * {@link JfrSupport} has seen the {@code jdk.jfr} module.
 *
 * <p>Cost: while no recording enables an event, each callback creates the event, asks {@link
 * jdk.jfr.Event#isEnabled()} and returns; the event does not escape, so the JIT removes the allocation (the
 * idiom of the JDK's own events). While a recording enables them, an event is begun where the span starts
 * (open, start) and committed where it ends (close, finish) if {@link jdk.jfr.Event#shouldCommit()} says so,
 * which is where JFR applies the {@code threshold} setting; its fields are filled only then.
 *
 * <p>A group may be closed on another thread than the one that opened it, so its begun event waits in a map.
 * A task starts and finishes on one thread, nesting like scopes (a task run inline inside another), so its
 * begun event waits on a small per-thread stack. JFR times the task itself, so the listener is
 * {@linkplain Listeners.Untimed untimed}: with no other listener, a task's run costs no clock read.
 */
final class JfrListener implements TaskGroupListener, Listeners.Untimed {

    /** Groups opened while {@link GroupClosedEvent} was enabled, with their begun events. */
    private final ConcurrentHashMap<TaskGroup, GroupClosedEvent> openGroups = new ConcurrentHashMap<>();

    /** Tasks started on this thread while {@link TaskFinishedEvent} was enabled, with their begun events. */
    private final ThreadLocal<Frames> frames = new ThreadLocal<>();

    private JfrListener() {}

    /**
     * @return the listener
     * @throws LinkageError if the JFR classes cannot be linked
     */
    static TaskGroupListener create() {
        // Link the event classes now, so that a broken runtime fails here, where JfrSupport catches it.
        new GroupClosedEvent().isEnabled();
        new TaskFinishedEvent().isEnabled();
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
        Frames stack = frames.get();
        if (stack == null) {
            stack = new Frames();
            try {
                frames.set(stack);
            } catch (UnsupportedOperationException e) {
                return; // a thread that does not allow thread-locals: no event for its tasks
            }
        }
        stack.push(task, event);
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
            // Only looked at while the event is enabled: a disabled run touches no thread-local. An event begun
            // before a recording stopped stays on its thread's stack until the next task started there while
            // recording (or the thread's end), which drops it.
            if (!new TaskFinishedEvent().isEnabled()) {
                return;
            }
            Frames stack = frames.get();
            event = stack == null ? null : stack.pop(task);
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

    /**
     * The begun events of the tasks running on one thread, innermost last. A virtual thread runs one task:
     * the first frame lives in fields, and arrays are made only for tasks run inline inside another.
     */
    private static final class Frames {

        private Task<?> firstTask;
        private TaskFinishedEvent firstEvent;
        private Task<?>[] tasks; // frames 1.., made on first nesting
        private TaskFinishedEvent[] events;
        private int size;

        void push(Task<?> task, TaskFinishedEvent event) {
            if (size > 0) {
                dropFinished();
            }
            if (size == 0) {
                firstTask = task;
                firstEvent = event;
            } else {
                if (tasks == null || size - 1 == tasks.length) {
                    int length = tasks == null ? 2 : tasks.length * 2;
                    tasks = tasks == null ? new Task<?>[length] : Arrays.copyOf(tasks, length);
                    events = events == null ? new TaskFinishedEvent[length] : Arrays.copyOf(events, length);
                }
                tasks[size - 1] = task;
                events[size - 1] = event;
            }
            size++;
        }

        /** The event begun for {@code task}, which then leaves the stack with every frame above it; or null. */
        TaskFinishedEvent pop(Task<?> task) {
            for (int i = size - 1; i >= 0; i--) {
                if (taskAt(i) == task) {
                    TaskFinishedEvent event = i == 0 ? firstEvent : events[i - 1];
                    truncate(i);
                    return event;
                }
            }
            return null;
        }

        private Task<?> taskAt(int i) {
            return i == 0 ? firstTask : tasks[i - 1];
        }

        /**
         * Drops the frames of tasks that finished while the event was disabled (their finish did not look
         * here): the frames that stay are the tasks the new one runs inside, all still running.
         */
        private void dropFinished() {
            int kept = 0;
            for (int i = 0; i < size; i++) {
                Task<?> task = taskAt(i);
                if (!task.state().isDone()) {
                    TaskFinishedEvent event = i == 0 ? firstEvent : events[i - 1];
                    if (kept == 0) {
                        firstTask = task;
                        firstEvent = event;
                    } else {
                        tasks[kept - 1] = task;
                        events[kept - 1] = event;
                    }
                    kept++;
                }
            }
            truncate(kept);
        }

        private void truncate(int newSize) {
            for (int i = newSize; i < size; i++) {
                if (i == 0) {
                    firstTask = null;
                    firstEvent = null;
                } else {
                    tasks[i - 1] = null;
                    events[i - 1] = null;
                }
            }
            size = newSize;
        }
    }
}
