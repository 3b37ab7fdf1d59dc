package io.github.taskgroup.web;

import io.github.taskgroup.CancellationReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The request groups that are open right now, so that shutdown can abort them (reason
 * {@link CancellationReason#SHUTDOWN}) and complete their requests: asynchronous requests on a servlet
 * container and WebFlux handlers get no other signal when the application stops.
 */
public class RequestTaskGroupRegistry {

    private final Set<RequestTaskGroup> live = ConcurrentHashMap.newKeySet();

    private final Object monitor = new Object();

    private volatile boolean shutDown;

    private final RequestDisconnectListener disconnectListener;

    /** A registry that tells nobody about disconnects. */
    public RequestTaskGroupRegistry() {
        this((groupName, cancelled) -> {});
    }

    /** @param disconnectListener told once per request whose client disconnected (for metrics) */
    public RequestTaskGroupRegistry(RequestDisconnectListener disconnectListener) {
        this.disconnectListener = disconnectListener;
    }

    void clientLeft(String groupName, boolean cancelled) {
        try {
            this.disconnectListener.clientLeft(groupName, cancelled);
        } catch (RuntimeException ex) {
            // metrics must not break a request
        }
    }

    void opened(RequestTaskGroup group) {
        this.live.add(group);
        if (this.shutDown) {
            group.abort(CancellationReason.SHUTDOWN);
        }
    }

    void closed(RequestTaskGroup group) {
        this.live.remove(group);
        if (this.live.isEmpty()) {
            synchronized (this.monitor) {
                this.monitor.notifyAll();
            }
        }
    }

    /** @return how many request groups are open */
    public int size() {
        return this.live.size();
    }

    /**
     * Waits until no request group is open.
     *
     * @param timeout how long at most
     * @return whether none is open
     * @throws InterruptedException if interrupted
     */
    public boolean awaitEmpty(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this.monitor) {
            while (!this.live.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                this.monitor.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /**
     * Aborts every open request group, and every group opened from now on, with reason
     * {@link CancellationReason#SHUTDOWN}.
     *
     * @return how many this call aborted
     */
    public int abortAll() {
        this.shutDown = true;
        int aborted = 0;
        for (RequestTaskGroup group : new ArrayList<>(this.live)) {
            if (group.abort(CancellationReason.SHUTDOWN)) {
                aborted++;
            }
        }
        return aborted;
    }

    /**
     * @param groupId the id of a task group
     * @return the open request group whose task group has this id (nested groups are not request groups)
     */
    public Optional<RequestTaskGroup> find(long groupId) {
        for (RequestTaskGroup group : this.live) {
            if (group.peek().filter((opened) -> opened.id() == groupId).isPresent()) {
                return Optional.of(group);
            }
        }
        return Optional.empty();
    }

    /** @return a copy of the open request groups */
    public List<RequestTaskGroup> snapshot() {
        return new ArrayList<>(this.live);
    }
}
