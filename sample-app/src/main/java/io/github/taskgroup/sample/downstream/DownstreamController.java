package io.github.taskgroup.sample.downstream;

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
 * from the product id (see {@link DownstreamAnswers}).
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
        return respond(Dependency.PRICE, id, latencyMs, fail);
    }

    @GetMapping("/stock/{id}")
    ResponseEntity<?> stock(
            @PathVariable String id,
            @RequestParam(defaultValue = "0") long latencyMs,
            @RequestParam(defaultValue = "false") boolean fail)
            throws InterruptedException {
        return respond(Dependency.STOCK, id, latencyMs, fail);
    }

    @GetMapping("/reviews/{id}")
    ResponseEntity<?> reviews(
            @PathVariable String id,
            @RequestParam(defaultValue = "0") long latencyMs,
            @RequestParam(defaultValue = "false") boolean fail)
            throws InterruptedException {
        return respond(Dependency.REVIEWS, id, latencyMs, fail);
    }

    private ResponseEntity<?> respond(Dependency dependency, String id, long latencyMs, boolean fail)
            throws InterruptedException {
        DownstreamProperties.Service service = properties.service(dependency);
        long delay = DownstreamAnswers.delayMs(service, latencyMs);
        log.info("{} for product {}: working for {} ms", dependency.value(), id, delay);
        // The simulated work of the service: the caller's cancellation shows on the caller's side (its HTTP
        // call is aborted), while this service finishes its own work, as a real remote service would.
        Thread.sleep(delay);
        if (DownstreamAnswers.fails(service, fail)) {
            log.info("{} for product {}: failing with 503", dependency.value(), id);
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                    .body(DownstreamAnswers.unavailable(dependency, id));
        }
        return ResponseEntity.ok(DownstreamAnswers.body(dependency, id));
    }
}
