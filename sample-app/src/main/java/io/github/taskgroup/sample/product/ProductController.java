package io.github.taskgroup.sample.product;

import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.web.RequestTaskGroupOptions;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The product pages. Each handler gets the request's task group (a {@code TaskGroup} parameter, from the
 * starter): it lives as long as the request, is named after the route ({@code GET /api/products/{id}}), takes
 * its timeout and policy from {@link RequestTaskGroupOptions} on the handler (a property
 * {@code taskgroup.groups.[GET /api/products/{id}].timeout} would still win over it), and is cancelled with
 * reason {@code request-aborted} when the client hangs up.
 */
@RestController
class ProductController {

    private final ProductService products;

    ProductController(ProductService products) {
        this.products = products;
    }

    /** Price, stock and reviews, or an error naming the dependency that failed (502), or 504. */
    @GetMapping("/api/products/{id}")
    @RequestTaskGroupOptions(timeout = "2s", policy = "fail-fast")
    ProductPage product(
            @PathVariable String id,
            @RequestParam(defaultValue = "0") long latencyMs,
            @RequestParam(required = false) String fail,
            TaskGroup group)
            throws InterruptedException {
        return products.page(id, Demo.of(latencyMs, fail), group);
    }

    /**
     * Like {@link #product}, but under the supervise policy: a page without reviews when only the reviews
     * service fails.
     */
    @GetMapping("/api/products/{id}/lenient")
    @RequestTaskGroupOptions(timeout = "2s", policy = "supervise")
    ProductPage lenient(
            @PathVariable String id,
            @RequestParam(defaultValue = "0") long latencyMs,
            @RequestParam(required = false) String fail,
            TaskGroup group)
            throws InterruptedException {
        return products.pageWithOptionalReviews(id, Demo.of(latencyMs, fail), group);
    }

    /**
     * A route whose task ignores its interrupt, to show how a straggler is reported: the group times out after
     * 500 ms, but the task, like legacy code that swallows {@code InterruptedException}, keeps working for
     * {@code holdMs} (default 3000, at most 30000). After {@code taskgroup.straggler-threshold} (1 s) it is reported
     * as a straggler: a WARN line, the {@code taskgroup.tasks.stragglers} meters, {@code "straggler": true} in
     * {@code /actuator/taskgroups} and the JFR event {@code io.github.taskgroup.TaskStraggler}. The client gets 504
     * once the task ends.
     */
    @GetMapping("/api/products/{id}/legacy")
    @RequestTaskGroupOptions(timeout = "500ms", policy = "fail-fast")
    String legacy(@PathVariable String id, @RequestParam(defaultValue = "3000") long holdMs, TaskGroup group)
            throws InterruptedException {
        if (holdMs < 0 || holdMs > 30_000) {
            throw new IllegalArgumentException("holdMs must be between 0 and 30000, but was " + holdMs);
        }
        group.fork("legacy", () -> ignoreInterrupts(holdMs));
        group.join();
        return "product " + id + ": legacy lookup done";
    }

    /** Works for {@code holdMs} whatever happens: the bug the straggler report is there to find. */
    private static String ignoreInterrupts(long holdMs) {
        long end = System.nanoTime() + holdMs * 1_000_000L;
        long left;
        while ((left = end - System.nanoTime()) > 0) {
            try {
                Thread.sleep(Math.max(1L, left / 1_000_000L));
            } catch (InterruptedException swallowed) {
                // deliberately swallowed, as legacy code does: the cancellation is lost
            }
        }
        return "done";
    }
}
