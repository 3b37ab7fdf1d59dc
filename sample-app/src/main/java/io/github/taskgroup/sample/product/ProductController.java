package io.github.taskgroup.sample.product;

import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The product pages. */
@RestController
class ProductController {

    /** The group of {@code /api/products/{id}}: fail-fast, its timeout in {@code application.yml}. */
    static final String PAGE_GROUP = "product-page";

    /** The group of {@code /api/products/{id}/lenient}: supervise, so that a reviews failure cancels nothing. */
    static final String LENIENT_GROUP = "product-page-lenient";

    private final TaskGroupFactory taskGroups;
    private final ProductService products;

    ProductController(TaskGroupFactory taskGroups, ProductService products) {
        this.taskGroups = taskGroups;
        this.products = products;
    }

    /** Price, stock and reviews, or an error naming the dependency that failed (502), or 504. */
    @GetMapping("/api/products/{id}")
    ProductPage product(@PathVariable String id, @RequestParam(defaultValue = "0") long latencyMs,
            @RequestParam(required = false) String fail) throws InterruptedException {
        Demo demo = Demo.of(latencyMs, fail);
        try (TaskGroup group = taskGroups.open(PAGE_GROUP)) {
            return products.page(id, demo, group);
        }
    }

    /** Like {@link #product}, but a page without reviews when only the reviews service fails. */
    @GetMapping("/api/products/{id}/lenient")
    ProductPage lenient(@PathVariable String id, @RequestParam(defaultValue = "0") long latencyMs,
            @RequestParam(required = false) String fail) throws InterruptedException {
        Demo demo = Demo.of(latencyMs, fail);
        try (TaskGroup group = taskGroups.open(LENIENT_GROUP)) {
            return products.pageWithOptionalReviews(id, demo, group);
        }
    }
}
