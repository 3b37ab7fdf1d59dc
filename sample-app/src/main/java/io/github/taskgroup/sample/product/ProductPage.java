package io.github.taskgroup.sample.product;

import io.github.taskgroup.sample.downstream.Price;
import io.github.taskgroup.sample.downstream.Reviews;
import io.github.taskgroup.sample.downstream.Stock;
import java.util.List;
import java.util.Map;

/**
 * A product page combined from the three downstream services.
 *
 * @param id the product id
 * @param price its price
 * @param stock its stock
 * @param reviews its reviews; {@code null} on a partial page
 * @param missing the services whose part is missing (only on the lenient endpoint)
 * @param timingsMs how long each downstream call took, in milliseconds
 * @param elapsedMs how long the whole fan-out took: about the slowest call, not the sum
 */
public record ProductPage(
        String id,
        Price price,
        Stock stock,
        Reviews reviews,
        List<String> missing,
        Map<String, Long> timingsMs,
        long elapsedMs) {}
