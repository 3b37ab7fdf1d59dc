package io.github.taskgroup.autoconfigure.web;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of request-scoped task groups: a handler's {@code TaskGroup} parameter (or
 * {@link io.github.taskgroup.web.RequestTaskGroups#current()}) is a group that lives as long as the HTTP request and is cancelled when
 * the request is aborted.
 */
@ConfigurationProperties("taskgroup.web")
public class TaskGroupWebProperties {

    /** Whether handlers get request-scoped task groups that are cancelled when the request aborts. */
    private boolean enabled = true;

    /**
     * Name of every request-scoped group (for metrics, logs and named options). Unset: the request method and
     * the handler's route, for example 'GET /orders/{id}'.
     */
    private @Nullable String groupName;

    /** 'Retry-After' header of the 503 that a request gets when shutdown cancels its group. Whole seconds. */
    private Duration retryAfter = Duration.ofSeconds(5);

    private final Detection detection = new Detection();

    public Duration getRetryAfter() {
        return this.retryAfter;
    }

    public void setRetryAfter(Duration retryAfter) {
        this.retryAfter = retryAfter;
    }

    public boolean isEnabled() {
        return this.enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public @Nullable String getGroupName() {
        return this.groupName;
    }

    public void setGroupName(@Nullable String groupName) {
        this.groupName = groupName;
    }

    public Detection getDetection() {
        return this.detection;
    }

    /** How a servlet container's client disconnects are detected (WebFlux needs no detection). */
    public static class Detection {

        /** How disconnects are detected: 'auto', 'tomcat', 'proc' or 'none'. */
        private Strategy strategy = Strategy.AUTO;

        /**
         * Tick of the disconnect watch: a request's connection is watched from the first tick at which its
         * group has been open for an eighth of an interval (shorter requests cost nothing), and connections
         * that cannot be waited on (data pending on them, or no known channel) are checked once per tick.
         */
        private Duration interval = Duration.ofMillis(50);

        public Strategy getStrategy() {
            return this.strategy;
        }

        public void setStrategy(Strategy strategy) {
            this.strategy = strategy;
        }

        public Duration getInterval() {
            return this.interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }
    }

    /** How a servlet container's client disconnects are detected. */
    public enum Strategy {

        /** Tomcat's native check where it applies, otherwise /proc/net/tcp on Linux, otherwise none. */
        AUTO,

        /** Only Tomcat's native check: a non-blocking end-of-stream check on the connection. */
        TOMCAT,

        /** Only the connection's state in /proc/net/tcp and /proc/net/tcp6 (Linux, any container). */
        PROC,

        /** No detection: only async timeouts, container errors and shutdown abort a request's group. */
        NONE
    }
}
