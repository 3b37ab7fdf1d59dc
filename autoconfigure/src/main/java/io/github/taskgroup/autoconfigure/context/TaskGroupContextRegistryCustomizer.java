package io.github.taskgroup.autoconfigure.context;

import io.micrometer.context.ContextRegistry;

/**
 * Adds {@code ThreadLocalAccessor}s to the context registry whose snapshot travels into tasks. The
 * auto-configuration contributes one per supported library (MDC, security, request attributes,
 * observation); an application adds its own thread locals the same way.
 */
@FunctionalInterface
public interface TaskGroupContextRegistryCustomizer {

    /** @param registry the registry of the task snapshots */
    void customize(ContextRegistry registry);
}
