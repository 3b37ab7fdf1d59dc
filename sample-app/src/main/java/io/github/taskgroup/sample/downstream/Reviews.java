package io.github.taskgroup.sample.downstream;

import java.util.List;

/** What the reviews service returns. */
public record Reviews(String product, double rating, List<String> highlights) {}
