package io.github.taskgroup.web;

import io.github.taskgroup.TaskGroupOptions;
import io.github.taskgroup.TaskGroupPolicy;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.format.datetime.standard.DurationFormatterUtils;
import org.springframework.util.ClassUtils;
import org.springframework.web.method.HandlerMethod;

/**
 * Works out what a request-scoped group is opened with: the options configured by the group's name (with
 * Spring Boot, {@code taskgroup.groups.<name>.*}), which win attribute by attribute over the handler's
 * {@link RequestTaskGroupOptions} (on the method, else on its class).
 *
 * <p>Declared as a bean (the starter does), it checks the annotations of every handler method of the
 * application's {@code RequestMappingHandlerMapping}s, Spring MVC's and WebFlux's, once all singletons exist:
 * an invalid value fails start-up with an {@link InvalidRequestTaskGroupOptionsException} that names the
 * handler method, before the web server starts. It also resolves {@code ${...}} placeholders and looks up
 * executor beans. A handler that was not there at start-up (registered later) is checked on its first
 * request. Results are cached per handler method.
 */
public class RequestTaskGroupSettingsResolver implements BeanFactoryAware, SmartInitializingSingleton {

    private static final boolean MVC_PRESENT = ClassUtils.isPresent(
            "org.springframework.web.servlet.handler.AbstractHandlerMethodMapping",
            RequestTaskGroupSettingsResolver.class.getClassLoader());

    private static final boolean WEBFLUX_PRESENT = ClassUtils.isPresent(
            "org.springframework.web.reactive.result.method.AbstractHandlerMethodMapping",
            RequestTaskGroupSettingsResolver.class.getClassLoader());

    private final Function<String, RequestTaskGroupSettings> overrides;

    private final Map<Key, RequestTaskGroupSettings> annotated = new ConcurrentHashMap<>();

    private @Nullable BeanFactory beanFactory;

    /** Only the annotations: no options configured by name win over them. */
    public RequestTaskGroupSettingsResolver() {
        this((name) -> RequestTaskGroupSettings.NONE);
    }

    /**
     * @param overrides the settings configured for a group name, which win over the annotation attribute by
     *        attribute ({@link RequestTaskGroupSettings#NONE} for none)
     */
    public RequestTaskGroupSettingsResolver(Function<String, RequestTaskGroupSettings> overrides) {
        this.overrides = Objects.requireNonNull(overrides, "overrides");
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
        this.beanFactory = beanFactory;
    }

    /**
     * @param handler the request's handler ({@code HandlerMapping.BEST_MATCHING_HANDLER_ATTRIBUTE}), if known
     * @param groupName the request group's name
     * @return the settings to open the group with
     * @throws InvalidRequestTaskGroupOptionsException if the handler's annotation has an invalid value
     */
    public RequestTaskGroupSettings resolve(@Nullable Object handler, String groupName) {
        RequestTaskGroupSettings fromCode =
                (handler instanceof HandlerMethod method) ? annotated(method) : RequestTaskGroupSettings.NONE;
        return this.overrides.apply(groupName).orElse(fromCode);
    }

    /**
     * @param handler a handler method
     * @return the settings of its {@link RequestTaskGroupOptions} (on the method, else on its class), or
     *         {@link RequestTaskGroupSettings#NONE}
     * @throws InvalidRequestTaskGroupOptionsException if the annotation has an invalid value
     */
    public RequestTaskGroupSettings annotated(HandlerMethod handler) {
        Key key = new Key(handler.getBeanType(), handler.getMethod());
        RequestTaskGroupSettings settings = this.annotated.get(key);
        if (settings == null) {
            settings = read(handler);
            this.annotated.putIfAbsent(key, settings);
        }
        return settings;
    }

    /**
     * Checks the annotations of handler methods.
     *
     * @param handlers the handler methods
     * @return how many carry {@link RequestTaskGroupOptions} (on the method or its class)
     * @throws InvalidRequestTaskGroupOptionsException at the first invalid value
     */
    public int validate(Collection<HandlerMethod> handlers) {
        int count = 0;
        for (HandlerMethod handler : handlers) {
            if (annotated(handler) != RequestTaskGroupSettings.NONE) {
                count++;
            }
        }
        return count;
    }

    /** Checks every handler method of the application's request mappings, Spring MVC's and WebFlux's. */
    @Override
    public void afterSingletonsInstantiated() {
        if (!(this.beanFactory instanceof ListableBeanFactory beans)) {
            return;
        }
        List<HandlerMethod> handlers = new ArrayList<>();
        if (MVC_PRESENT) {
            Mvc.collect(beans, handlers);
        }
        if (WEBFLUX_PRESENT) {
            WebFlux.collect(beans, handlers);
        }
        validate(handlers);
    }

    private RequestTaskGroupSettings read(HandlerMethod handler) {
        RequestTaskGroupOptions options = handler.getMethodAnnotation(RequestTaskGroupOptions.class);
        if (options == null) {
            options = AnnotatedElementUtils.findMergedAnnotation(handler.getBeanType(), RequestTaskGroupOptions.class);
        }
        if (options == null) {
            return RequestTaskGroupSettings.NONE;
        }
        String where = handler.toString();
        TaskGroupOptions.Builder builder = TaskGroupOptions.builder()
                .timeout(timeout(where, options.timeout()))
                .policy(policy(where, options.policy()));
        if (options.maxConcurrency() != RequestTaskGroupOptions.UNSET) {
            if (options.maxConcurrency() < 1) {
                throw new InvalidRequestTaskGroupOptionsException(
                        where, "maxConcurrency", options.maxConcurrency(), "it must be at least 1", null);
            }
            builder.maxConcurrency(options.maxConcurrency());
        }
        builder.executor(executor(where, options.executor()));
        return new RequestTaskGroupSettings(builder.build(), options.cancelOnDisconnect() ? null : Boolean.FALSE);
    }

    private @Nullable String resolvePlaceholders(String where, String attribute, String value) {
        String resolved = value;
        if (value.contains("${") && this.beanFactory instanceof ConfigurableBeanFactory configurable) {
            try {
                resolved = configurable.resolveEmbeddedValue(value);
            } catch (IllegalArgumentException ex) {
                throw new InvalidRequestTaskGroupOptionsException(
                        where, attribute, value, "a placeholder cannot be resolved: " + ex.getMessage(), ex);
            }
        }
        return (resolved == null || resolved.isBlank()) ? null : resolved.trim();
    }

    private @Nullable Duration timeout(String where, String value) {
        String resolved = resolvePlaceholders(where, "timeout", value);
        if (resolved == null) {
            return null;
        }
        Duration timeout;
        try {
            timeout = DurationFormatterUtils.detectAndParse(resolved);
        } catch (RuntimeException ex) {
            throw new InvalidRequestTaskGroupOptionsException(
                    where, "timeout", resolved, "it is not a duration such as '2s', '500ms' or 'PT2S'", ex);
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new InvalidRequestTaskGroupOptionsException(where, "timeout", resolved, "it must be positive", null);
        }
        return timeout;
    }

    private @Nullable TaskGroupPolicy policy(String where, String value) {
        String resolved = resolvePlaceholders(where, "policy", value);
        if (resolved == null) {
            return null;
        }
        String constant = resolved.replace('-', '_').toUpperCase(Locale.ROOT);
        for (TaskGroupPolicy policy : TaskGroupPolicy.values()) {
            if (policy.name().equals(constant)) {
                return policy;
            }
        }
        throw new InvalidRequestTaskGroupOptionsException(
                where,
                "policy",
                resolved,
                "it is not a policy; use one of "
                        + Arrays.stream(TaskGroupPolicy.values())
                                .map((policy) ->
                                        policy.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                                .collect(Collectors.joining(", ")),
                null);
    }

    private @Nullable Executor executor(String where, String value) {
        String name = resolvePlaceholders(where, "executor", value);
        if (name == null) {
            return null;
        }
        BeanFactory beans = this.beanFactory;
        if (beans == null) {
            throw new InvalidRequestTaskGroupOptionsException(
                    where,
                    "executor",
                    name,
                    "executor beans can be looked up only when RequestTaskGroupSettingsResolver is a bean",
                    null);
        }
        if (!beans.containsBean(name) || !beans.isTypeMatch(name, Executor.class)) {
            String known = (beans instanceof ListableBeanFactory listable)
                    ? String.join(", ", listable.getBeanNamesForType(Executor.class, false, false))
                    : "";
            throw new InvalidRequestTaskGroupOptionsException(
                    where,
                    "executor",
                    name,
                    (beans.containsBean(name)
                                    ? "bean '" + name + "' is not a java.util.concurrent.Executor"
                                    : "there is no bean named '" + name + "'")
                            + " (Executor beans: " + (known.isEmpty() ? "none" : known) + ")",
                    null);
        }
        return beans.getBean(name, Executor.class);
    }

    private record Key(Class<?> beanType, Method method) {}

    /** Spring MVC's mappings, in a class of their own: loaded only when Spring MVC is present. */
    private static final class Mvc {

        @SuppressWarnings("rawtypes")
        static void collect(ListableBeanFactory beans, List<HandlerMethod> into) {
            for (org.springframework.web.servlet.handler.AbstractHandlerMethodMapping mapping : beans.getBeansOfType(
                            org.springframework.web.servlet.handler.AbstractHandlerMethodMapping.class, false, false)
                    .values()) {
                @SuppressWarnings("unchecked")
                Map<?, HandlerMethod> methods = mapping.getHandlerMethods();
                into.addAll(methods.values());
            }
        }
    }

    /** WebFlux's mappings, in a class of their own: loaded only when WebFlux is present. */
    private static final class WebFlux {

        @SuppressWarnings("rawtypes")
        static void collect(ListableBeanFactory beans, List<HandlerMethod> into) {
            for (org.springframework.web.reactive.result.method.AbstractHandlerMethodMapping mapping :
                    beans.getBeansOfType(
                                    org.springframework.web.reactive.result.method.AbstractHandlerMethodMapping.class,
                                    false,
                                    false)
                            .values()) {
                @SuppressWarnings("unchecked")
                Map<?, HandlerMethod> methods = mapping.getHandlerMethods();
                into.addAll(methods.values());
            }
        }
    }
}
