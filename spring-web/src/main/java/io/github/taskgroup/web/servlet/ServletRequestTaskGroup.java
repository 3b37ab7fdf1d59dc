package io.github.taskgroup.web.servlet;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.CurrentTaskGroup;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.web.RequestTaskGroup;
import io.github.taskgroup.web.RequestTaskGroupRegistry;
import io.github.taskgroup.web.RequestTaskGroupSettings;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The task group of one servlet request, with what the servlet side needs on top of {@link RequestTaskGroup}:
 * the disconnect watch, the thread that runs the handler (or the {@code Callable}), and the binding that
 * makes the request group the parent of the groups code on that thread opens.
 */
public final class ServletRequestTaskGroup extends RequestTaskGroup {

    private final HttpServletRequest request;

    private final @Nullable HttpServletResponse response;

    private final DisconnectProbeScheduler scheduler;

    private final @Nullable JettyFailureListener jetty;

    /** When the scheduler was told to watch it ({@link System#nanoTime()}); read by the scheduler thread. */
    long watchedSince;

    // All guarded by lock.
    private DisconnectProbe.@Nullable Watch watch;

    /** The group opened and the request is not complete: the scheduler watches it (or will). */
    private boolean watching;

    private @Nullable SelectionKey key;

    private @Nullable Thread dispatchThread;

    private @Nullable Thread callableThread;

    private boolean callableInterrupted;

    private @Nullable Thread bindingThread;

    private CurrentTaskGroup.@Nullable Binding binding;

    ServletRequestTaskGroup(
            TaskGroupFactory factory,
            Supplier<String> name,
            Function<String, RequestTaskGroupSettings> settings,
            RequestTaskGroupRegistry registry,
            HttpServletRequest request,
            @Nullable HttpServletResponse response,
            DisconnectProbeScheduler scheduler,
            @Nullable JettyFailureListener jetty) {
        super(factory, name, settings, registry);
        this.request = request;
        this.response = response;
        this.scheduler = scheduler;
        this.jetty = jetty;
        if (!request.isAsyncStarted()) {
            // Created while the handler runs (its TaskGroup parameter): this thread is inside the handler.
            this.dispatchThread = Thread.currentThread();
        }
    }

    @Override
    protected void aborted(CancellationReason reason) {
        interruptCallable();
    }

    @Override
    protected void opened(TaskGroup group) {
        Thread current = Thread.currentThread();
        synchronized (this.lock) {
            if ((current == this.dispatchThread || current == this.callableThread) && this.binding == null) {
                this.binding = CurrentTaskGroup.bind(group);
                this.bindingThread = current;
            }
        }
        if (this.jetty != null) {
            this.jetty.register(this.request, this);
        }
        if (this.scheduler.getProbe() != DisconnectProbe.NONE) {
            synchronized (this.lock) {
                if (isCompleted()) {
                    return;
                }
                this.watching = true;
            }
            this.scheduler.watch(this);
        }
    }

    @Override
    protected void completing() {
        SelectionKey registered;
        boolean wasWatching;
        synchronized (this.lock) {
            // Waits for a check or a registration in progress: the scheduler holds the lock while it works.
            wasWatching = this.watching;
            this.watching = false;
            this.watch = null;
            registered = this.key;
            this.key = null;
        }
        if (registered != null) {
            registered.cancel();
        }
        if (wasWatching) {
            this.scheduler.unwatch();
        }
        unbind();
    }

    /** @return whether the request is still in flight and watched (read by the scheduler thread) */
    boolean isWatched() {
        synchronized (this.lock) {
            return this.watching;
        }
    }

    /**
     * Called by the scheduler thread only, at its first tick after the group has been open for an eighth of an
     * interval (then again after each readiness that was not a disconnect): makes the probe's watch of the
     * request the first time, then registers the connection's channel with the scheduler's selector, for
     * reading, so that a FIN or RST wakes the scheduler. Under the lock, so that a request that completes
     * meanwhile is neither recycled while the probe looks at it nor left registered.
     */
    DisconnectProbeScheduler.Registration register(Selector selector, DisconnectProbe probe) {
        synchronized (this.lock) {
            if (!this.watching) {
                return DisconnectProbeScheduler.Registration.DONE; // complete
            }
            if (this.watch == null) {
                this.watch = probe.watch(this.request);
                if (this.watch == null) { // no probe can watch it
                    this.watching = false;
                    this.scheduler.unwatch();
                    return DisconnectProbeScheduler.Registration.DONE;
                }
            }
            SelectableChannel channel = this.watch.channel();
            if (channel == null) {
                return DisconnectProbeScheduler.Registration.POLL;
            }
            try {
                this.key = channel.register(selector, SelectionKey.OP_READ, this);
                return DisconnectProbeScheduler.Registration.REGISTERED;
            } catch (CancelledKeyException ex) {
                // The previous request on this keep-alive connection cancelled its key after the last select.
                return DisconnectProbeScheduler.Registration.RETRY;
            } catch (ClosedChannelException | IllegalBlockingModeException | IllegalSelectorException ex) {
                return DisconnectProbeScheduler.Registration.POLL; // the check will tell
            }
        }
    }

    @Nullable
    DisconnectProbe watchProbe() {
        synchronized (this.lock) {
            return (this.watch != null) ? this.watch.probe() : null;
        }
    }

    /**
     * Called by the scheduler thread only. A client that leaves after the response is committed is not an
     * abort: it may have read the whole response before the request completes here (a write that fails, for
     * a response still being streamed, ends the request anyway). Completion then cancels any leftover task.
     */
    boolean clientGone() {
        synchronized (this.lock) {
            if (this.watch == null || isCommitted()) {
                return false;
            }
            return this.watch.clientGone(this.dispatchThread != null);
        }
    }

    private boolean isCommitted() {
        try {
            return this.response != null && this.response.isCommitted();
        } catch (IllegalStateException ex) {
            return false; // a recycled facade: the connection check decides
        }
    }

    void enterDispatch() {
        synchronized (this.lock) {
            this.dispatchThread = Thread.currentThread();
        }
    }

    void exitDispatch() {
        synchronized (this.lock) {
            if (this.dispatchThread == Thread.currentThread()) {
                this.dispatchThread = null;
            }
        }
        unbind();
    }

    void callableStarted() {
        TaskGroup open = peek().orElse(null);
        synchronized (this.lock) {
            this.callableThread = Thread.currentThread();
            if (open != null && this.binding == null && !isCompleted()) {
                this.binding = CurrentTaskGroup.bind(open);
                this.bindingThread = Thread.currentThread();
            }
        }
    }

    void callableFinished() {
        synchronized (this.lock) {
            if (this.callableThread == Thread.currentThread()) {
                this.callableThread = null;
                if (this.callableInterrupted) {
                    // Our interrupt must not leak into the pool thread's next job.
                    Thread.interrupted();
                    this.callableInterrupted = false;
                }
            }
        }
        unbind();
    }

    private void interruptCallable() {
        synchronized (this.lock) {
            if (this.callableThread != null) {
                this.callableInterrupted = true;
                this.callableThread.interrupt();
            }
        }
    }

    private void unbind() {
        CurrentTaskGroup.Binding toClose = null;
        synchronized (this.lock) {
            if (this.binding != null && this.bindingThread == Thread.currentThread()) {
                toClose = this.binding;
                this.binding = null;
                this.bindingThread = null;
            }
        }
        if (toClose != null) {
            toClose.close();
        }
    }
}
