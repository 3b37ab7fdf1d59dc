package io.github.taskgroup.web;

import io.github.taskgroup.TaskGroupOptions;
import io.github.taskgroup.web.client.DeadlinePropagation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The rule by which a request's group adopts the deadline its caller sent: the time left, in whole
 * milliseconds, in the header {@value DeadlinePropagation#DEFAULT_HEADER_NAME} (the name that
 * {@link DeadlinePropagation} sends), and optionally in other headers (Envoy's
 * {@code x-envoy-expected-rq-timeout-ms}, for example).
 *
 * <ul>
 *   <li>The budget starts when the request arrived (when it passed the request-group filter), not when its
 *       group opens. A {@linkplain Builder#margin margin} is taken off it, for the answer's way back.</li>
 *   <li>When the group opens, its deadline is the <b>earlier</b> of its configured timeout (the route's
 *       settings, else the {@linkplain Builder#defaultTimeout default timeout}) and what is left of the
 *       received budget: a caller can shorten a request's time, never lengthen it.</li>
 *   <li>A budget already used up (a received {@code 0}, or less than the margin and the time spent since
 *       arrival) opens the group with its deadline passed, already cancelled with
 *       {@link io.github.taskgroup.CancellationReason#TIMEOUT} when {@link RequestTaskGroup#group()} returns it (a
 *       task forked into it never runs): the handler's {@code join()} throws
 *       {@link io.github.taskgroup.TaskGroupTimeoutException} at once (answered {@code 504}), and calls made
 *       from it are not sent.</li>
 *   <li>A value that is not a whole, non-negative number of milliseconds is ignored, logged at DEBUG and
 *       told to the listener ({@link Outcome#IGNORED_MALFORMED}); it never fails the request. With several
 *       headers, the smallest valid value counts.</li>
 * </ul>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class IncomingDeadline {

    private static final Log logger = LogFactory.getLog(IncomingDeadline.class);

    /** The default margin: taken off every received budget, for the answer's way back. */
    public static final Duration DEFAULT_MARGIN = Duration.ofMillis(5);

    /**
     * The key of the high-cardinality key value added to the request's observation ({@code http.server.requests}
     * span) when a valid deadline was received: the received milliseconds. It is also an
     * {@linkplain io.github.taskgroup.TaskGroup#attributes() attribute} of the request's group (see
     * {@link Received#applyTo}), and so a key value of the group's own observation.
     */
    public static final String RECEIVED_KEY = "taskgroup.received-timeout-ms";

    /**
     * The attribute of a request group that received a valid deadline that says what became of it: the
     * {@link Outcome#value()} {@code adopted}, {@code expired} or {@code ignored-later}.
     */
    public static final String RECEIVED_OUTCOME_KEY = "taskgroup.received-timeout-outcome";

    /** Longest accepted value, in digits: beyond it a number of milliseconds would overflow nanoseconds. */
    private static final int MAX_DIGITS = 12;

    private final List<String> headerNames;

    private final long marginNanos;

    private final @Nullable Duration defaultTimeout;

    private final Listener listener;

    private IncomingDeadline(Builder builder) {
        this.headerNames = List.copyOf(builder.headerNames);
        this.marginNanos = builder.margin.toNanos();
        this.defaultTimeout = builder.defaultTimeout;
        this.listener = builder.listener;
    }

    /**
     * @return a builder of the default rule: header {@value DeadlinePropagation#DEFAULT_HEADER_NAME} only, margin
     *     {@link #DEFAULT_MARGIN}, no default timeout, no listener
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the names of the headers read, the first one first */
    public List<String> headerNames() {
        return this.headerNames;
    }

    /** @return the margin taken off every received budget */
    public Duration margin() {
        return Duration.ofNanos(this.marginNanos);
    }

    /**
     * Reads the received deadline of a request. A malformed value is told to the listener (and logged at
     * DEBUG) now; a valid one when the group opens ({@link Received#applyTo}).
     *
     * @param headers the request's header values by name (the first value of each), {@code null} when absent
     * @param arrivedNanos when the request arrived, on the {@link System#nanoTime()} scale
     * @return the smallest valid value of the headers, or empty when none carries one
     */
    public Optional<Received> read(Function<String, @Nullable String> headers, long arrivedNanos) {
        Received smallest = null;
        for (String name : this.headerNames) {
            String value = headers.apply(name);
            if (value == null) {
                continue;
            }
            long millis = parse(value);
            if (millis < 0) {
                if (logger.isDebugEnabled()) {
                    logger.debug("Ignored header " + name + ": '" + abbreviate(value)
                            + "' is not a whole, non-negative number of milliseconds");
                }
                tell(Outcome.IGNORED_MALFORMED);
                continue;
            }
            if (smallest == null || millis < smallest.millis()) {
                smallest = new Received(name, millis, arrivedNanos, this);
            }
        }
        return Optional.ofNullable(smallest);
    }

    /** @return the value in milliseconds, or -1 if it is not a whole, non-negative number that fits */
    static long parse(String value) {
        String trimmed = value.trim();
        if (trimmed.isEmpty() || trimmed.length() > MAX_DIGITS) {
            return -1;
        }
        long millis = 0;
        for (int i = 0; i < trimmed.length(); i++) {
            char c = trimmed.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            millis = millis * 10 + (c - '0');
        }
        return millis;
    }

    private static String abbreviate(String value) {
        return (value.length() > 40) ? value.substring(0, 40) + "..." : value;
    }

    void tell(Outcome outcome) {
        try {
            this.listener.onReceived(outcome);
        } catch (RuntimeException ex) {
            // a failing listener (a broken meter registry) must not fail the request
        }
    }

    /**
     * A deadline received with a request.
     *
     * @param headerName the header it came in
     * @param millis the budget the caller sent, in milliseconds (at least 0)
     * @param arrivedNanos when the request arrived, on the {@link System#nanoTime()} scale
     * @param rule the rule that read it
     */
    public record Received(String headerName, long millis, long arrivedNanos, IncomingDeadline rule) {

        public Received {
            Objects.requireNonNull(headerName, "headerName");
            Objects.requireNonNull(rule, "rule");
            if (millis < 0) {
                throw new IllegalArgumentException("millis must not be negative, but was " + millis);
            }
        }

        /**
         * The options to open the request's group with: {@code options} with the received budget (less the
         * margin and the time since arrival) as timeout when it ends earlier than the configured one, and, in
         * every case, the attributes {@value IncomingDeadline#RECEIVED_KEY} (the received milliseconds) and
         * {@value IncomingDeadline#RECEIVED_OUTCOME_KEY} (the outcome), which the group's snapshot, the
         * {@code taskgroups} endpoint and the group's observation show. Tells the listener
         * {@link Outcome#ADOPTED}, {@link Outcome#EXPIRED} or {@link Outcome#IGNORED_LATER}.
         *
         * @param options the group's configured options
         * @param nowNanos now, on the {@link System#nanoTime()} scale
         * @return the options to open the group with
         */
        public TaskGroupOptions applyTo(TaskGroupOptions options, long nowNanos) {
            long leftNanos = leftNanos(nowNanos);
            Duration configured = options.timeout().orElse(this.rule.defaultTimeout);
            if (configured != null && configured.toNanos() <= leftNanos) {
                this.rule.tell(Outcome.IGNORED_LATER);
                return describe(TaskGroupOptions.builder(), Outcome.IGNORED_LATER)
                        .orElse(options);
            }
            Outcome outcome = (leftNanos > 0) ? Outcome.ADOPTED : Outcome.EXPIRED;
            this.rule.tell(outcome);
            // A passed budget still needs a positive timeout: one nanosecond, already over when the group opens.
            Duration timeout = Duration.ofNanos(Math.max(1L, leftNanos));
            return describe(TaskGroupOptions.builder().timeout(timeout), outcome)
                    .orElse(options);
        }

        /** The received value's attributes win over attributes of the same keys in the configured options. */
        private TaskGroupOptions describe(TaskGroupOptions.Builder builder, Outcome outcome) {
            return builder.attribute(RECEIVED_KEY, Long.toString(this.millis))
                    .attribute(RECEIVED_OUTCOME_KEY, outcome.value())
                    .build();
        }

        private long leftNanos(long nowNanos) {
            return this.arrivedNanos + Math.multiplyExact(this.millis, 1_000_000L) - this.rule.marginNanos - nowNanos;
        }
    }

    /** What became of a received deadline; {@link #value()} is the meter tag. */
    public enum Outcome {

        /** It was earlier than the configured timeout: it is the group's deadline. */
        ADOPTED("adopted"),

        /** It had already passed (less than the margin was left): the group opened with its deadline passed. */
        EXPIRED("expired"),

        /** The configured timeout ends first: it stays the group's deadline. */
        IGNORED_LATER("ignored-later"),

        /** The value was not a whole, non-negative number of milliseconds: ignored. */
        IGNORED_MALFORMED("ignored-malformed");

        private final String value;

        Outcome(String value) {
            this.value = value;
        }

        /** @return the lowercase name, for a meter tag */
        public String value() {
            return this.value;
        }
    }

    /**
     * Told of every received value, on a request thread; it must be fast. What it throws is ignored.
     */
    @FunctionalInterface
    public interface Listener {

        /** Tells nothing to anyone. */
        Listener NONE = (outcome) -> {};

        /** @param outcome what became of the value */
        void onReceived(Outcome outcome);
    }

    /** Builds an {@link IncomingDeadline}. */
    public static final class Builder {

        private final Set<String> headerNames = new LinkedHashSet<>(List.of(DeadlinePropagation.DEFAULT_HEADER_NAME));

        private Duration margin = DEFAULT_MARGIN;

        private @Nullable Duration defaultTimeout;

        private Listener listener = Listener.NONE;

        private Builder() {}

        /**
         * @param headerName the main header's name (the one {@link DeadlinePropagation} sends), replacing
         *     {@value DeadlinePropagation#DEFAULT_HEADER_NAME}
         * @return this builder
         * @throws IllegalArgumentException if it is not a legal HTTP header name
         */
        public Builder headerName(String headerName) {
            check(headerName);
            List<String> extra = new ArrayList<>(this.headerNames);
            extra.remove(0);
            this.headerNames.clear();
            this.headerNames.add(headerName);
            extra.forEach(this::addCaseInsensitive);
            return this;
        }

        /**
         * @param extraHeaderNames more headers that carry a budget in milliseconds (for example
         *     {@code x-envoy-expected-rq-timeout-ms}); the smallest valid value wins
         * @return this builder
         * @throws IllegalArgumentException if one is not a legal HTTP header name
         */
        public Builder extraHeaderNames(List<String> extraHeaderNames) {
            Objects.requireNonNull(extraHeaderNames, "extraHeaderNames");
            extraHeaderNames.forEach(Builder::check);
            String main = this.headerNames.iterator().next();
            this.headerNames.clear();
            this.headerNames.add(main);
            extraHeaderNames.forEach(this::addCaseInsensitive);
            return this;
        }

        private void addCaseInsensitive(String name) {
            for (String known : this.headerNames) {
                if (known.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                    return;
                }
            }
            this.headerNames.add(name);
        }

        private static void check(@Nullable String name) {
            if (!DeadlinePropagation.isHeaderName(name)) {
                throw new IllegalArgumentException("Not a legal HTTP header name: '" + name + "'");
            }
        }

        /**
         * @param margin taken off every received budget, for the answer's way back; zero or more
         * @return this builder
         * @throws IllegalArgumentException if it is negative
         */
        public Builder margin(Duration margin) {
            Objects.requireNonNull(margin, "margin");
            if (margin.isNegative()) {
                throw new IllegalArgumentException("margin must not be negative, but was " + margin);
            }
            this.margin = margin;
            return this;
        }

        /**
         * @param defaultTimeout the timeout of a request group whose settings set none (the factory's default
         *     timeout), compared with the received budget; {@code null}: none
         * @return this builder
         * @throws IllegalArgumentException if it is zero or negative
         */
        public Builder defaultTimeout(@Nullable Duration defaultTimeout) {
            if (defaultTimeout != null && (defaultTimeout.isZero() || defaultTimeout.isNegative())) {
                throw new IllegalArgumentException("defaultTimeout must be positive, but was " + defaultTimeout);
            }
            this.defaultTimeout = defaultTimeout;
            return this;
        }

        /**
         * @param listener told what became of every received value (a counter of outcomes, for example)
         * @return this builder
         */
        public Builder listener(Listener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** @return the rule */
        public IncomingDeadline build() {
            return new IncomingDeadline(this);
        }
    }
}
