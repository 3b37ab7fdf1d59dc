package io.github.taskgroup;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Options of a group: timeout, concurrency limit and queue bound, shared limit, policy and executor. Every
 * option may be left unset; an
 * unset option falls back, in order, to the options registered for the group's name with
 * {@link TaskGroupFactory.Builder#group(String, TaskGroupOptions)}, to the factory's
 * {@linkplain TaskGroupFactory.Builder#defaults(TaskGroupOptions) defaults}, and finally to: no timeout,
 * no concurrency limit, {@link TaskGroupPolicy#FAIL_FAST}, the factory's executor.
 *
 * <p>Instances are immutable; invalid values are rejected by the builder, when they are set.
 */
public final class TaskGroupOptions {

    private static final TaskGroupOptions UNSET = new TaskGroupOptions(null, 0, -1, null, null, null);

    private final @Nullable Duration timeout;
    private final int maxConcurrency; // 0: unset
    private final int maxQueued; // -1: unset
    private final @Nullable String limit;
    private final @Nullable CompletionPolicy policy;
    private final @Nullable Executor executor;

    private TaskGroupOptions(
            @Nullable Duration timeout,
            int maxConcurrency,
            int maxQueued,
            @Nullable String limit,
            @Nullable CompletionPolicy policy,
            @Nullable Executor executor) {
        this.timeout = timeout;
        this.maxConcurrency = maxConcurrency;
        this.maxQueued = maxQueued;
        this.limit = limit;
        this.policy = policy;
        this.executor = executor;
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
     * Fills what is unset here from {@code fallback}.
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
                executor != null ? executor : fallback.executor);
    }

    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof TaskGroupOptions that
                && Objects.equals(timeout, that.timeout)
                && maxConcurrency == that.maxConcurrency
                && maxQueued == that.maxQueued
                && Objects.equals(limit, that.limit)
                && Objects.equals(policy, that.policy)
                && Objects.equals(executor, that.executor);
    }

    @Override
    public int hashCode() {
        return Objects.hash(timeout, maxConcurrency, maxQueued, limit, policy, executor);
    }

    @Override
    public String toString() {
        return "TaskGroupOptions[timeout=" + timeout + ", maxConcurrency="
                + (maxConcurrency == 0 ? "unset" : maxConcurrency) + ", maxQueued="
                + (maxQueued < 0 ? "unset" : maxQueued) + ", limit=" + limit + ", policy=" + policy
                + ", executor=" + executor + "]";
    }

    /** Builds {@link TaskGroupOptions}; each setter rejects an invalid value at once. */
    public static final class Builder {

        private @Nullable Duration timeout;
        private int maxConcurrency;
        private int maxQueued = -1;
        private @Nullable String limit;
        private @Nullable CompletionPolicy policy;
        private @Nullable Executor executor;

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

        /** @return the options */
        public TaskGroupOptions build() {
            if (timeout == null
                    && maxConcurrency == 0
                    && maxQueued < 0
                    && limit == null
                    && policy == null
                    && executor == null) {
                return UNSET;
            }
            return new TaskGroupOptions(timeout, maxConcurrency, maxQueued, limit, policy, executor);
        }
    }
}
