package io.github.taskgroup.sample.reactive;

import io.github.taskgroup.sample.downstream.Dependency;
import io.github.taskgroup.sample.downstream.DownstreamAnswers;
import io.github.taskgroup.sample.downstream.DownstreamProperties;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * The three simulated downstream services of the WebFlux variant: the same answers as the servlet ones
 * ({@link DownstreamAnswers}), after a {@code Mono.delay} instead of a sleeping thread.
 */
@RestController
@RequestMapping("/downstream")
class ReactiveDownstreamController {

    private static final Logger log = LoggerFactory.getLogger(ReactiveDownstreamController.class);

    private final DownstreamProperties properties;

    ReactiveDownstreamController(DownstreamProperties properties) {
        this.properties = properties;
    }

    @GetMapping("/price/{id}")
    Mono<ResponseEntity<Object>> price(
            @PathVariable String id,
            @RequestParam(defaultValue = "0") long latencyMs,
            @RequestParam(defaultValue = "false") boolean fail) {
        return respond(Dependency.PRICE, id, latencyMs, fail);
    }

    @GetMapping("/stock/{id}")
    Mono<ResponseEntity<Object>> stock(
            @PathVariable String id,
            @RequestParam(defaultValue = "0") long latencyMs,
            @RequestParam(defaultValue = "false") boolean fail) {
        return respond(Dependency.STOCK, id, latencyMs, fail);
    }

    @GetMapping("/reviews/{id}")
    Mono<ResponseEntity<Object>> reviews(
            @PathVariable String id,
            @RequestParam(defaultValue = "0") long latencyMs,
            @RequestParam(defaultValue = "false") boolean fail) {
        return respond(Dependency.REVIEWS, id, latencyMs, fail);
    }

    private Mono<ResponseEntity<Object>> respond(Dependency dependency, String id, long latencyMs, boolean fail) {
        DownstreamProperties.Service service = properties.service(dependency);
        long delay = DownstreamAnswers.delayMs(service, latencyMs);
        log.info("{} for product {}: working for {} ms", dependency.value(), id, delay);
        return Mono.delay(Duration.ofMillis(delay)).map(tick -> {
            if (DownstreamAnswers.fails(service, fail)) {
                log.info("{} for product {}: failing with 503", dependency.value(), id);
                return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                        .body(DownstreamAnswers.unavailable(dependency, id));
            }
            return ResponseEntity.ok(DownstreamAnswers.body(dependency, id));
        });
    }
}
