package io.github.taskgroup;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Options of a group: timeout, concurrency limit and queue bound, shared limit, policy, executor, and
 * {@linkplain #attributes() attributes} that describe it. Every option may be left unset; an
 * unset option falls back, in order, to the options registered for the group's name with
 * {@link TaskGroupFactory.Builder#group(String, TaskGroupOptions)}, to the factory's
 * {@linkplain TaskGroupFactory.Builder#defaults(TaskGroupOptions) defaults}, and finally to: no timeout,
 * no concurrency limit, {@link TaskGroupPolicy#FAIL_FAST}, the factory's executor.
 *
 * <p>Instances are immutable; invalid values are rejected by the builder, when they are set.
 */
public final class TaskGroupOptions {

    private static final TaskGroupOptions UNSET = new TaskGroupOptions(null, 0, -1, null, null, null, Map.of());

    private final @Nullable Duration timeout;
    private final int maxConcurrency; // 0: unset
    private final int maxQueued; // -1: unset
    private final @Nullable String limit;
    private final @Nullable CompletionPolicy policy;
    private final @Nullable Executor executor;
    // Unmodifiable, in the order the keys were first set; the shared Map.of() when there is none, so that a
    // group without attributes allocates nothing for them.
    private final Map<String, String> attributes;

    private TaskGroupOptions(
            @Nullable Duration timeout,
            int maxConcurrency,
            int maxQueued,
            @Nullable String limit,
            @Nullable CompletionPolicy policy,
            @Nullable Executor executor,
            Map<String, String> attributes) {
        this.timeout = timeout;
        this.maxConcurrency = maxConcurrency;
        this.maxQueued = maxQueued;
        this.limit = limit;
        this.policy = policy;
        this.executor = executor;
        this.attributes = attributes;
    }

    /** @return options with nothing set: everything falls back */
    public static TaskGroupOptions defaults() {
        return UNSET;
    }

    /** @return a builder with nothing set */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding these options */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.timeout = timeout;
        builder.maxConcurrency = maxConcurrency;
        builder.maxQueued = maxQueued;
        builder.limit = limit;
        builder.policy = policy;
        builder.executor = executor;
        if (!attributes.isEmpty()) {
            builder.attributes = new LinkedHashMap<>(attributes);
        }
        return builder;
    }

    /** @return how long the group may stay open before it is cancelled with {@link CancellationReason#TIMEOUT} */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /** @return how many tasks of the group may run at once */
    public OptionalInt maxConcurrency() {
        return maxConcurrency == 0 ? OptionalInt.empty() : OptionalInt.of(maxConcurrency);
    }

    /**
     * @return how many tasks may wait for one of the group's {@linkplain #maxConcurrency() concurrency permits}
     *         before further forks are refused ({@link TaskRejectedException}); empty: unbounded. It has no
     *         effect on a group without {@code maxConcurrency}, whose tasks never wait for a group permit.
     */
    public OptionalInt maxQueued() {
        return maxQueued < 0 ? OptionalInt.empty() : OptionalInt.of(maxQueued);
    }

    /**
     * @return the name of the shared limit (see {@link TaskGroupFactory.Builder#limit(String, int, int)}) every
     *         task of the group passes; empty: none
     */
    public Optional<String> limit() {
        return Optional.ofNullable(limit);
    }

    /** @return the completion policy */
    public Optional<CompletionPolicy> policy() {
        return Optional.ofNullable(policy);
    }

    /** @return the executor that runs the group's tasks */
    public Optional<Executor> executor() {
        return Optional.ofNullable(executor);
    }

    /**
     * Attributes describe a group to the people and tools that look at it: they change nothing in how it runs.
     * A group's attributes are shown in its {@linkplain TaskGroupSnapshot#attributes() snapshot} (and so in
     * {@link TaskGroupFactory#liveGroups()}, the dump, the JMX MBean and the {@code taskgroups} Actuator
     * endpoint), are readable from {@link TaskGroup#attributes()} (by listeners: the Micrometer observation of
     * a group carries each one as a high-cardinality key value, on its span), and are not inherited by nested
     * groups. The request group of a request that received a deadline, for example, has
     * {@code taskgroup.received-timeout-ms} and {@code taskgroup.received-timeout-outcome}.
     *
     * @return the attributes, unmodifiable, in the order their keys were first set; empty when none is set
     */
    public Map<String, String> attributes() {
        return attributes;
    }

    /**
     * Fills what is unset here from {@code fallback}. Attributes are merged: those of {@code fallback} are
     * added to these, and this one's value wins for a key both set.
     *
     * @param fallback the options to take unset values from
     * @return the combined options; this one wins where both are set
     */
    public TaskGroupOptions orElse(TaskGroupOptions fallback) {
        Objects.requireNonNull(fallback, "fallback");
        if (this == UNSET) {
            return fallback;
        }
        return new TaskGroupOptions(
                timeout != null ? timeout : fallback.timeout,
                maxConcurrency != 0 ? maxConcurrency : fallback.maxConcurrency,
                maxQueued >= 0 ? maxQueued : fallback.maxQueued,
                limit != null ? limit : fallback.limit,
                policy != null ? policy : fallback.policy,
                executor != null ? executor : fallback.executor,
                merge(attributes, fallback.attributes));
    }

    /** No allocation unless both have attributes. */
    private static Map<String, String> merge(Map<String, String> own, Map<String, String> fallback) {
        if (fallback.isEmpty()) {
            return own;
        }
        if (own.isEmpty()) {
            return fallback;
        }
        Map<String, String> merged = new LinkedHashMap<>(own);
        fallback.forEach(merged::putIfAbsent);
        return Collections.unmodifiableMap(merged);
    }

    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof TaskGroupOptions that
                && Objects.equals(timeout, that.timeout)
                && maxConcurrency == that.maxConcurrency
                && maxQueued == that.maxQueued
                && Objects.equals(limit, that.limit)
                && Objects.equals(policy, that.policy)
                && Objects.equals(executor, that.executor)
                && attributes.equals(that.attributes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(timeout, maxConcurrency, maxQueued, limit, policy, executor, attributes);
    }

    @Override
    public String toString() {
        return "TaskGroupOptions[timeout=" + timeout + ", maxConcurrency="
                + (maxConcurrency == 0 ? "unset" : maxConcurrency) + ", maxQueued="
                + (maxQueued < 0 ? "unset" : maxQueued) + ", limit=" + limit + ", policy=" + policy
                + ", executor=" + executor + (attributes.isEmpty() ? "" : ", attributes=" + attributes) + "]";
    }

    /** Builds {@link TaskGroupOptions}; each setter rejects an invalid value at once. */
    public static final class Builder {

        private @Nullable Duration timeout;
        private int maxConcurrency;
        private int maxQueued = -1;
        private @Nullable String limit;
        private @Nullable CompletionPolicy policy;
        private @Nullable Executor executor;
        private @Nullable Map<String, String> attributes; // made by the first attribute(...)

        private Builder() {}

        /**
         * @param timeout how long the group may stay open; {@code null} unsets it
         * @return this builder
         * @throws IllegalArgumentException if the timeout is zero or negative
         */
        public Builder timeout(@Nullable Duration timeout) {
            if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
                throw new IllegalArgumentException("timeout must be positive, but was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * @param maxConcurrency how many tasks may run at once
         * @return this builder
         * @throws IllegalArgumentException if it is less than 1
         */
        public Builder maxConcurrency(int maxConcurrency) {
            if (maxConcurrency < 1) {
                throw new IllegalArgumentException("maxConcurrency must be at least 1, but was " + maxConcurrency);
            }
            this.maxConcurrency = maxConcurrency;
            return this;
        }

        /**
         * Bounds the group's queue: the tasks forked while its {@link #maxConcurrency(int) maxConcurrency}
         * permits are all taken wait in it, and a fork that finds it full is refused at once ({@code fork}
         * throws {@link TaskRejectedException} with reason {@code queue-full}, {@code tryFork} returns empty).
         * Without {@code maxConcurrency} the group has no queue, and this has no effect.
         *
         * @param maxQueued how many tasks may wait; 0: none (a fork either runs at once or is refused)
         * @return this builder
         * @throws IllegalArgumentException if it is negative
         */
        public Builder maxQueued(int maxQueued) {
            if (maxQueued < 0) {
                throw new IllegalArgumentException("maxQueued must be at least 0, but was " + maxQueued);
            }
            this.maxQueued = maxQueued;
            return this;
        }

        /**
         * Makes every task of the group pass the shared limit of that name, registered on the factory with
         * {@link TaskGroupFactory.Builder#limit(String, int, int)}: a bulkhead shared by all the groups that use
         * it. To limit only some calls of a group, fork them into a nested group that uses the limit.
         *
         * @param limit the limit's name; {@code null} unsets it. A name the factory does not know fails
         *        {@link TaskGroupFactory#open(String, TaskGroupOptions) open} with an
         *        {@link IllegalArgumentException}.
         * @return this builder
         * @throws IllegalArgumentException if it is blank
         */
        public Builder limit(@Nullable String limit) {
            if (limit != null && limit.isBlank()) {
                throw new IllegalArgumentException("limit must not be blank");
            }
            this.limit = limit;
            return this;
        }

        /**
         * @param policy the completion policy: a {@link TaskGroupPolicy} constant, one of the policies of
         *        {@link CompletionPolicy} ({@link CompletionPolicy#quorum quorum}, ...) or the application's
         *        own; {@code null} unsets it
         * @return this builder
         */
        public Builder policy(@Nullable CompletionPolicy policy) {
            this.policy = policy;
            return this;
        }

        /**
         * @param executor the executor for the group's tasks; {@code null} unsets it
         * @return this builder
         */
        public Builder executor(@Nullable Executor executor) {
            this.executor = executor;
            return this;
        }

        /**
         * Sets an attribute of the group: a description for snapshots, dumps, the endpoint and spans, with no
         * effect on how the group runs (see {@link TaskGroupOptions#attributes()}). Setting a key again replaces
         * its value and keeps its place.
         *
         * @param key the attribute's name, for example {@code taskgroup.received-timeout-ms}
         * @param value its value
         * @return this builder
         * @throws NullPointerException if {@code key} or {@code value} is null
         * @throws IllegalArgumentException if {@code key} is blank
         */
        public Builder attribute(String key, String value) {
            if (key == null) {
                throw new NullPointerException("attribute key must not be null");
            }
            if (key.isBlank()) {
                throw new IllegalArgumentException("attribute key must not be blank, but was '" + key + "'");
            }
            if (value == null) {
                throw new NullPointerException("value of attribute '" + key + "' must not be null");
            }
            if (attributes == null) {
                attributes = new LinkedHashMap<>(4);
            }
            attributes.put(key, value);
            return this;
        }

        /**
         * Removes an attribute set before (on this builder, or on the options it was made from).
         *
         * @param key the attribute's name
         * @return this builder
         * @throws NullPointerException if {@code key} is null
         */
        public Builder removeAttribute(String key) {
            if (key == null) {
                throw new NullPointerException("attribute key must not be null");
            }
            if (attributes != null) {
                attributes.remove(key);
            }
            return this;
        }

        /** @return the options */
        public TaskGroupOptions build() {
            if (timeout == null
                    && maxConcurrency == 0
                    && maxQueued < 0
                    && limit == null
                    && policy == null
                    && executor == null
                    && (attributes == null || attributes.isEmpty())) {
                return UNSET;
            }
            return new TaskGroupOptions(
                    timeout,
                    maxConcurrency,
                    maxQueued,
                    limit,
                    policy,
                    executor,
                    attributes == null || attributes.isEmpty()
                            ? Map.of()
                            : Collections.unmodifiableMap(new LinkedHashMap<>(attributes)));
        }
    }
}
