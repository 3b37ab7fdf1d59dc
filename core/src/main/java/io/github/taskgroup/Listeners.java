package io.github.taskgroup;

import java.lang.System.Logger.Level;
import java.util.List;

/**
 * Delivers events to the factory's listeners. A listener that throws is logged and skipped: it never
 * breaks a group.
 */
final class Listeners {

    private static final System.Logger LOG = System.getLogger(Listeners.class.getName());

    private final TaskGroupListener[] listeners;

    Listeners(List<TaskGroupListener> listeners) {
        this.listeners = listeners.toArray(new TaskGroupListener[0]);
    }

    boolean isEmpty() {
        return listeners.length == 0;
    }

    void groupOpened(TaskGroup group) {
        for (TaskGroupListener listener : listeners) {
            try {
                listener.groupOpened(group);
            } catch (Throwable e) {
                failed(listener, "groupOpened", e);
            }
        }
    }

    void groupClosed(TaskGroup group, TaskGroup.Outcome outcome, long durationNanos) {
        for (int i = listeners.length - 1; i >= 0; i--) { // reverse order: listeners nest like scopes
            TaskGroupListener listener = listeners[i];
            try {
                listener.groupClosed(group, outcome, durationNanos);
            } catch (Throwable e) {
                failed(listener, "groupClosed", e);
            }
        }
    }

    void taskForked(Task<?> task) {
        for (TaskGroupListener listener : listeners) {
            try {
                listener.taskForked(task);
            } catch (Throwable e) {
                failed(listener, "taskForked", e);
            }
        }
    }

    void taskStarted(Task<?> task) {
        for (TaskGroupListener listener : listeners) {
            try {
                listener.taskStarted(task);
            } catch (Throwable e) {
                failed(listener, "taskStarted", e);
            }
        }
    }

    void taskFinished(Task<?> task, long runNanos) {
        for (int i = listeners.length - 1; i >= 0; i--) { // reverse order: listeners nest like scopes
            TaskGroupListener listener = listeners[i];
            try {
                listener.taskFinished(task, runNanos);
            } catch (Throwable e) {
                failed(listener, "taskFinished", e);
            }
        }
    }

    private static void failed(TaskGroupListener listener, String event, Throwable e) {
        if (e instanceof VirtualMachineError error) {
            throw error;
        }
        LOG.log(Level.WARNING, () -> "TaskGroupListener " + listener + " threw in " + event + "; ignored", e);
    }
}
