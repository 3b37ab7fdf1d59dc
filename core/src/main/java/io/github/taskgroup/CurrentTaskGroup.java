package io.github.taskgroup;

import java.util.Objects;
import java.util.Optional;

/**
 * The calling thread's current group: the group that a {@link TaskGroupFactory#open(String) newly opened}
 * group becomes a child of.
 *
 * <p>A thread's current group is the innermost live group it opened, or the group of the task it runs.
 * Infrastructure that manages a group's lifetime across threads (a request-scoped group of an
 * asynchronous request, for example) opens it with {@link TaskGroupFactory#openRoot} and binds it only
 * while a thread works on its behalf:
 *
 * <pre>{@code
 * TaskGroup requestGroup = factory.openRoot("GET /products/{id}", options);
 * try (CurrentTaskGroup.Binding binding = CurrentTaskGroup.bind(requestGroup)) {
 *     handler.handle(); // groups the handler opens are children of the request group
 * }
 * }</pre>
 */
public final class CurrentTaskGroup {

    private CurrentTaskGroup() {}

    /** @return the calling thread's innermost live group, if any */
    public static Optional<TaskGroup> get() {
        return Optional.ofNullable(DefaultTaskGroup.current());
    }

    /**
     * Makes {@code group} the calling thread's current group until the returned binding is closed, which
     * restores what the thread had before. Bindings must be closed on the thread that made them, in reverse
     * order.
     *
     * @param group a group opened by a {@link TaskGroupFactory} of this library
     * @return the binding to close
     * @throws IllegalArgumentException if the group was not opened by this library
     */
    public static Binding bind(TaskGroup group) {
        Objects.requireNonNull(group, "group");
        if (!(group instanceof DefaultTaskGroup bound)) {
            throw new IllegalArgumentException("Not a group of this library: " + group);
        }
        DefaultTaskGroup previous = DefaultTaskGroup.enterTask(bound);
        Thread thread = Thread.currentThread();
        return () -> {
            if (Thread.currentThread() != thread) {
                throw new IllegalStateException(
                        "A binding must be closed on the thread that made it (" + thread.getName() + ")");
            }
            DefaultTaskGroup.leaveTask(previous);
        };
    }

    /**
     * Registers {@code action} to run when the calling thread's work is cancelled: when its
     * {@linkplain #get() current group} is cancelled (for any reason, an enclosing group's cancellation
     * included), or when the task of that group the thread runs is {@linkplain Task#cancel() cancelled} on
     * its own. Meant for blocking calls that an interrupt does not stop (a socket read on a platform thread,
     * a client that waits on its own future): register an action that aborts the call, and close the
     * registration when the call is over.
     *
     * <pre>{@code
     * HttpUriRequestBase request = new HttpGet(uri);
     * try (CurrentTaskGroup.CancelRegistration abort = CurrentTaskGroup.onCancel(request::cancel)) {
     *     return client.execute(request, handler);
     * }
     * }</pre>
     *
     * <p>The action runs at most once, and never after the registration was closed (a close does not wait for
     * an action already running). It runs on the thread that cancels: after the group's tasks were
     * interrupted and marked cancelled, so a task whose call it aborts ends {@code CANCELLED} when it lets the
     * resulting interrupted or cancelled exception through. That thread may be the library's deadline timer:
     * the action must be quick and must not block. If the work is already cancelled when this is called, the
     * action runs at once, on the calling thread, before this returns. An action that throws is logged like a
     * {@link TaskGroupListener} that throws, and ignored: it never stops the cancellation or the other
     * actions (a {@link VirtualMachineError} thrown by an action run at once is rethrown, after it was
     * logged). A thread outside any group gets a registration that never runs its action, at the cost of one
     * look-up; inside a group, registering and closing each take the group's lock once, and a group in which
     * nothing is registered pays nothing when it is cancelled.
     *
     * @param action what to run on cancellation
     * @return the registration, to close when the action is no longer needed
     * @throws NullPointerException if {@code action} is null
     */
    public static CancelRegistration onCancel(Runnable action) {
        Objects.requireNonNull(action, "action");
        DefaultTaskGroup group = DefaultTaskGroup.current();
        if (group == null) {
            return CancelHook.NONE;
        }
        Thread thread = Thread.currentThread();
        CancelHook hook = new CancelHook(group, thread, action);
        boolean armed = group.addCancelHook(hook);
        // A task cancelled on its own interrupts its runner before it looks for that runner's actions: an
        // interrupted registrant checks whether it missed that look-up (the scan is only paid then).
        if (!armed || (thread.isInterrupted() && group.taskOfCurrentThreadCancelled())) {
            VirtualMachineError fatal = hook.fire();
            if (fatal != null) {
                throw fatal;
            }
            if (armed) {
                group.removeCancelHook(hook);
            }
        }
        return hook;
    }

    /**
     * An {@link #onCancel(Runnable) on-cancel action}'s registration.
     */
    public interface CancelRegistration extends AutoCloseable {

        /** @return whether the action ran (or is running): the work was cancelled while it was registered */
        boolean ran();

        /**
         * Disarms the action: it will not run from now on (an action already running is not waited for).
         * Idempotent; may be called from any thread.
         */
        @Override
        void close();
    }

    /** Undoes a {@link #bind(TaskGroup)}. */
    @FunctionalInterface
    public interface Binding extends AutoCloseable {

        /** Restores the thread's previous current group. */
        @Override
        void close();
    }
}
