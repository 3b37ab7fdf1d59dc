package io.github.taskgroup.sample.product;

import io.github.taskgroup.sample.downstream.Dependency;
import java.util.Optional;

/**
 * The demo knobs of one request: {@code latencyMs} is added to every downstream call, and {@code fail}
 * names the downstream service that fails.
 *
 * @param latencyMs extra latency of each downstream call
 * @param failing the failing service, if any
 */
public record Demo(long latencyMs, Optional<Dependency> failing) {

    /**
     * @param latencyMs the {@code latencyMs} query parameter
     * @param fail the {@code fail} query parameter: {@code price}, {@code stock}, {@code reviews} or nothing
     * @return the knobs
     * @throws IllegalArgumentException if {@code fail} names no service or {@code latencyMs} is negative
     */
    public static Demo of(long latencyMs, String fail) {
        if (latencyMs < 0) {
            throw new IllegalArgumentException("latencyMs must not be negative, but was " + latencyMs);
        }
        return new Demo(latencyMs, Dependency.parse(fail));
    }

    boolean fails(Dependency dependency) {
        return failing.filter(dependency::equals).isPresent();
    }
}
