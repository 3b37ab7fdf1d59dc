package io.github.taskgroup.web;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupException;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The task group of one HTTP request: the one object that every abort signal (client gone, async timeout,
 * container error, shutdown) and the request's completion go through.
 *
 * <ul>
 *   <li>The group is opened on the first call to {@link #group()}; a request that never asks pays nothing.
 *       It is opened with {@link TaskGroupFactory#openRoot}, so its lifetime is the request's, across
 *       threads.</li>
 *   <li>{@link #abort(CancellationReason)} is idempotent: the first reason sticks, later calls (listener
 *       callbacks that fire twice, a probe and a timeout racing) do nothing. It first runs the abort actions
 *       (completing an async request with an error, so that a cancelled task can no longer complete it as a
 *       success), then cancels the group, which interrupts its running tasks.</li>
 *   <li>{@link #complete()} closes the group when the request is complete: tasks still running are
 *       cancelled (and counted by the listeners) and awaited, never leaked. Also idempotent.</li>
 *   <li>{@link #clientLeft()} is the signal of a client that disconnected: it aborts the request (reason
 *       {@code request-aborted}) unless the route opted out ({@link RequestTaskGroupSettings#cancelOnDisconnect()}
 *       {@code false}), and tells the registry's {@link RequestDisconnectListener} either way, once.</li>
 * </ul>
 */
public class RequestTaskGroup {

    private static final Log logger = LogFactory.getLog(RequestTaskGroup.class);

    private final TaskGroupFactory factory;

    private final Supplier<String> name;

    private final Function<String, RequestTaskGroupSettings> settings;

    private final RequestTaskGroupRegistry registry;

    /** Guards every field below; never held while calling out (cancel, close, abort actions). */
    protected final Object lock = new Object();

    private @Nullable TaskGroup group;

    private @Nullable CancellationReason abortReason;

    private boolean cancelledByServer;

    private boolean completed;

    private @Nullable List<Consumer<CancellationReason>> abortActions;

    private @Nullable Resolved resolved;

    private boolean clientGone;

    private IncomingDeadline.@Nullable Received received;

    /**
     * @param factory opens the group
     * @param name the group's name, computed when it opens
     * @param registry knows the live request groups (for shutdown)
     */
    public RequestTaskGroup(TaskGroupFactory factory, Supplier<String> name, RequestTaskGroupRegistry registry) {
        this(factory, name, (groupName) -> RequestTaskGroupSettings.NONE, registry);
    }

    /**
     * @param factory opens the group
     * @param name the group's name, computed once, when it is first needed (the group opens, or the client
     *        leaves)
     * @param settings the group's settings, by its name, computed once with the name
     * @param registry knows the live request groups (for shutdown)
     */
    public RequestTaskGroup(
            TaskGroupFactory factory,
            Supplier<String> name,
            Function<String, RequestTaskGroupSettings> settings,
            RequestTaskGroupRegistry registry) {
        this.factory = factory;
        this.name = name;
        this.settings = settings;
        this.registry = registry;
    }

    private record Resolved(String name, RequestTaskGroupSettings settings) {}

    /** Not under the lock: the settings may look up beans. The first result sticks. */
    private Resolved resolve() {
        synchronized (this.lock) {
            if (this.resolved != null) {
                return this.resolved;
            }
        }
        String groupName = this.name.get();
        Resolved computed = new Resolved(groupName, this.settings.apply(groupName));
        synchronized (this.lock) {
            if (this.resolved == null) {
                this.resolved = computed;
            }
            return this.resolved;
        }
    }

    /**
     * @return the settings the group opens (or opened) with: computed now if they were not yet
     * @throws InvalidRequestTaskGroupOptionsException if the handler's annotation has an invalid value
     */
    public RequestTaskGroupSettings settings() {
        return resolve().settings();
    }

    /**
     * @return the request's group, opened now if it was not yet
     * @throws IllegalStateException if the request is complete
     */
    public TaskGroup group() {
        TaskGroup opened;
        CancellationReason cancelWith;
        synchronized (this.lock) {
            if (this.group != null) {
                return this.group;
            }
            if (this.completed) {
                throw new IllegalStateException("The request is complete: its task group is closed");
            }
        }
        Resolved open = resolve();
        synchronized (this.lock) {
            if (this.group != null) {
                return this.group;
            }
            if (this.completed) {
                throw new IllegalStateException("The request is complete: its task group is closed");
            }
            TaskGroupOptions options = open.settings().options();
            if (this.received != null) {
                // A used-up budget gives a timeout that has passed when the group opens: the factory expires
                // such a group at once, before the handler can fork into it (a 504, never a 500).
                options = this.received.applyTo(options, System.nanoTime());
            }
            opened = this.factory.openRoot(open.name(), options);
            this.group = opened;
            cancelWith = this.abortReason;
        }
        if (cancelWith != null) {
            opened.cancel(cancelWith);
        } else {
            this.registry.opened(this);
            opened(opened);
        }
        return opened;
    }

    /**
     * Gives the request the deadline its caller sent, for the group to adopt when it opens (the earlier of
     * its configured timeout and the received budget, see {@link IncomingDeadline}). Called once, when the
     * request's scope is made, before the group opens; later calls do nothing.
     *
     * @param deadline the received deadline
     */
    public void receive(IncomingDeadline.Received deadline) {
        synchronized (this.lock) {
            if (this.received == null && this.group == null) {
                this.received = deadline;
            }
        }
    }

    /** @return the deadline the request's caller sent (a header), if it sent a valid one */
    public Optional<IncomingDeadline.Received> receivedDeadline() {
        synchronized (this.lock) {
            return Optional.ofNullable(this.received);
        }
    }

    /** @return the group if it is open (or closed), without opening it */
    public Optional<TaskGroup> peek() {
        synchronized (this.lock) {
            return Optional.ofNullable(this.group);
        }
    }

    /**
     * Called once, after the group opened (not under the lock), for a subclass to start watching the request.
     *
     * @param group the new group
     */
    protected void opened(TaskGroup group) {}

    /** Called once, when the request completes, before the group is closed (not under the lock). */
    protected void completing() {}

    /**
     * Adds an action that runs once if the request is aborted, before the group is cancelled; at once if it
     * was aborted already.
     *
     * @param action receives the reason
     */
    public void onAbort(Consumer<CancellationReason> action) {
        CancellationReason already;
        synchronized (this.lock) {
            already = this.abortReason;
            if (already == null) {
                if (this.completed) {
                    return;
                }
                if (this.abortActions == null) {
                    this.abortActions = new ArrayList<>(2);
                }
                this.abortActions.add(action);
                return;
            }
        }
        action.accept(already);
    }

    /**
     * Aborts the request: runs the abort actions, then cancels the group for {@code reason} (interrupting its
     * running tasks). Idempotent; does nothing once the request is complete.
     *
     * @param reason why
     * @return {@code true} if this call aborted the request
     */
    public boolean abort(CancellationReason reason) {
        return abort(reason, reason == CancellationReason.SHUTDOWN);
    }

    /**
     * Cancels the request from the server side on an operator's request (the {@code taskgroups} Actuator
     * endpoint): an abort with reason {@link CancellationReason#REQUEST_ABORTED}, so that the handler's
     * {@code join()} throws {@code CancellationException} (a cancellation from outside the handler, as at
     * shutdown, is loud) and the client is answered 503 (unlike a client that left, which gets nothing).
     * A {@code cancel()} called by the handler's own code on the group stays quiet.
     *
     * @return {@code true} if this call aborted the request
     */
    public boolean cancelFromServer() {
        return abort(CancellationReason.REQUEST_ABORTED, true);
    }

    /**
     * @return whether the request was aborted from the server side (shutdown, {@link #cancelFromServer()}),
     *     so that the client is still there and gets an answer
     */
    public boolean isCancelledByServer() {
        synchronized (this.lock) {
            return this.cancelledByServer;
        }
    }

    private boolean abort(CancellationReason reason, boolean byServer) {
        TaskGroup toCancel;
        List<Consumer<CancellationReason>> actions;
        synchronized (this.lock) {
            if (this.abortReason != null || this.completed) {
                return false;
            }
            this.abortReason = reason;
            this.cancelledByServer = byServer;
            toCancel = this.group;
            actions = this.abortActions;
            this.abortActions = null;
        }
        if (actions != null) {
            for (Consumer<CancellationReason> action : actions) {
                try {
                    action.accept(reason);
                } catch (RuntimeException ex) {
                    logger.debug("Abort action failed", ex);
                }
            }
        }
        if (toCancel != null) {
            toCancel.cancel(reason);
        }
        aborted(reason);
        return true;
    }

    /**
     * Called once, after the abort actions ran and the group was cancelled (not under the lock): for a
     * subclass to wake a thread that works for the request. It runs after the cancellation so that the
     * group's reason is the abort's, not the one a woken owner would give.
     *
     * @param reason why
     */
    protected void aborted(CancellationReason reason) {}

    /**
     * The client disconnected (before the response was committed). Unless the route opted out of
     * cancel-on-disconnect, aborts the request with reason {@code request-aborted}; either way the registry's
     * {@link RequestDisconnectListener} is told, once per request. Does nothing once the request is complete.
     *
     * @return {@code true} if this call aborted the request
     */
    public boolean clientLeft() {
        synchronized (this.lock) {
            if (this.completed || this.clientGone) {
                return false;
            }
            this.clientGone = true;
        }
        Resolved left;
        try {
            left = resolve();
        } catch (RuntimeException ex) { // invalid options: the group never opened; abort as by default
            return abort(CancellationReason.REQUEST_ABORTED);
        }
        if (!left.settings().cancelsOnDisconnect()) {
            this.registry.clientLeft(left.name(), false);
            return false;
        }
        boolean aborted = abort(CancellationReason.REQUEST_ABORTED);
        if (aborted) {
            this.registry.clientLeft(left.name(), true);
        }
        return aborted;
    }

    /** @return whether {@link #clientLeft()} was called while the request was in flight */
    public boolean hasClientLeft() {
        synchronized (this.lock) {
            return this.clientGone;
        }
    }

    /**
     * Completes the request once the group's tasks have finished, for a request whose client left and whose
     * route opted out of cancel-on-disconnect, on a stack where the request's end does not wait for the
     * handler (WebFlux): the group outlives the exchange until its tasks end, its deadline expires or the
     * application shuts down. Blocks the calling thread meanwhile; call it off the event loop.
     */
    public void completeWhenTasksEnd() {
        TaskGroup open = peek().orElse(null);
        if (open != null && abortReason().isEmpty()) {
            try {
                open.join();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            } catch (TaskGroupException ex) {
                logger.warn("Tasks of request group '" + open.name() + "' failed after its client disconnected", ex);
            } catch (IllegalStateException ex) { // CancellationException included
                // cancelled (deadline, shutdown) or closed meanwhile: complete() below does the rest
            }
        }
        complete();
    }

    /** @return why the request was aborted; empty if it was not */
    public Optional<CancellationReason> abortReason() {
        synchronized (this.lock) {
            return Optional.ofNullable(this.abortReason);
        }
    }

    /** @return whether {@link #complete()} was called */
    public boolean isCompleted() {
        synchronized (this.lock) {
            return this.completed;
        }
    }

    /**
     * The request is complete: closes the group, cancelling and awaiting the tasks still running (with the
     * abort's reason if the request was aborted, else {@code explicit}). Idempotent.
     */
    public void complete() {
        TaskGroup toClose;
        CancellationReason aborted;
        synchronized (this.lock) {
            if (this.completed) {
                return;
            }
            this.completed = true;
            this.abortActions = null;
            toClose = this.group;
            aborted = this.abortReason;
        }
        if (toClose == null) {
            return;
        }
        if (aborted != null) {
            // An abort action (the error result of a DeferredResult) can complete the request on a container
            // thread before abort() has cancelled the group: close() would cancel the tasks as leftovers
            // (reason explicit). The abort's reason comes first, whichever thread gets here first.
            toClose.cancel(aborted);
        }
        try {
            completing();
        } finally {
            try {
                toClose.close();
            } catch (TaskGroupException ex) {
                logger.warn(
                        "Tasks of request group '" + toClose.name()
                                + "' failed after the handler stopped waiting for them",
                        ex);
            } catch (RuntimeException ex) {
                logger.warn("Closing request group '" + toClose.name() + "' failed", ex);
            } finally {
                this.registry.closed(this);
            }
        }
    }

    @Override
    public String toString() {
        TaskGroup current;
        synchronized (this.lock) {
            current = this.group;
        }
        return "RequestTaskGroup[" + ((current != null) ? current.name() + "#" + current.id() : "not opened") + "]";
    }
}
