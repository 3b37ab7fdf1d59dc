package io.github.taskgroup.sample.downstream;

/** What the stock service returns. */
public record Stock(String product, int available, String warehouse) {}
