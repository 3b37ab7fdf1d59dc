package io.github.taskgroup.sample.downstream;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Three simulated downstream services. Each waits its configured latency plus {@code latencyMs}, then fails
 * with 503 if {@code fail=true} or at its configured failure rate, and otherwise answers with data derived
 * from the product id.
 */
@RestController
@RequestMapping("/downstream")
class DownstreamController {

    private static final Logger log = LoggerFactory.getLogger(DownstreamController.class);

    private final DownstreamProperties properties;

    DownstreamController(DownstreamProperties properties) {
        this.properties = properties;
    }

    @GetMapping("/price/{id}")
    ResponseEntity<?> price(
            @PathVariable String id,
            @RequestParam(defaultValue = "0") long latencyMs,
            @RequestParam(defaultValue = "false") boolean fail)
            throws InterruptedException {
        return respond(
                Dependency.PRICE,
                id,
                latencyMs,
                fail,
                () -> new Price(
                        id,
                        BigDecimal.valueOf(1000 + seed(id) % 9000, 2).setScale(2, RoundingMode.UNNECESSARY),
                        "EUR"));
    }

    @GetMapping("/stock/{id}")
    ResponseEntity<?> stock(
            @PathVariable String id,
            @RequestParam(defaultValue = "0") long latencyMs,
            @RequestParam(defaultValue = "false") boolean fail)
            throws InterruptedException {
        return respond(Dependency.STOCK, id, latencyMs, fail, () -> new Stock(id, seed(id) % 50, "berlin-1"));
    }

    @GetMapping("/reviews/{id}")
    ResponseEntity<?> reviews(
            @PathVariable String id,
            @RequestParam(defaultValue = "0") long latencyMs,
            @RequestParam(defaultValue = "false") boolean fail)
            throws InterruptedException {
        return respond(
                Dependency.REVIEWS,
                id,
                latencyMs,
                fail,
                () -> new Reviews(id, 3.0 + (seed(id) % 21) / 10.0, List.of("Does what it says", "Arrived on time")));
    }

    private ResponseEntity<?> respond(
            Dependency dependency, String id, long latencyMs, boolean fail, java.util.function.Supplier<Object> body)
            throws InterruptedException {
        DownstreamProperties.Service service = properties.service(dependency);
        long delay = service.latency().toMillis() + Math.max(0, latencyMs);
        log.info("{} for product {}: working for {} ms", dependency.value(), id, delay);
        // The simulated work of the service: the caller's cancellation shows on the caller's side (its HTTP
        // call is aborted), while this service finishes its own work, as a real remote service would.
        Thread.sleep(delay);
        if (fail || ThreadLocalRandom.current().nextDouble() < service.failureRate()) {
            log.info("{} for product {}: failing with 503", dependency.value(), id);
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                    .body(Map.of("error", dependency.value() + " service unavailable", "product", id));
        }
        return ResponseEntity.ok(body.get());
    }

    private static int seed(String id) {
        return Math.floorMod(id.hashCode(), 1_000_003);
    }
}
