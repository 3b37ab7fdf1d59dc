package io.github.taskgroup.sample.downstream;

import java.util.Locale;
import java.util.Optional;

/** The three downstream services of a product page. */
public enum Dependency {
    PRICE,
    STOCK,
    REVIEWS;

    /** @return the lowercase name used in URLs, task names, query parameters and error bodies */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param value a lowercase name, or {@code null}
     * @return the dependency with that name
     * @throws IllegalArgumentException if there is none
     */
    public static Optional<Dependency> parse(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        for (Dependency dependency : values()) {
            if (dependency.value().equalsIgnoreCase(value.trim())) {
                return Optional.of(dependency);
            }
        }
        throw new IllegalArgumentException("Unknown dependency '" + value + "': use price, stock or reviews");
    }
}
