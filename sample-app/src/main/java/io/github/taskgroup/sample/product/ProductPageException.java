package io.github.taskgroup.sample.product;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * A product page that could not be built: a dependency failed (502) or the group's deadline expired (504).
 */
public class ProductPageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final HttpStatus status;
    private final String error;
    private final String dependency;
    private final Integer dependencyStatus;
    private final Duration timeout;
    private final String group;
    private final Map<String, String> tasks;

    private ProductPageException(
            HttpStatus status,
            String error,
            String message,
            String dependency,
            Integer dependencyStatus,
            Duration timeout,
            String group,
            Map<String, String> tasks,
            Throwable cause) {
        super(message, cause);
        this.group = group;
        this.status = status;
        this.error = error;
        this.dependency = dependency;
        this.dependencyStatus = dependencyStatus;
        this.timeout = timeout;
        this.tasks = tasks;
    }

    static ProductPageException dependencyFailed(
            String dependency, Integer dependencyStatus, Map<String, String> tasks, Throwable cause) {
        return new ProductPageException(
                HttpStatus.BAD_GATEWAY,
                "dependency-failed",
                "The " + dependency + " service failed" + (dependencyStatus != null ? " with " + dependencyStatus : "")
                        + ": " + cause.getMessage(),
                dependency,
                dependencyStatus,
                null,
                null,
                tasks,
                cause);
    }

    static ProductPageException timeout(String group, Duration timeout, Map<String, String> tasks, Throwable cause) {
        return new ProductPageException(
                HttpStatus.GATEWAY_TIMEOUT,
                "timeout",
                "Group '" + group + "' did not finish within " + timeout,
                null,
                null,
                timeout,
                group,
                tasks,
                cause);
    }

    public HttpStatus status() {
        return status;
    }

    /** @return {@code dependency-failed} or {@code timeout} */
    public String error() {
        return error;
    }

    /** @return the failed dependency, or {@code null} on a timeout */
    public String dependency() {
        return dependency;
    }

    /** @return the status the failed dependency answered with, or {@code null} */
    public Integer dependencyStatus() {
        return dependencyStatus;
    }

    /** @return the group's timeout, or {@code null} */
    public Duration timeout() {
        return timeout;
    }

    /** @return the name of the group that timed out, or {@code null} */
    public String group() {
        return group;
    }

    /** @return the final state of each task: {@code SUCCEEDED}, {@code FAILED} or {@code CANCELLED} */
    public Map<String, String> tasks() {
        return tasks;
    }

    /** @return the JSON body of the error answer: status, error, what failed or timed out, message, task states */
    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status.value());
        body.put("error", error);
        if (dependency != null) {
            body.put("dependency", dependency);
        }
        if (dependencyStatus != null) {
            body.put("dependencyStatus", dependencyStatus);
        }
        if (group != null) {
            body.put("group", group);
        }
        if (timeout != null) {
            body.put("timeout", timeout.toString());
        }
        body.put("message", getMessage());
        body.put("tasks", tasks);
        return body;
    }

    /** @return the JSON body of a 400 answer to a bad demo parameter */
    public static Map<String, Object> badRequestBody(IllegalArgumentException ex) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", HttpStatus.BAD_REQUEST.value());
        body.put("error", "bad-request");
        body.put("message", ex.getMessage());
        return body;
    }
}
