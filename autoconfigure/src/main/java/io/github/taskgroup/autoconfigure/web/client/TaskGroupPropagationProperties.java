package io.github.taskgroup.autoconfigure.web.client;

import io.github.taskgroup.autoconfigure.Validation;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of deadline propagation: outgoing HTTP calls made from a task group with a deadline carry the
 * time left, and are not sent once it has passed.
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

    /** @return the header name, validated */
    String checkedHeaderName() {
        return Validation.headerName("taskgroup.propagation.header-name", this.headerName);
    }
}
