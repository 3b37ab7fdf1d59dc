package io.github.taskgroup;

import java.lang.System.Logger.Level;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Delivers events to the factory's listeners. A listener that throws is logged and skipped: it never
 * breaks a group, and the other listeners still get the event.
 *
 * <p>Each method delivers to every listener, then returns the first {@link VirtualMachineError} a listener
 * threw (or {@code null}) instead of throwing it, so that the caller can first finish its bookkeeping and
 * then decide: rethrow it where one event concerns one caller (a fork, an open, a close, a task's own
 * thread), or leave it logged inside a sweep (cancelling a group's tasks), which must reach every task.
 */
final class Listeners {

    private static final System.Logger LOG = System.getLogger(Listeners.class.getName());

    private final TaskGroupListener[] listeners;
    private final boolean needsRunTime;
    private final @Nullable Untimed untimed; // the listener that asks for run times only now and then, if any

    Listeners(List<TaskGroupListener> listeners) {
        this.listeners = listeners.toArray(new TaskGroupListener[0]);
        boolean timed = false;
        Untimed sometimes = null;
        for (TaskGroupListener listener : this.listeners) {
            if (listener instanceof Untimed own) {
                sometimes = own;
            } else {
                timed = true;
            }
        }
        this.needsRunTime = timed;
        this.untimed = timed ? null : sometimes;
    }

    boolean isEmpty() {
        return listeners.length == 0;
    }

    /**
     * Asked as a task starts.
     *
     * @return whether a listener will read its {@code runNanos}: else its run is not timed (two clock reads)
     */
    boolean needsRunTime() {
        return needsRunTime || (untimed != null && untimed.needsRunTimeNow());
    }

    /**
     * A listener that reads {@code runNanos} of started tasks only while it says so (it gets 0 for a task that
     * started while it did not): the built-in JFR listener, which needs it only while a recording runs.
     */
    interface Untimed {
        /** @return whether it will read the run time of a task that starts now; called on every task start */
        boolean needsRunTimeNow();
    }

    @Nullable
    VirtualMachineError groupOpened(TaskGroup group) {
        VirtualMachineError fatal = null;
        for (TaskGroupListener listener : listeners) {
            try {
                listener.groupOpened(group);
            } catch (Throwable e) {
                fatal = failed(listener, "groupOpened", e, fatal);
            }
        }
        return fatal;
    }

    @Nullable
    VirtualMachineError groupClosed(TaskGroup group, TaskGroup.Outcome outcome, long durationNanos) {
        VirtualMachineError fatal = null;
        for (int i = listeners.length - 1; i >= 0; i--) { // reverse order: listeners nest like scopes
            TaskGroupListener listener = listeners[i];
            try {
                listener.groupClosed(group, outcome, durationNanos);
            } catch (Throwable e) {
                fatal = failed(listener, "groupClosed", e, fatal);
            }
        }
        return fatal;
    }

    @Nullable
    VirtualMachineError taskForked(Task<?> task) {
        VirtualMachineError fatal = null;
        for (TaskGroupListener listener : listeners) {
            try {
                listener.taskForked(task);
            } catch (Throwable e) {
                fatal = failed(listener, "taskForked", e, fatal);
            }
        }
        return fatal;
    }

    @Nullable
    VirtualMachineError taskStarted(Task<?> task) {
        VirtualMachineError fatal = null;
        for (TaskGroupListener listener : listeners) {
            try {
                listener.taskStarted(task);
            } catch (Throwable e) {
                fatal = failed(listener, "taskStarted", e, fatal);
            }
        }
        return fatal;
    }

    @Nullable
    VirtualMachineError taskFinished(Task<?> task, long runNanos) {
        VirtualMachineError fatal = null;
        for (int i = listeners.length - 1; i >= 0; i--) { // reverse order: listeners nest like scopes
            TaskGroupListener listener = listeners[i];
            try {
                listener.taskFinished(task, runNanos);
            } catch (Throwable e) {
                fatal = failed(listener, "taskFinished", e, fatal);
            }
        }
        return fatal;
    }

    @Nullable
    VirtualMachineError taskAdmitted(Task<?> task, long waitedNanos) {
        VirtualMachineError fatal = null;
        for (TaskGroupListener listener : listeners) {
            try {
                listener.taskAdmitted(task, waitedNanos);
            } catch (Throwable e) {
                fatal = failed(listener, "taskAdmitted", e, fatal);
            }
        }
        return fatal;
    }

    @Nullable
    VirtualMachineError forkRejected(TaskGroup group, TaskRejectedException.Reason reason) {
        VirtualMachineError fatal = null;
        for (TaskGroupListener listener : listeners) {
            try {
                listener.forkRejected(group, reason);
            } catch (Throwable e) {
                fatal = failed(listener, "forkRejected", e, fatal);
            }
        }
        return fatal;
    }

    @Nullable
    VirtualMachineError taskStraggling(Task<?> task, TaskSnapshot snapshot) {
        VirtualMachineError fatal = null;
        for (TaskGroupListener listener : listeners) {
            try {
                listener.taskStraggling(task, snapshot);
            } catch (Throwable e) {
                fatal = failed(listener, "taskStraggling", e, fatal);
            }
        }
        return fatal;
    }

    /** Logs a listener's failure; returns the first fatal error seen so far. */
    private static @Nullable VirtualMachineError failed(
            TaskGroupListener listener, String event, Throwable e, @Nullable VirtualMachineError fatal) {
        if (e instanceof VirtualMachineError error) {
            LOG.log(Level.ERROR, () -> "TaskGroupListener " + listener + " threw in " + event, e);
            return fatal != null ? fatal : error;
        }
        LOG.log(Level.WARNING, () -> "TaskGroupListener " + listener + " threw in " + event + "; ignored", e);
        return fatal;
    }

    /**
     * Logs the failure of an {@link CurrentTaskGroup#onCancel on-cancel action}, as a listener's failure is
     * logged; returns it if it is a {@link VirtualMachineError}.
     */
    static @Nullable VirtualMachineError actionFailed(Object registration, Throwable e) {
        if (e instanceof VirtualMachineError error) {
            LOG.log(Level.ERROR, () -> "On-cancel action of " + registration + " threw", e);
            return error;
        }
        LOG.log(Level.WARNING, () -> "On-cancel action of " + registration + " threw; ignored", e);
        return null;
    }
}
