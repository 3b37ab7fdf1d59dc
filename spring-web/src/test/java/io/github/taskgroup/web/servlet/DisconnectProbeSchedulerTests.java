package io.github.taskgroup.web.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.web.RequestTaskGroupRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * The scheduler's cost rule, without a server: a request is looked at only once it has been in flight for an
 * eighth of an interval. The probe here has no channel, so a watched request is checked every tick.
 */
class DisconnectProbeSchedulerTests {

    private static final Duration INTERVAL = Duration.ofMillis(500);

    private final CountingProbe probe = new CountingProbe();

    private final DisconnectProbeScheduler scheduler = new DisconnectProbeScheduler(this.probe, INTERVAL);

    private final TaskGroupFactory factory = TaskGroupFactory.builder().build();

    private final RequestTaskGroupRegistry registry = new RequestTaskGroupRegistry();

    @AfterEach
    void stop() throws Exception {
        this.scheduler.destroy();
        this.factory.shutdown();
    }

    @Test
    void aRequestOverBeforeItIsAnEighthOfAnIntervalOldIsNeverWatchedNorChecked() {
        parkTheScheduler();
        for (int i = 0; i < 50; i++) {
            ServletRequestTaskGroup request = request();
            request.group();
            if (i == 0) { // it wakes the parked scheduler: a pass that must not watch it
                await().pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(1))
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> !this.scheduler.isParked());
            }
            request.complete();
        }
        long ticks = this.scheduler.ticks();
        await().atMost(Duration.ofSeconds(10)).until(() -> this.scheduler.ticks() >= ticks + 3);
        assertThat(this.probe.watched)
                .as("requests the probe was asked to watch")
                .isEmpty();
        assertThat(this.scheduler.checks()).isZero();
        assertThat(this.scheduler.watchedCount()).isZero();
    }

    @RepeatedTest(3)
    void aRequestStillInFlightAfterAnEighthOfAnIntervalIsWatchedAndItsClientLeavingAbortsIt() {
        parkTheScheduler();
        ServletRequestTaskGroup request = request();
        long opened = System.nanoTime();
        request.group(); // wakes the scheduler at once; it must still wait for the request to be old enough
        await().atMost(Duration.ofSeconds(10)).until(() -> !this.probe.watched.isEmpty());
        assertThat(this.probe.firstWatchAt - opened)
                .as("nanoseconds from the open to the first watch")
                .isGreaterThanOrEqualTo(INTERVAL.toNanos() / 8);
        long checks = this.scheduler.checks();
        await().atMost(Duration.ofSeconds(10)).until(() -> this.scheduler.checks() > checks);
        assertThat(request.abortReason()).isEmpty();

        this.probe.gone.set(true);
        await().atMost(Duration.ofSeconds(10)).until(() -> request.abortReason().isPresent());
        assertThat(request.abortReason()).contains(CancellationReason.REQUEST_ABORTED);
        request.complete();
        assertThat(this.scheduler.watchedCount()).isZero();
    }

    /** Starts the scheduler thread with a request over at once, then waits until it parks (a second idle). */
    private void parkTheScheduler() {
        ServletRequestTaskGroup first = request();
        first.group();
        first.complete();
        await().atMost(Duration.ofSeconds(10)).until(this.scheduler::isParked);
    }

    private ServletRequestTaskGroup request() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/x");
        return new ServletRequestTaskGroup(
                this.factory,
                () -> "GET /x",
                (name) -> io.github.taskgroup.web.RequestTaskGroupSettings.NONE,
                this.registry,
                request,
                new MockHttpServletResponse(),
                this.scheduler,
                null);
    }

    /** Knows no channel (so it is asked every tick); the client is gone once {@link #gone} is set. */
    static final class CountingProbe implements DisconnectProbe {

        final ConcurrentLinkedQueue<HttpServletRequest> watched = new ConcurrentLinkedQueue<>();

        final AtomicBoolean gone = new AtomicBoolean();

        volatile long firstWatchAt;

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public Watch watch(HttpServletRequest request) {
            if (this.watched.isEmpty()) {
                this.firstWatchAt = System.nanoTime();
            }
            this.watched.add(request);
            return new Watch() {

                @Override
                public boolean clientGone(boolean requestThreadInHandler) {
                    return CountingProbe.this.gone.get();
                }

                @Override
                public DisconnectProbe probe() {
                    return CountingProbe.this;
                }
            };
        }
    }
}
