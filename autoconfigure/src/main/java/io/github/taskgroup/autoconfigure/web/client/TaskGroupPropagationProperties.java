package io.github.taskgroup.autoconfigure.web.client;

import io.github.taskgroup.autoconfigure.Validation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of deadline propagation: outgoing HTTP calls made from a task group with a deadline carry the
 * time left, and are not sent once it has passed; incoming requests that carry it get a request group whose
 * deadline is the earlier of its configured timeout and the received one.
 */
@ConfigurationProperties("taskgroup.propagation")
public class TaskGroupPropagationProperties {

    /**
     * Whether RestClient, RestTemplate and WebClient built from Spring Boot's builders send the remaining time of
     * the calling group's deadline, and fail calls made after it.
     */
    private boolean enabled = true;

    /** Name of the header that carries the remaining time, in whole milliseconds. A legal HTTP header name. */
    private String headerName = "X-Request-Timeout-Ms";

    /**
     * Whether a blocking call made through an Apache HttpClient 5 or Jetty client that Spring Boot's
     * ClientHttpRequestFactoryBuilder builds is aborted, and its connection closed, when the task that makes it
     * is cancelled. Needs taskgroup.propagation.enabled too.
     */
    private boolean abortOnCancel = true;

    private final Incoming incoming = new Incoming();

    public boolean isEnabled() {
        return this.enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getHeaderName() {
        return this.headerName;
    }

    public void setHeaderName(String headerName) {
        this.headerName = headerName;
    }

    public boolean isAbortOnCancel() {
        return this.abortOnCancel;
    }

    public void setAbortOnCancel(boolean abortOnCancel) {
        this.abortOnCancel = abortOnCancel;
    }

    public Incoming getIncoming() {
        return this.incoming;
    }

    /** @return the header name, validated */
    public String checkedHeaderName() {
        return Validation.headerName("taskgroup.propagation.header-name", this.headerName);
    }

    /** How a request-scoped group adopts the deadline its caller sent. */
    public static class Incoming {

        /**
         * Whether a request that carries the header gets a request group whose deadline is the earlier of its
         * configured timeout and the received time (less the margin). Needs taskgroup.propagation.enabled too.
         */
        private boolean enabled = true;

        /** Taken off every received time, for the answer's way back. Zero or more. */
        private @Nullable Duration margin = Duration.ofMillis(5);

        /**
         * More headers that carry a time in milliseconds, read besides the main one (for example
         * x-envoy-expected-rq-timeout-ms); the smallest valid value wins. None by default.
         */
        private List<String> extraHeaderNames = new ArrayList<>();

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public @Nullable Duration getMargin() {
            return this.margin;
        }

        public void setMargin(@Nullable Duration margin) {
            this.margin = margin;
        }

        public List<String> getExtraHeaderNames() {
            return this.extraHeaderNames;
        }

        public void setExtraHeaderNames(List<String> extraHeaderNames) {
            this.extraHeaderNames = extraHeaderNames;
        }

        /** @return the margin, validated */
        public Duration checkedMargin() {
            return Validation.notNegative("taskgroup.propagation.incoming.margin", this.margin);
        }

        /** @return the extra header names, validated */
        public List<String> checkedExtraHeaderNames() {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < this.extraHeaderNames.size(); i++) {
                names.add(Validation.headerName(
                        "taskgroup.propagation.incoming.extra-header-names[" + i + "]", this.extraHeaderNames.get(i)));
            }
            return names;
        }
    }
}
