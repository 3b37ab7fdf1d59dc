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
}
