package io.github.taskgroup.autoconfigure;

import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupOptions;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ListableBeanFactory;

/**
 * Checks of {@code taskgroup.*} values, in one place for every auto-configuration (internal: not for use outside
 * this library's auto-configuration). Each failure names the property and the fix, through
 * {@link InvalidTaskGroupPropertyException}, so that start-up stops with a clear report rather than with the
 * core's {@link IllegalArgumentException} deep in a bean creation stack.
 */
public final class Validation {

    private Validation() {}

    /**
     * @param property the property's full name
     * @param value its value, {@code null} when unset
     * @return the value
     * @throws InvalidTaskGroupPropertyException if it is set and not positive
     */
    public static @Nullable Duration positive(String property, @Nullable Duration value) {
        if (value != null && (value.isZero() || value.isNegative())) {
            throw new InvalidTaskGroupPropertyException(
                    property,
                    value,
                    "it must be positive",
                    "Set '" + property + "' to a positive duration such as '5s', or remove it to have no timeout.");
        }
        return value;
    }

    /**
     * @param property the property's full name
     * @param value its value
     * @return the value
     * @throws InvalidTaskGroupPropertyException if it is unset or negative
     */
    public static Duration notNegative(String property, @Nullable Duration value) {
        if (value == null || value.isNegative()) {
            throw new InvalidTaskGroupPropertyException(
                    property,
                    value,
                    "it must be zero or positive",
                    "Set '" + property + "' to a duration such as '30s', or to '0s' not to wait.");
        }
        return value;
    }

    /**
     * @param property the property's full name
     * @param value its value, {@code null} when unset
     * @return the value
     * @throws InvalidTaskGroupPropertyException if it is set and below 1
     */
    public static @Nullable Integer maxConcurrency(String property, @Nullable Integer value) {
        if (value != null && value < 1) {
            throw new InvalidTaskGroupPropertyException(
                    property,
                    value,
                    "it must be at least 1",
                    "Set '" + property + "' to 1 or more, or remove it to let any number of tasks run at once.");
        }
        return value;
    }

    /**
     * @param property the property's full name
     * @param value its value, {@code null} when unset
     * @return the value
     * @throws InvalidTaskGroupPropertyException if it is set and negative
     */
    public static @Nullable Integer maxQueued(String property, @Nullable Integer value) {
        if (value != null && value < 0) {
            throw new InvalidTaskGroupPropertyException(
                    property,
                    value,
                    "it must be at least 0",
                    "Set '" + property + "' to 0 (no queue) or more, or remove it for an unbounded queue.");
        }
        return value;
    }

    /**
     * @param property the property's full name
     * @param value the name of a shared limit, {@code null} when unset
     * @param limits the limits configured under {@code taskgroup.limits}
     * @return the value
     * @throws InvalidTaskGroupPropertyException if it names no configured limit
     */
    public static @Nullable String limitName(String property, @Nullable String value, Map<String, ?> limits) {
        if (value != null && !limits.containsKey(value)) {
            throw new InvalidTaskGroupPropertyException(
                    property,
                    value,
                    "no shared limit has that name" + (limits.isEmpty() ? "" : " (known: " + limits.keySet() + ")"),
                    "Define it with 'taskgroup.limits." + value + ".max-concurrency', or fix the name.");
        }
        return value;
    }

    /**
     * @param properties the properties
     * @param builder where each valid limit of {@code taskgroup.limits} is registered
     * @throws InvalidTaskGroupPropertyException if a limit has no max-concurrency, or a bound is out of range
     */
    public static void limits(TaskGroupProperties properties, TaskGroupFactory.Builder builder) {
        for (Map.Entry<String, TaskGroupProperties.Limit> entry :
                properties.getLimits().entrySet()) {
            String prefix = "taskgroup.limits." + entry.getKey() + ".";
            TaskGroupProperties.Limit limit = entry.getValue();
            if (limit.getMaxConcurrency() == null) {
                throw new InvalidTaskGroupPropertyException(
                        prefix + "max-concurrency",
                        null,
                        "a shared limit needs it",
                        "Set '" + prefix + "max-concurrency' to 1 or more, or remove 'taskgroup.limits."
                                + entry.getKey() + "'.");
            }
            Integer maxConcurrency = maxConcurrency(prefix + "max-concurrency", limit.getMaxConcurrency());
            Integer maxQueued = maxQueued(prefix + "max-queued", limit.getMaxQueued());
            builder.limit(
                    entry.getKey(),
                    java.util.Objects.requireNonNull(maxConcurrency),
                    maxQueued != null ? maxQueued : Integer.MAX_VALUE);
        }
    }

    /**
     * @param property the property's full name
     * @param value its value
     * @param minimum the smallest value allowed
     * @return the value
     * @throws InvalidTaskGroupPropertyException if it is below the minimum
     */
    public static int atLeast(String property, int value, int minimum) {
        if (value < minimum) {
            throw new InvalidTaskGroupPropertyException(
                    property,
                    value,
                    "it must be at least " + minimum,
                    "Set '" + property + "' to " + minimum + " or more.");
        }
        return value;
    }

    /**
     * @param property the property's full name
     * @param value its value, {@code null} when unset
     * @param action what to do instead, a full sentence
     * @return the value
     * @throws InvalidTaskGroupPropertyException if it is unset, zero or negative
     */
    public static Duration required(String property, @Nullable Duration value, String action) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new InvalidTaskGroupPropertyException(property, value, "it must be positive", action);
        }
        return value;
    }

    /**
     * @param property the property's full name
     * @param value its value
     * @return the value
     * @throws InvalidTaskGroupPropertyException if it is not a legal HTTP header name (a token, RFC 9110 5.1)
     */
    public static String headerName(String property, @Nullable String value) {
        boolean legal = value != null && !value.isEmpty();
        for (int i = 0; legal && i < value.length(); i++) {
            char c = value.charAt(i);
            legal = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
        }
        if (!legal) {
            throw new InvalidTaskGroupPropertyException(
                    property,
                    value,
                    "it is not a legal HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only, no spaces or colons)",
                    "Set '" + property + "' to a header name such as 'X-Request-Timeout-Ms', or remove it to use that"
                            + " default.");
        }
        return value;
    }

    static Executor executorBean(ListableBeanFactory beanFactory, String property, String name) {
        if (!beanFactory.containsBean(name) || !beanFactory.isTypeMatch(name, Executor.class)) {
            String[] executors = beanFactory.getBeanNamesForType(Executor.class, false, false);
            throw new InvalidTaskGroupPropertyException(
                    property,
                    name,
                    beanFactory.containsBean(name)
                            ? "bean '" + name + "' is not a java.util.concurrent.Executor"
                            : "there is no bean named '" + name + "'",
                    "Set '" + property + "' to the name of an Executor bean (the context has: "
                            + (executors.length == 0 ? "none" : String.join(", ", Arrays.asList(executors)))
                            + "), or define a bean named '" + name + "'.");
        }
        return beanFactory.getBean(name, Executor.class);
    }

    /**
     * @param name a group name, as a key of {@code taskgroup.groups}
     * @param group its options
     * @param beanFactory where executor beans are looked up
     * @return the checked options of the groups with this name
     * @throws InvalidTaskGroupPropertyException if a value is invalid
     */
    public static TaskGroupOptions groupOptions(
            String name, TaskGroupProperties.Group group, ListableBeanFactory beanFactory) {
        return groupOptions(name, group, beanFactory, null); // the limit names were checked where the factory was built
    }

    /**
     * @param name a group name, as a key of {@code taskgroup.groups}
     * @param group its options
     * @param beanFactory where executor beans are looked up
     * @param limits the shared limits of {@code taskgroup.limits}, which its {@code limit} must name
     * @return the checked options of the groups with this name
     * @throws InvalidTaskGroupPropertyException if a value is invalid
     */
    public static TaskGroupOptions groupOptions(
            String name,
            TaskGroupProperties.Group group,
            ListableBeanFactory beanFactory,
            @Nullable Map<String, ?> limits) {
        String prefix = "taskgroup.groups." + name + ".";
        TaskGroupOptions.Builder options = TaskGroupOptions.builder()
                .timeout(Validation.positive(prefix + "timeout", group.getTimeout()))
                .policy(group.getPolicy());
        Integer maxConcurrency = Validation.maxConcurrency(prefix + "max-concurrency", group.getMaxConcurrency());
        if (maxConcurrency != null) {
            options.maxConcurrency(maxConcurrency);
        }
        Integer maxQueued = Validation.maxQueued(prefix + "max-queued", group.getMaxQueued());
        if (maxQueued != null) {
            options.maxQueued(maxQueued);
        }
        options.limit(
                limits != null ? Validation.limitName(prefix + "limit", group.getLimit(), limits) : group.getLimit());
        if (group.getExecutor() != null) {
            options.executor(Validation.executorBean(beanFactory, prefix + "executor", group.getExecutor()));
        }
        return options.build();
    }
}
