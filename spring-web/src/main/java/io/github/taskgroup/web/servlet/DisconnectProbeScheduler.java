package io.github.taskgroup.web.servlet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;

/**
 * One thread that watches the connections of all in-flight requests whose group is open, and aborts (reason
 * {@code request-aborted}) the requests whose client is gone, unless their route opted out of
 * cancel-on-disconnect (then the disconnect is only counted: see {@code RequestTaskGroup#clientLeft()}). No
 * thread per request, and no cost per idle request:
 *
 * <ul>
 *   <li><b>Waiting, not polling.</b> When the probe knows a request's connection channel (Tomcat's and
 *       Jetty's NIO connectors), the channel is registered, for reading, with this thread's own
 *       {@link Selector} (an epoll set on Linux; a channel may be registered with several selectors, the
 *       container's stays as it is). Nothing is read: a FIN or RST makes the channel readable and wakes the
 *       thread, which then confirms with the probe's check ({@link DisconnectProbe.Watch#clientGone}).
 *       A connection that stays quiet costs nothing per tick.</li>
 *   <li><b>At most one check per tick and request.</b> A channel can also be readable because data arrived
 *       (a pipelined request, an unread body). When the check finds the client still there, the request's
 *       registration is dropped until the next tick, then made again: if the data was read meanwhile,
 *       waiting is free again; if not, the channel is readable at once and checked once more. Requests
 *       whose channel the probe does not know are checked every tick. A round of checks costs one
 *       {@link DisconnectProbe#beginTick()} per probe in use (one {@code /proc} scan for all of its requests)
 *       and one check per request.</li>
 *   <li><b>Nothing for short requests.</b> A request is registered (or, without a channel, first checked)
 *       at the first tick at which its group has been open for an eighth of an interval: between an eighth
 *       and one and an eighth of an interval after it opened. Faster requests, most of them in a fast
 *       service, cost the scheduler nothing but a queue entry. Registering sooner would cost more than it
 *       saves: a registered request that completes leaves its descriptor in the epoll set until this thread's
 *       next pass, so the client's next request on the connection wakes the thread for nothing. Registering
 *       at every pass, as this class once did, let each such wake-up register the requests then in flight,
 *       which fed the next wake-ups: half a wake-up and context switch per request under load, 5 to 9 % of
 *       the throughput of a trivial handler.</li>
 * </ul>
 *
 * Registration happens on this thread, at ticks only. The thread is started by the first watched request;
 * after a second with nothing watched it waits in {@link Selector#select()} without a timeout until the next
 * request is watched.
 */
public class DisconnectProbeScheduler implements DisposableBean {

    private static final Log logger = LogFactory.getLog(DisconnectProbeScheduler.class);

    static final String THREAD_NAME = "taskgroup-disconnect-probe";

    private final DisconnectProbe probe;

    private final long intervalNanos;

    /** How long a request is in flight before it is watched at all (an eighth of an interval). */
    private final long minAgeNanos;

    /**
     * How many requests are watched. A counter, not a set: the request path pays one striped increment and one
     * decrement; whether a request is still watched is its own state ({@link ServletRequestTaskGroup#isWatched()}).
     */
    private final LongAdder watched = new LongAdder();

    /** Requests watched since the last tick of the probe thread. */
    private final Queue<ServletRequestTaskGroup> arrivals = new ConcurrentLinkedQueue<>();

    /** Probe thread only: arrivals not yet an eighth of an interval old at the last tick. */
    private final List<ServletRequestTaskGroup> young = new ArrayList<>();

    /** Probe thread only: requests checked every tick (no channel to wait on). */
    private final Set<ServletRequestTaskGroup> polled = new HashSet<>();

    /** Probe thread only: requests still there after their channel became readable; waited on from the next tick. */
    private final List<ServletRequestTaskGroup> resting = new ArrayList<>();

    /** Probe thread only: requests whose registration must wait for a previous key of theirs to be flushed. */
    private final List<ServletRequestTaskGroup> retries = new ArrayList<>();

    private final Selector selector;

    private final AtomicLong ticks = new AtomicLong();

    private final AtomicLong checks = new AtomicLong();

    private volatile int polledCount;

    /** The probe thread waits in select() without a timeout: a new watch must wake it. */
    private volatile boolean parked;

    private volatile boolean stopped;

    /** Probe thread only: ticks in a row with nothing watched. */
    private int idleTicks;

    private final int idleTicksBeforeParking;

    private volatile @Nullable Thread thread; // written under this

    /**
     * @param probe checks connections
     * @param interval how often connections that cannot be waited on are checked, and the longest a new
     *        request waits before its connection is watched
     */
    public DisconnectProbeScheduler(DisconnectProbe probe, Duration interval) {
        this.probe = probe;
        this.intervalNanos = interval.toNanos();
        this.minAgeNanos = this.intervalNanos / 8;
        this.idleTicksBeforeParking = (int) Math.max(1, TimeUnit.SECONDS.toNanos(1) / this.intervalNanos);
        this.selector = openSelector();
    }

    private static Selector openSelector() {
        try {
            return Selector.open();
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot open the selector that waits for client disconnects", ex);
        }
    }

    /** @return the probe */
    public DisconnectProbe getProbe() {
        return this.probe;
    }

    /** @return how many ticks (passes every interval while requests are watched) ran so far */
    public long ticks() {
        return this.ticks.get();
    }

    /** @return how many connection checks ran so far (each {@link DisconnectProbe.Watch#clientGone} call) */
    public long checks() {
        return this.checks.get();
    }

    /** @return how many requests are watched */
    public int watchedCount() {
        return (int) this.watched.sum();
    }

    /** @return how many watched requests are checked every tick rather than waited on */
    public int polledCount() {
        return this.polledCount;
    }

    /** @return whether the scheduler thread waits without a timeout (nothing watched for a second) */
    public boolean isParked() {
        return this.parked;
    }

    /** @return the scheduler thread, or {@code null} before the first watch */
    synchronized @Nullable Thread thread() {
        return this.thread;
    }

    /**
     * Called on the request's thread when its group opens: all it costs there is a clock read and a queue
     * insertion. The probe's watch is made on the scheduler thread, at a tick, and only for a request in flight
     * for an eighth of an interval by then (most requests are over sooner and never cost a check).
     */
    void watch(ServletRequestTaskGroup request) {
        this.watched.increment();
        request.watchedSince = System.nanoTime(); // published to the scheduler thread by the queue
        this.arrivals.add(request);
        if (this.thread == null) {
            start();
        }
        if (this.parked) {
            this.selector.wakeup();
        }
    }

    /** Called once for each watched request, when it completes. */
    void unwatch() {
        this.watched.decrement();
        // The request cancelled its own key; it is flushed at this thread's next pass (at most one interval
        // away, as keys are registered). A channel closed meanwhile is shut down for output at once by the
        // JDK and its descriptor released at the flush.
    }

    private synchronized void start() {
        if (this.thread == null && !this.stopped) {
            this.thread = new Thread(this::run, THREAD_NAME);
            this.thread.setDaemon(true);
            this.thread.start();
        }
    }

    private void run() {
        long nextTick = System.nanoTime() + this.intervalNanos;
        while (!this.stopped) {
            try {
                nextTick = pass(nextTick);
            } catch (Throwable ex) {
                if (this.stopped) {
                    return;
                }
                logger.warn("Disconnect probe pass failed", ex);
            }
        }
    }

    /** One wait and what follows it; returns when the next tick is due. */
    private long pass(long nextTick) throws IOException {
        // Parking only after a second of idle ticks: under load the set empties between requests, and a
        // wake-up per request (a syscall and a context switch) would cost more than ticking on.
        if (this.idleTicks >= this.idleTicksBeforeParking && isIdle()) {
            this.parked = true;
            if (isIdle()) { // a watch that came in between sees parked and wakes the selector
                this.selector.select();
            }
            this.parked = false;
            this.idleTicks = 0;
            nextTick = System.nanoTime() + this.intervalNanos;
        } else {
            long wait = nextTick - System.nanoTime();
            if (wait > 0) {
                this.selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)));
            } else {
                this.selector.selectNow();
            }
        }
        List<ServletRequestTaskGroup> toCheck = readyRequests();
        if (System.nanoTime() - nextTick >= 0) {
            this.ticks.incrementAndGet();
            this.idleTicks = isIdle() ? this.idleTicks + 1 : 0;
            nextTick = System.nanoTime() + this.intervalNanos;
            this.polled.removeIf((request) -> !request.isWatched());
            toCheck.addAll(this.polled);
            register(due());
        }
        check(toCheck);
        this.polledCount = this.polled.size();
        return nextTick;
    }

    /** What {@link ServletRequestTaskGroup#register(Selector, DisconnectProbe)} achieved. */
    enum Registration {

        /** The channel is registered: the request is waited on. */
        REGISTERED,

        /** A key of the channel's previous request is not flushed yet: try again on the next pass. */
        RETRY,

        /** The channel is unknown or cannot be registered: the request is checked every tick. */
        POLL,

        /** Nothing to watch: the request is complete, or no probe can watch it. */
        DONE
    }

    private boolean isIdle() {
        return this.watched.sum() == 0
                && this.arrivals.isEmpty()
                && this.young.isEmpty()
                && this.polled.isEmpty()
                && this.resting.isEmpty()
                && this.retries.isEmpty()
                && this.selector.keys().isEmpty();
    }

    /** The requests whose channel became readable: each is checked now, and rests until the next tick. */
    private List<ServletRequestTaskGroup> readyRequests() {
        Set<SelectionKey> selected = this.selector.selectedKeys();
        List<ServletRequestTaskGroup> ready = new ArrayList<>(selected.size());
        for (Iterator<SelectionKey> keys = selected.iterator(); keys.hasNext(); ) {
            SelectionKey key = keys.next();
            keys.remove();
            // Readiness is level-triggered: a channel with unread data would wake us on every pass.
            key.cancel();
            ServletRequestTaskGroup request = (ServletRequestTaskGroup) key.attachment();
            if (request.isWatched()) {
                ready.add(request);
            }
        }
        return ready;
    }

    /** At a tick: the requests to register now. */
    private List<ServletRequestTaskGroup> due() {
        // Readable again at once if the data is still unread (a body the handler ignores): then it is
        // checked once per tick, as if polled; once the data is read, waiting costs nothing again.
        List<ServletRequestTaskGroup> due = new ArrayList<>(this.resting);
        this.resting.clear();
        due.addAll(this.retries);
        this.retries.clear();
        for (ServletRequestTaskGroup request; (request = this.arrivals.poll()) != null; ) {
            this.young.add(request);
        }
        long now = System.nanoTime();
        this.young.removeIf((request) -> {
            if (now - request.watchedSince >= this.minAgeNanos) {
                due.add(request); // registering a request that completed meanwhile does nothing
                return true;
            }
            return false;
        });
        return due;
    }

    private void register(List<ServletRequestTaskGroup> requests) {
        for (ServletRequestTaskGroup request : requests) {
            switch (request.register(this.selector, this.probe)) {
                case REGISTERED, DONE -> {}
                case RETRY -> this.retries.add(request);
                case POLL -> this.polled.add(request);
            }
        }
    }

    private void check(List<ServletRequestTaskGroup> requests) {
        if (requests.isEmpty()) {
            return;
        }
        Map<DisconnectProbe, Boolean> begun = new IdentityHashMap<>(4);
        for (ServletRequestTaskGroup request : requests) {
            DisconnectProbe owner = request.watchProbe();
            if (owner != null && begun.putIfAbsent(owner, Boolean.TRUE) == null) {
                owner.beginTick();
            }
        }
        for (ServletRequestTaskGroup request : requests) {
            this.checks.incrementAndGet();
            if (clientGone(request)) {
                // Watched no more by this thread; the count drops when the abort completes the request.
                this.polled.remove(request);
                request.clientLeft();
            } else if (!this.polled.contains(request)) {
                this.resting.add(request); // it came from the selector
            }
        }
    }

    /** One request's check must not keep the others from theirs. */
    private static boolean clientGone(ServletRequestTaskGroup request) {
        try {
            return request.clientGone();
        } catch (RuntimeException ex) {
            logger.debug("Disconnect check failed; the request stays watched", ex);
            return false;
        }
    }

    @Override
    public void destroy() throws InterruptedException {
        Thread running;
        synchronized (this) {
            this.stopped = true;
            running = this.thread;
        }
        this.selector.wakeup();
        if (running != null) {
            running.join(TimeUnit.SECONDS.toMillis(5));
        }
        try {
            this.selector.close();
        } catch (IOException ex) {
            logger.debug("Could not close the disconnect selector", ex);
        }
    }
}
