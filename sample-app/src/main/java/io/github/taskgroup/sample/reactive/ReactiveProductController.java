package io.github.taskgroup.sample.reactive;

import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.reactor.TaskGroupMono;
import io.github.taskgroup.sample.product.Demo;
import io.github.taskgroup.sample.product.PageFetch;
import io.github.taskgroup.sample.product.ProductPage;
import io.github.taskgroup.sample.product.ProductService;
import io.github.taskgroup.web.RequestTaskGroupOptions;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

/**
 * The product pages on WebFlux. Each handler gets its request's task group (named after the route, options from
 * {@link RequestTaskGroupOptions}, cancelled with reason {@code request-aborted} when the client hangs up), forks
 * the three downstream calls into it and returns at once a Mono of the group's completion
 * ({@link TaskGroupMono#join(TaskGroup)}), mapped to the page or to the same errors as the servlet route: 502
 * naming the failed dependency, 504 on the deadline.
 */
@RestController
class ReactiveProductController {

    private final ProductService products;

    ReactiveProductController(ProductService products) {
        this.products = products;
    }

    /** Price, stock and reviews, or an error naming the dependency that failed (502), or 504. */
    @GetMapping("/api/products/{id}")
    @RequestTaskGroupOptions(timeout = "2s", policy = "fail-fast")
    Mono<ProductPage> product(
            @PathVariable String id,
            @RequestParam(defaultValue = "0") long latencyMs,
            @RequestParam(required = false) String fail,
            TaskGroup group) {
        return page(products.fork(id, Demo.of(latencyMs, fail), group, false), group);
    }

    /** Like {@link #product}, under the supervise policy: a page without reviews when only they fail. */
    @GetMapping("/api/products/{id}/lenient")
    @RequestTaskGroupOptions(timeout = "2s", policy = "supervise")
    Mono<ProductPage> lenient(
            @PathVariable String id,
            @RequestParam(defaultValue = "0") long latencyMs,
            @RequestParam(required = false) String fail,
            TaskGroup group) {
        return page(products.fork(id, Demo.of(latencyMs, fail), group, true), group);
    }

    /**
     * The group's completion, turned into the page or the error: the signal arrives on the thread that completes
     * the group's view (not a bounded-elastic one), and cancelling this Mono (the client went away) cancels the
     * group.
     */
    private static Mono<ProductPage> page(PageFetch fetch, TaskGroup group) {
        return TaskGroupMono.join(group)
                .materialize()
                .map(signal -> fetch.complete(signal.getThrowable()))
                .doFinally(signal -> {
                    if (signal == SignalType.CANCEL) {
                        fetch.abandoned();
                    }
                });
    }
}
