package io.github.taskgroup.sample.downstream;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a simulated downstream service answers, shared by the servlet services ({@link DownstreamController}) and
 * the WebFlux ones: how long it works, whether it fails, and its data, derived from the product id.
 */
public final class DownstreamAnswers {

    private DownstreamAnswers() {}

    /**
     * @param service the service's settings
     * @param latencyMs the request's extra latency (negative counts as 0)
     * @return how long the service works before it answers, in milliseconds
     */
    public static long delayMs(DownstreamProperties.Service service, long latencyMs) {
        return service.latency().toMillis() + Math.max(0, latencyMs);
    }

    /**
     * @param service the service's settings
     * @param fail the request's {@code fail} parameter
     * @return whether this call answers 503: when asked to, or at the service's failure rate
     */
    public static boolean fails(DownstreamProperties.Service service, boolean fail) {
        return fail || ThreadLocalRandom.current().nextDouble() < service.failureRate();
    }

    /** @return the body of a 503 answer */
    public static Map<String, String> unavailable(Dependency dependency, String id) {
        return Map.of("error", dependency.value() + " service unavailable", "product", id);
    }

    /** @return the body of a successful answer: a {@link Price}, {@link Stock} or {@link Reviews} */
    public static Object body(Dependency dependency, String id) {
        int seed = Math.floorMod(id.hashCode(), 1_000_003);
        return switch (dependency) {
            case PRICE ->
                new Price(id, BigDecimal.valueOf(1000 + seed % 9000, 2).setScale(2, RoundingMode.UNNECESSARY), "EUR");
            case STOCK -> new Stock(id, seed % 50, "berlin-1");
            case REVIEWS -> new Reviews(id, 3.0 + (seed % 21) / 10.0, List.of("Does what it says", "Arrived on time"));
        };
    }
}
