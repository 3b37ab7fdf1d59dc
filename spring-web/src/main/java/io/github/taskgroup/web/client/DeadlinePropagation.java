package io.github.taskgroup.web.client;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.CurrentTaskGroup;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupTimeoutException;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * The rule by which an outgoing HTTP call carries the remaining time of the calling task group: a header (by
 * default {@value #DEFAULT_HEADER_NAME}) whose value is the time left before the group's
 * {@link TaskGroup#deadline() deadline} (its own or an enclosing group's, the earlier), in milliseconds, rounded
 * down. A call made with no current group, or from a group without a deadline, gets no header. A call whose
 * group has less than one millisecond left is not sent: it fails at once with a
 * {@link TaskGroupTimeoutException}.
 *
 * <p>The group is the calling thread's {@link CurrentTaskGroup#get() current group}. Spring's clients use this
 * class through {@link DeadlinePropagationInterceptor} ({@code RestClient}, {@code RestTemplate}) and
 * {@link DeadlinePropagationFilter} ({@code WebClient}); the JDK {@code HttpClient} through
 * {@link #decorate(HttpRequest.Builder)} or {@link #headerValue()}:
 *
 * <pre>{@code
 * DeadlinePropagation propagation = DeadlinePropagation.builder().build();
 * HttpRequest request = propagation.decorate(HttpRequest.newBuilder(uri)).GET().build();
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class DeadlinePropagation {

    /** The header's default name. */
    public static final String DEFAULT_HEADER_NAME = "X-Request-Timeout-Ms";

    private final String headerName;

    private final Listener listener;

    private final Clock clock;

    private DeadlinePropagation(Builder builder) {
        this.headerName = builder.headerName;
        this.listener = builder.listener;
        this.clock = builder.clock;
    }

    /** @return a builder of the default rule: header {@value #DEFAULT_HEADER_NAME}, no listener, the system clock */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the name of the header */
    public String headerName() {
        return this.headerName;
    }

    /**
     * The remaining time of the calling thread's current group, for a call about to be sent. Tells the listener
     * {@link Outcome#PROPAGATED} or {@link Outcome#EXPIRED}.
     *
     * @param call what is called, for the exception's message (for example {@code GET http://host/path})
     * @return the whole milliseconds left (at least 1); empty when there is no current group or it has no deadline
     * @throws TaskGroupTimeoutException if the group's deadline has passed (less than a millisecond left)
     */
    public OptionalLong remainingMillis(String call) {
        return remainingMillis(CurrentTaskGroup.get().orElse(null), call);
    }

    /**
     * The remaining time of {@code group}, for a call about to be sent. Tells the listener
     * {@link Outcome#PROPAGATED} or {@link Outcome#EXPIRED}.
     *
     * @param group the calling group, {@code null} when there is none
     * @param call what is called, for the exception's message
     * @return the whole milliseconds left (at least 1); empty when {@code group} is null or has no deadline
     * @throws TaskGroupTimeoutException if the group's deadline has passed (less than a millisecond left)
     */
    public OptionalLong remainingMillis(@Nullable TaskGroup group, String call) {
        if (group == null) {
            return OptionalLong.empty();
        }
        Optional<Instant> deadline = group.deadline();
        if (deadline.isEmpty()) {
            return OptionalLong.empty();
        }
        long millis = Duration.between(this.clock.instant(), deadline.get()).toMillis(); // rounded down
        if (millis < 1 || group.cancellationReason().orElse(null) == CancellationReason.TIMEOUT) {
            tell(Outcome.EXPIRED);
            throw new TaskGroupTimeoutException(
                    group.name(),
                    "Task group '" + group.name() + "' reached its deadline (" + deadline.get()
                            + ") before the call to " + call + " was sent; it was not sent",
                    null,
                    List.of(),
                    0);
        }
        tell(Outcome.PROPAGATED);
        return OptionalLong.of(millis);
    }

    private void tell(Outcome outcome) {
        try {
            this.listener.onCall(outcome);
        } catch (RuntimeException ignored) {
            // a failing listener (a broken meter registry) must not fail or stop the call
        }
    }

    /**
     * The header's value for a call from the calling thread's current group, for clients this library does not
     * wire. Tells the listener the outcome.
     *
     * @return the whole milliseconds left, as text; empty when there is no current group or it has no deadline
     * @throws TaskGroupTimeoutException if the group's deadline has passed: do not send the call
     */
    public Optional<String> headerValue() {
        OptionalLong millis = remainingMillis("an HTTP endpoint");
        return millis.isPresent() ? Optional.of(Long.toString(millis.getAsLong())) : Optional.empty();
    }

    /**
     * Sets the header on a JDK {@code HttpRequest} under construction, when the calling thread's current group
     * has a deadline (replacing a value set before: an {@code HttpRequest.Builder} does not show its headers);
     * leaves it as it is otherwise.
     *
     * @param request the request under construction
     * @return {@code request}
     * @throws TaskGroupTimeoutException if the group's deadline has passed: do not send the call
     */
    public HttpRequest.Builder decorate(HttpRequest.Builder request) {
        Objects.requireNonNull(request, "request");
        OptionalLong millis = remainingMillis("an HTTP endpoint");
        if (millis.isPresent()) {
            request.setHeader(this.headerName, Long.toString(millis.getAsLong()));
        }
        return request;
    }

    /**
     * The value to send when the caller already set the header: the smaller of the two. A caller's value that is
     * not a whole number of milliseconds (at least 0) is replaced.
     *
     * @param existing the caller's value, {@code null} when it set none
     * @param remaining the group's remaining milliseconds
     * @return the value to send
     */
    static String merge(@Nullable String existing, long remaining) {
        if (existing != null) {
            try {
                long theirs = Long.parseLong(existing.trim());
                if (theirs >= 0 && theirs < remaining) {
                    return Long.toString(theirs);
                }
            } catch (NumberFormatException ex) {
                // not a number of milliseconds: ours replaces it
            }
        }
        return Long.toString(remaining);
    }

    /**
     * @param name a candidate header name
     * @return whether it is a legal HTTP header name: a non-empty token (RFC 9110, section 5.1)
     */
    public static boolean isHeaderName(@Nullable String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean alphanumeric = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alphanumeric && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /** What happened to a call from a group with a deadline. */
    public enum Outcome {

        /** It was sent with the header. */
        PROPAGATED("propagated"),

        /** It was not sent: the group's deadline had passed. */
        EXPIRED("expired");

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
     * Told of every call from a group with a deadline, on the calling thread; it must be fast. What it throws is
     * ignored: the call goes on (or fails with the timeout) as if it had returned.
     */
    @FunctionalInterface
    public interface Listener {

        /** Tells nothing to anyone. */
        Listener NONE = (outcome) -> {};

        /**
         * @param outcome whether the call is sent with the header, or not sent
         */
        void onCall(Outcome outcome);
    }

    /** Builds a {@link DeadlinePropagation}. */
    public static final class Builder {

        private String headerName = DEFAULT_HEADER_NAME;

        private Listener listener = Listener.NONE;

        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /**
         * @param headerName the header's name, a legal HTTP token
         * @return this builder
         * @throws IllegalArgumentException if it is not a legal header name
         */
        public Builder headerName(String headerName) {
            if (!isHeaderName(headerName)) {
                throw new IllegalArgumentException("Not a legal HTTP header name: '" + headerName + "'");
            }
            this.headerName = headerName;
            return this;
        }

        /**
         * @param listener told of every call from a group with a deadline (a counter of outcomes, for example)
         * @return this builder
         */
        public Builder listener(Listener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * @param clock the clock that the deadlines are compared with (tests)
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** @return the rule */
        public DeadlinePropagation build() {
            return new DeadlinePropagation(this);
        }
    }
}
