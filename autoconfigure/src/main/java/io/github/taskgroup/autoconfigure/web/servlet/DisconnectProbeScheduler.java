package io.github.taskgroup.autoconfigure.web.servlet;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
 *
 * <p>Its cost is capped: after each tick the next one is delayed so that the thread uses about
 * {@value #CPU_BUDGET_PER_MILLE}&permil; of one core (its own CPU time per tick, divided by the time until the
 * next tick), which keeps it under 2% although ticks vary.
 * With few requests in flight a tick costs microseconds and the interval is the configured one; with thousands,
 * the interval stretches (and detection takes longer) instead of the probe eating a core.
 */
public class DisconnectProbeScheduler implements DisposableBean {

    private static final Log logger = LogFactory.getLog(DisconnectProbeScheduler.class);

    /** The share of one core the probe thread aims at, per mille. */
    static final int CPU_BUDGET_PER_MILLE = 15;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final DisconnectProbe probe;

    private final long intervalNanos;

    private final Set<ServletRequestTaskGroup> watched = ConcurrentHashMap.newKeySet();

    private final ScheduledExecutorService executor;

    private final AtomicLong ticks = new AtomicLong();

    private ScheduledFuture<?> ticking; // guarded by this

    private volatile long lastDelayNanos;

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

    /** @return the delay the last tick chose before the next one (the interval, or more under load) */
    public Duration lastDelay() {
        return Duration.ofNanos(this.lastDelayNanos);
    }

    void watch(ServletRequestTaskGroup request) {
        this.watched.add(request);
        synchronized (this) {
            if (this.ticking == null && !this.executor.isShutdown()) {
                this.ticking = this.executor.schedule(this::tick, this.intervalNanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    /**
     * @param intervalNanos the configured interval
     * @param tickCostNanos what the last tick cost
     * @return the delay until the next tick: the interval, or longer so that ticks use at most the budget
     */
    static long nextDelayNanos(long intervalNanos, long tickCostNanos) {
        long periodWithinBudget = tickCostNanos * 1000 / CPU_BUDGET_PER_MILLE;
        return Math.max(intervalNanos, periodWithinBudget - tickCostNanos);
    }

    private static long cpuTimeNanos() {
        long cpu = THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
        return cpu >= 0 ? cpu : System.nanoTime(); // wall time overstates the cost: the cap only gets safer
    }

    void unwatch(ServletRequestTaskGroup request) {
        this.watched.remove(request);
    }

    void tick() {
        long started = cpuTimeNanos();
        try {
            this.ticks.incrementAndGet();
            if (this.watched.isEmpty()) {
                synchronized (this) {
                    if (this.watched.isEmpty()) {
                        this.ticking = null; // watch() starts ticking again
                        return;
                    }
                }
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
        long delay = nextDelayNanos(this.intervalNanos, Math.max(0, cpuTimeNanos() - started));
        this.lastDelayNanos = delay;
        synchronized (this) {
            if (this.ticking != null && !this.executor.isShutdown()) {
                this.ticking = this.executor.schedule(this::tick, delay, TimeUnit.NANOSECONDS);
            }
        }
    }

    @Override
    public void destroy() {
        this.executor.shutdownNow();
    }
}
