package io.github.taskgroup;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;

/**
 * One {@link CurrentTaskGroup#onCancel(Runnable) on-cancel action}: armed until it runs or is closed, whichever
 * comes first (a CAS on {@link #state}), so that it runs at most once and never after its registration was
 * closed. Kept in its group's set of hooks while armed; see {@link DefaultTaskGroup#addCancelHook}.
 */
final class CancelHook implements CurrentTaskGroup.CancelRegistration {

    private static final int ARMED = 0;
    private static final int RAN = 1;
    private static final int CLOSED = 2;

    /** A registration made outside any group: nothing to cancel it, nothing to close. */
    static final CurrentTaskGroup.CancelRegistration NONE = new CurrentTaskGroup.CancelRegistration() {
        @Override
        public boolean ran() {
            return false;
        }

        @Override
        public void close() {}

        @Override
        public String toString() {
            return "CancelRegistration[no group]";
        }
    };

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(CancelHook.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final DefaultTaskGroup group;
    private final Thread thread; // the registering thread: a cancelled task of the group run by it runs the action
    private final Runnable action;
    private volatile int state; // ARMED -> RAN (the canceller or the registrant) or ARMED -> CLOSED (the registrant)

    CancelHook(DefaultTaskGroup group, Thread thread, Runnable action) {
        this.group = group;
        this.thread = thread;
        this.action = action;
    }

    Thread thread() {
        return thread;
    }

    /**
     * Runs the action, if it is still armed, on the calling thread. A failure is logged like a listener's and
     * never thrown, except a {@link VirtualMachineError}, which is returned (also logged) for a caller that
     * concerns one registration only to rethrow.
     */
    @Nullable
    VirtualMachineError fire() {
        if (!STATE.compareAndSet(this, ARMED, RAN)) {
            return null;
        }
        try {
            action.run();
            return null;
        } catch (Throwable e) {
            return Listeners.actionFailed(this, e);
        }
    }

    @Override
    public boolean ran() {
        return state == RAN;
    }

    @Override
    public void close() {
        if (STATE.compareAndSet(this, ARMED, CLOSED)) {
            group.removeCancelHook(this);
        }
    }

    @Override
    public String toString() {
        return "CancelRegistration[group '" + group.name() + "', thread " + thread.getName() + ", " + action + "]";
    }
}
