package io.github.taskgroup.sample.downstream;

import java.math.BigDecimal;

/** What the price service returns. */
public record Price(String product, BigDecimal amount, String currency) {}
