package io.github.taskgroup.sample.product;

import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupException;
import io.github.taskgroup.TaskGroupTimeoutException;
import io.github.taskgroup.sample.downstream.Dependency;
import io.github.taskgroup.sample.downstream.Price;
import io.github.taskgroup.sample.downstream.Reviews;
import io.github.taskgroup.sample.downstream.Stock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three calls of one product page, forked into a group (see {@link ProductService#fork}). Once the group's
 * tasks are done, {@link #complete(Throwable)} combines their results, or turns what the group's join reported
 * into the error the client sees. The servlet handler gets that from {@code group.join()}, the WebFlux one from
 * {@code TaskGroupMono.join(group)}: both routes answer the same.
 */
public final class PageFetch {

    private static final Logger log = LoggerFactory.getLogger(PageFetch.class);

    private final String id;
    private final TaskGroup group;
    private final boolean reviewsOptional;
    private final long startNanos;
    private final Map<String, Long> timings; // written by the tasks, read by complete()
    private final Task<Price> price;
    private final Task<Stock> stock;
    private final Task<Reviews> reviews;

    PageFetch(
            String id,
            TaskGroup group,
            boolean reviewsOptional,
            long startNanos,
            Map<String, Long> timings,
            Task<Price> price,
            Task<Stock> stock,
            Task<Reviews> reviews) {
        this.id = id;
        this.group = group;
        this.reviewsOptional = reviewsOptional;
        this.startNanos = startNanos;
        this.timings = timings;
        this.price = price;
        this.stock = stock;
        this.reviews = reviews;
    }

    /**
     * Call once every task of the group is done.
     *
     * @param joinFailure what the group's join threw (or its Mono's error), or {@code null} if it completed
     *        normally
     * @return the page; without reviews when they are optional and only they failed
     * @throws ProductPageException if a dependency failed (502) or the group's deadline expired (504)
     * @throws CancellationException the join's own, when the group was cancelled from outside (the client hung
     *         up)
     */
    public ProductPage complete(Throwable joinFailure) {
        List<Task<?>> tasks = List.of(price, stock, reviews);
        if (joinFailure instanceof TaskGroupTimeoutException ex) {
            log.warn(
                    "product {}: group '{}' timed out after {}; tasks {}",
                    id,
                    group.name(),
                    ex.timeout(),
                    states(tasks));
            throw ProductPageException.timeout(group.name(), ex.timeout(), states(tasks), ex);
        }
        if (joinFailure instanceof TaskGroupException ex) {
            boolean onlyReviewsFailed = reviews.state() == Task.State.FAILED
                    && price.state() == Task.State.SUCCEEDED
                    && stock.state() == Task.State.SUCCEEDED;
            if (!(reviewsOptional && onlyReviewsFailed)) {
                Task<?> failed = tasks.stream()
                        .filter(task -> task.state() == Task.State.FAILED)
                        .findFirst()
                        .orElse(price);
                Throwable failure = failed.exception() != null ? failed.exception() : ex;
                Integer status = failure instanceof DependencyFailedException dependencyFailed
                        ? dependencyFailed.status()
                        : null;
                log.warn(
                        "product {}: {} failed ({}); tasks {}", id, failed.name(), failure.getMessage(), states(tasks));
                throw ProductPageException.dependencyFailed(failed.name(), status, states(tasks), failure);
            }
            log.info(
                    "product {}: reviews failed ({}), serving the page without them",
                    id,
                    reviews.exception().getMessage());
        } else if (joinFailure instanceof CancellationException ex) {
            log.info(
                    "product {}: group '{}' cancelled ({}); tasks {}",
                    id,
                    group.name(),
                    group.cancellationReason().map(reason -> reason.value()).orElse("?"),
                    states(tasks));
            throw ex;
        } else if (joinFailure instanceof RuntimeException ex) {
            throw ex;
        } else if (joinFailure != null) {
            throw new IllegalStateException("The group's join failed unexpectedly", joinFailure);
        }
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        List<String> missing = new ArrayList<>();
        Reviews reviewsValue = null;
        if (reviews.state() == Task.State.SUCCEEDED) {
            reviewsValue = reviews.get();
        } else {
            missing.add(Dependency.REVIEWS.value());
        }
        log.info("product {}: page ready in {} ms (calls: {})", id, elapsedMs, timings);
        return new ProductPage(
                id, price.get(), stock.get(), reviewsValue, missing, new LinkedHashMap<>(timings), elapsedMs);
    }

    /**
     * Logs that the page was abandoned: on WebFlux, the client went away and the Mono of the group's completion was
     * cancelled, which cancelled the group (then {@link #complete(Throwable)} is never called).
     */
    public void abandoned() {
        log.info(
                "product {}: group '{}' cancelled ({}); tasks {}",
                id,
                group.name(),
                group.cancellationReason().map(reason -> reason.value()).orElse("?"),
                states(List.of(price, stock, reviews)));
    }

    private static Map<String, String> states(List<Task<?>> tasks) {
        Map<String, String> states = new LinkedHashMap<>();
        for (Task<?> task : tasks) {
            states.put(task.name(), task.state().name());
        }
        return states;
    }
}
