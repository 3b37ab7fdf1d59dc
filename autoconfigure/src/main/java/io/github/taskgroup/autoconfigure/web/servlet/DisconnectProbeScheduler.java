package io.github.taskgroup.autoconfigure.web.servlet;

import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.github.taskgroup.CancellationReason;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;

/**
 * One thread that checks, every interval, the connection of every in-flight request whose group is open, and
 * aborts (reason {@code request-aborted}) the requests whose client is gone. No thread per request: a tick
 * costs one {@link DisconnectProbe#beginTick()} per probe in use (one {@code /proc} scan for all requests) and
 * one cheap check per request. The thread runs only while requests are watched.
 */
public class DisconnectProbeScheduler implements DisposableBean {

    private static final Log logger = LogFactory.getLog(DisconnectProbeScheduler.class);

    private final DisconnectProbe probe;

    private final long intervalNanos;

    private final Set<ServletRequestTaskGroup> watched = ConcurrentHashMap.newKeySet();

    private final ScheduledExecutorService executor;

    private final AtomicLong ticks = new AtomicLong();

    private ScheduledFuture<?> ticking; // guarded by this

    /**
     * @param probe checks connections
     * @param interval how often
     */
    public DisconnectProbeScheduler(DisconnectProbe probe, Duration interval) {
        this.probe = probe;
        this.intervalNanos = interval.toNanos();
        this.executor = Executors.newSingleThreadScheduledExecutor((runnable) -> {
            Thread thread = new Thread(runnable, "taskgroup-disconnect-probe");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** @return the probe */
    public DisconnectProbe getProbe() {
        return this.probe;
    }

    /** @return how many ticks ran so far */
    public long ticks() {
        return this.ticks.get();
    }

    /** @return how many requests are watched */
    public int watchedCount() {
        return this.watched.size();
    }

    void watch(ServletRequestTaskGroup request) {
        this.watched.add(request);
        synchronized (this) {
            if (this.ticking == null && !this.executor.isShutdown()) {
                this.ticking = this.executor.scheduleWithFixedDelay(this::tick, this.intervalNanos,
                        this.intervalNanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    void unwatch(ServletRequestTaskGroup request) {
        this.watched.remove(request);
    }

    void tick() {
        try {
            this.ticks.incrementAndGet();
            if (this.watched.isEmpty()) {
                synchronized (this) {
                    if (this.watched.isEmpty() && this.ticking != null) {
                        this.ticking.cancel(false);
                        this.ticking = null;
                    }
                }
                return;
            }
            Map<DisconnectProbe, Boolean> begun = new IdentityHashMap<>(4);
            for (ServletRequestTaskGroup request : this.watched) {
                DisconnectProbe owner = request.watchProbe();
                if (owner != null && begun.putIfAbsent(owner, Boolean.TRUE) == null) {
                    owner.beginTick();
                }
            }
            for (ServletRequestTaskGroup request : this.watched) {
                if (request.clientGone()) {
                    this.watched.remove(request);
                    request.abort(CancellationReason.REQUEST_ABORTED);
                }
            }
        }
        catch (Throwable ex) {
            logger.warn("Disconnect probe tick failed", ex);
        }
    }

    @Override
    public void destroy() {
        this.executor.shutdownNow();
    }
}
