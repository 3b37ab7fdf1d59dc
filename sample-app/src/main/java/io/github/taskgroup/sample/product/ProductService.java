package io.github.taskgroup.sample.product;

import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupException;
import io.github.taskgroup.sample.downstream.Price;
import io.github.taskgroup.sample.downstream.Reviews;
import io.github.taskgroup.sample.downstream.Stock;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Fans a product page out to the three downstream services, one task each, in a task group that the caller
 * owns.
 */
@Service
public class ProductService {

    private static final Logger log = LoggerFactory.getLogger(ProductService.class);

    private final DownstreamClient client;

    ProductService(DownstreamClient client) {
        this.client = client;
    }

    /**
     * Fetches price, stock and reviews concurrently in {@code group}, waits for all three and combines them.
     * Under the group's policy (fail-fast, configured in {@code application.yml}) the first failure cancels
     * the other calls.
     *
     * @param id the product
     * @param demo the demo knobs
     * @param group the group to fork into (the request's group, or one the caller opened)
     * @return the page
     * @throws ProductPageException if a dependency failed (502) or the group's deadline expired (504)
     * @throws InterruptedException if the request thread was interrupted
     * @throws java.util.concurrent.CancellationException if the group was cancelled from outside, for
     *         example because the client hung up
     */
    public ProductPage page(String id, Demo demo, TaskGroup group) throws InterruptedException {
        return fetch(id, demo, group, false);
    }

    /**
     * Like {@link #page}, but reviews are optional: meant for a group with the supervise policy, where a
     * failure of the reviews service leaves the other calls running, and the page comes without reviews.
     *
     * @param id the product
     * @param demo the demo knobs
     * @param group a group with the supervise policy
     * @return the page, partial when only the reviews failed
     * @throws ProductPageException if price or stock failed (502) or the group's deadline expired (504)
     * @throws InterruptedException if the request thread was interrupted
     */
    public ProductPage pageWithOptionalReviews(String id, Demo demo, TaskGroup group) throws InterruptedException {
        return fetch(id, demo, group, true);
    }

    /**
     * Forks the three calls into {@code group} and returns at once; the caller waits for the group (with
     * {@code join()}, or with {@code TaskGroupMono.join(group)} on WebFlux) and then calls
     * {@link PageFetch#complete(Throwable)}.
     *
     * @param id the product
     * @param demo the demo knobs
     * @param group the group to fork into
     * @param reviewsOptional whether a page without reviews is served when only they fail (a supervise group)
     * @return the forked calls
     * @throws IllegalStateException if the group is closed
     */
    public PageFetch fork(String id, Demo demo, TaskGroup group, boolean reviewsOptional) {
        long start = System.nanoTime();
        Map<String, Long> timings = new ConcurrentHashMap<>();
        Task<Price> price = group.fork("price", timed("price", timings, () -> client.price(id, demo)));
        Task<Stock> stock = group.fork("stock", timed("stock", timings, () -> client.stock(id, demo)));
        Task<Reviews> reviews = group.fork("reviews", timed("reviews", timings, () -> client.reviews(id, demo)));
        return new PageFetch(id, group, reviewsOptional, start, timings, price, stock, reviews);
    }

    private ProductPage fetch(String id, Demo demo, TaskGroup group, boolean reviewsOptional)
            throws InterruptedException {
        PageFetch fetch = fork(id, demo, group, reviewsOptional);
        Throwable failure = null;
        try {
            group.join();
        } catch (TaskGroupException | CancellationException ex) {
            failure = ex;
        }
        return fetch.complete(failure);
    }

    private static <T> Callable<T> timed(String name, Map<String, Long> timings, Callable<T> call) {
        return () -> {
            long start = System.nanoTime();
            try {
                T result = call.call();
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                timings.put(name, ms);
                log.info("{} fetched in {} ms", name, ms);
                return result;
            } catch (RuntimeException ex) {
                log.info(
                        "{} call ended after {} ms: {}",
                        name,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                        ex.toString());
                throw ex;
            }
        };
    }
}
