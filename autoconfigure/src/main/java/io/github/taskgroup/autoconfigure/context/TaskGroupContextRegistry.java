package io.github.taskgroup.autoconfigure.context;

import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ThreadLocalAccessor;
import java.util.List;
import java.util.Set;

/**
 * Builds the {@link ContextRegistry} of task snapshots. A registry of its own keeps our choices from leaking
 * into other users of the global one. It starts from the accessors of the global registry (those libraries
 * register through {@code ServiceLoader} and those the application registers itself) less the ones this
 * auto-configuration manages, which the customizers add back only when their library is present and their
 * property is on.
 */
final class TaskGroupContextRegistry {

    /** The managed accessors, by class name so that none of their libraries has to be present. */
    private static final Set<String> MANAGED_CLASSES = Set.of(
            "io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor",
            "io.micrometer.context.integration.Slf4jThreadLocalAccessor",
            "org.springframework.web.context.request.RequestAttributesThreadLocalAccessor");

    /** Spring Security registers its accessors through ServiceLoader; they are managed too. */
    private static final String SECURITY_PACKAGE = "org.springframework.security.";

    private TaskGroupContextRegistry() {}

    static ContextRegistry create(List<TaskGroupContextRegistryCustomizer> customizers) {
        ContextRegistry registry = new ContextRegistry();
        for (ThreadLocalAccessor<?> accessor : ContextRegistry.getInstance().getThreadLocalAccessors()) {
            if (!isManaged(accessor)) {
                registry.registerThreadLocalAccessor(accessor);
            }
        }
        customizers.forEach((customizer) -> customizer.customize(registry));
        return registry;
    }

    private static boolean isManaged(ThreadLocalAccessor<?> accessor) {
        String className = accessor.getClass().getName();
        return MANAGED_CLASSES.contains(className) || className.startsWith(SECURITY_PACKAGE);
    }
}
