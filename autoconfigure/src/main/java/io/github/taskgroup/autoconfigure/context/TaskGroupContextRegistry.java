package io.github.taskgroup.autoconfigure.context;

import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ThreadLocalAccessor;
import io.micrometer.context.integration.Slf4jThreadLocalAccessor;

import org.springframework.util.ClassUtils;
import org.springframework.web.context.request.RequestAttributesThreadLocalAccessor;

/**
 * Builds the {@link ContextRegistry} that task snapshots use. It starts from the global registry (the
 * accessors libraries register through {@code ServiceLoader}, such as Spring Security's and Micrometer's
 * observation accessor, and those the application registers itself), adds the MDC and request-attribute
 * accessors that nobody registers by default, and leaves out what the properties switch off. A registry of
 * its own keeps these choices from leaking into other users of the global one.
 */
final class TaskGroupContextRegistry {

    private static final String OBSERVATION_KEY = "micrometer.observation";

    private static final String SECURITY_PACKAGE = "org.springframework.security.";

    private TaskGroupContextRegistry() {
    }

    static ContextRegistry create(TaskGroupContextProperties properties, ClassLoader classLoader) {
        ContextRegistry registry = new ContextRegistry();
        for (ThreadLocalAccessor<?> accessor : ContextRegistry.getInstance().getThreadLocalAccessors()) {
            if (isEnabled(accessor, properties)) {
                registry.registerThreadLocalAccessor(accessor);
            }
        }
        if (properties.isMdc() && isPresent("org.slf4j.MDC", classLoader)
                && !contains(registry, Slf4jThreadLocalAccessor.KEY)) {
            registry.registerThreadLocalAccessor(new Slf4jThreadLocalAccessor());
        }
        if (properties.isRequestAttributes() && isPresent(
                "org.springframework.web.context.request.RequestAttributesThreadLocalAccessor", classLoader)) {
            RequestAttributes.register(registry);
        }
        return registry;
    }

    private static boolean isEnabled(ThreadLocalAccessor<?> accessor, TaskGroupContextProperties properties) {
        if (OBSERVATION_KEY.equals(accessor.key())) {
            return properties.isObservation();
        }
        if (accessor.getClass().getName().startsWith(SECURITY_PACKAGE)) {
            return properties.isSecurity();
        }
        if (Slf4jThreadLocalAccessor.KEY.equals(accessor.key())) {
            return properties.isMdc();
        }
        return true;
    }

    private static boolean contains(ContextRegistry registry, Object key) {
        return registry.getThreadLocalAccessors().stream().anyMatch((accessor) -> key.equals(accessor.key()));
    }

    private static boolean isPresent(String className, ClassLoader classLoader) {
        return ClassUtils.isPresent(className, classLoader);
    }

    /** Kept apart so that spring-web is only loaded when it is on the class path. */
    private static final class RequestAttributes {

        static void register(ContextRegistry registry) {
            if (!contains(registry, RequestAttributesThreadLocalAccessor.KEY)) {
                registry.registerThreadLocalAccessor(new RequestAttributesThreadLocalAccessor());
            }
        }
    }
}
