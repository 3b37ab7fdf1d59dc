package io.github.taskgroup.autoconfigure.web.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The probe thread stretches its interval so that it never uses more than its share of a core. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DisconnectProbeSchedulerCostTests {

    private static final long INTERVAL = Duration.ofMillis(50).toNanos();

    @Test
    void a_cheap_tick_keeps_the_configured_interval() {
        assertThat(DisconnectProbeScheduler.nextDelayNanos(INTERVAL, 0)).isEqualTo(INTERVAL);
        assertThat(DisconnectProbeScheduler.nextDelayNanos(INTERVAL, Duration.ofMillis(1).toNanos() / 2))
            .isEqualTo(INTERVAL);
    }

    @Test
    void an_expensive_tick_delays_the_next_so_that_the_probe_stays_under_two_percent_of_a_core() {
        long cost = Duration.ofMillis(3).toNanos(); // about what 1,000 Tomcat checks cost here
        long delay = DisconnectProbeScheduler.nextDelayNanos(INTERVAL, cost);
        assertThat(delay).isEqualTo(Duration.ofMillis(197).toNanos());
        assertThat((double) cost / (cost + delay)).isEqualTo(0.015);
    }
}
