package io.github.taskgroup.web;

import java.time.Duration;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Aborts the request groups still open at shutdown (reason {@code shutdown}), after a grace period, so that
 * their requests complete instead of holding the web server's graceful shutdown until its timeout: on Tomcat
 * the {@code DeferredResult} and {@code CompletableFuture} requests, and on WebFlux every handler, get no
 * other signal.
 *
 * <p>Its phase is the web server's graceful shutdown phase ({@code DEFAULT_PHASE - 1024}), and it stops
 * asynchronously: while the server stops accepting requests and waits for those in flight, this lifecycle
 * waits up to {@code taskgroup.shutdown.await-termination-period} for the request groups to finish on their
 * own, then aborts the rest.
 */
public class RequestTaskGroupShutdownLifecycle implements SmartLifecycle {

    /** The web server's graceful shutdown phase. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

    private static final Log logger = LogFactory.getLog(RequestTaskGroupShutdownLifecycle.class);

    private final RequestTaskGroupRegistry registry;

    private final Duration gracePeriod;

    private volatile boolean running;

    /**
     * @param registry the open request groups
     * @param gracePeriod how long to let them finish before aborting them
     */
    public RequestTaskGroupShutdownLifecycle(RequestTaskGroupRegistry registry, Duration gracePeriod) {
        this.registry = registry;
        this.gracePeriod = gracePeriod;
    }

    @Override
    public void start() {
        this.running = true;
    }

    @Override
    public void stop() {
        drain();
    }

    @Override
    public void stop(Runnable callback) {
        if (!this.running) {
            callback.run();
            return;
        }
        Thread thread = new Thread(
                () -> {
                    try {
                        drain();
                    } finally {
                        callback.run();
                    }
                },
                "taskgroup-web-shutdown");
        thread.setDaemon(true);
        thread.start();
    }

    private void drain() {
        if (!this.running) {
            return;
        }
        this.running = false;
        try {
            if (this.registry.awaitEmpty(this.gracePeriod)) {
                return;
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        int aborted = this.registry.abortAll();
        if (aborted > 0) {
            logger.info("Aborted " + aborted + " request task group(s) still open after " + this.gracePeriod
                    + " of graceful shutdown");
        }
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
