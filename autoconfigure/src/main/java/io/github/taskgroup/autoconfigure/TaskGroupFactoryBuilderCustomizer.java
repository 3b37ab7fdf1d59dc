package io.github.taskgroup.autoconfigure;

import io.github.taskgroup.TaskGroupFactory;

/**
 * Customizes the auto-configured {@link TaskGroupFactory} before it is built, after the properties, the
 * listeners and the context propagators were applied. Beans of this type are applied in order.
 */
@FunctionalInterface
public interface TaskGroupFactoryBuilderCustomizer {

    /** @param builder the builder to customize */
    void customize(TaskGroupFactory.Builder builder);
}
