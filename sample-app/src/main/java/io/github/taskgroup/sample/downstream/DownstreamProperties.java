package io.github.taskgroup.sample.downstream;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The simulated downstream services: where they are, and how slow and unreliable each one is.
 *
 * @param baseUrl where the aggregator calls them; empty means this application itself, over loopback
 * @param price the price service
 * @param stock the stock service
 * @param reviews the reviews service
 */
@ConfigurationProperties("sample.downstream")
public record DownstreamProperties(String baseUrl, Service price, Service stock, Service reviews) {

    public DownstreamProperties {
        price = price != null ? price : new Service(null, 0);
        stock = stock != null ? stock : new Service(null, 0);
        reviews = reviews != null ? reviews : new Service(null, 0);
    }

    /** @return the settings of one service */
    public Service service(Dependency dependency) {
        return switch (dependency) {
            case PRICE -> price;
            case STOCK -> stock;
            case REVIEWS -> reviews;
        };
    }

    /**
     * One simulated service.
     *
     * @param latency how long each call takes (before the per-request {@code latencyMs})
     * @param failureRate the share of calls that fail with 503, from 0 to 1
     */
    public record Service(Duration latency, double failureRate) {

        public Service {
            latency = latency != null ? latency : Duration.ZERO;
            if (latency.isNegative()) {
                throw new IllegalArgumentException("latency must not be negative, but was " + latency);
            }
            if (failureRate < 0 || failureRate > 1) {
                throw new IllegalArgumentException("failure-rate must be between 0 and 1, but was " + failureRate);
            }
        }
    }
}
