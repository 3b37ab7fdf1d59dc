package io.github.taskgroup.web;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/**
 * What the client of a request-scoped group gets when the group's deadline expired (504) or the group was
 * cancelled from the server side (503): an {@code ErrorResponse}, so that Spring's and Spring Boot's error
 * handling render it in the application's style (RFC 9457 {@code application/problem+json} with the members
 * {@code taskGroup} and {@code reason}, or Spring Boot's error attributes). Its detail never carries the
 * message of a task's failure. Made by {@link TaskGroupErrorResponses}.
 */
public class TaskGroupErrorResponseException extends ResponseStatusException {

    private final String groupName;

    private final String reason;

    private final HttpHeaders headers = new HttpHeaders();

    /**
     * @param status 503 or 504
     * @param groupName the request group's name
     * @param reason the cancellation reason ({@code timeout}, {@code shutdown}, ...)
     * @param detail the problem's detail, for the client
     * @param cause what left the handler
     */
    public TaskGroupErrorResponseException(
            HttpStatus status, String groupName, String reason, String detail, @Nullable Throwable cause) {
        super(status, detail, cause);
        this.groupName = groupName;
        this.reason = reason;
        getBody().setProperty("taskGroup", groupName);
        getBody().setProperty("reason", reason);
    }

    /** @return the request group's name */
    public String getGroupName() {
        return this.groupName;
    }

    /** @return the cancellation reason, as {@code CancellationReason.value()} ({@code timeout}, ...) */
    public String getReasonValue() {
        return this.reason;
    }

    @Override
    public HttpHeaders getHeaders() {
        return this.headers;
    }
}
