package io.github.taskgroup.web;

import io.github.taskgroup.CancellationReason;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * The result of a request whose task group was aborted (client gone, shutdown, the {@code taskgroups}
 * endpoint) before the handler produced a result: the library completes the asynchronous request with it, so
 * that a cancelled task never completes the response as a success. Its status is 503 (with
 * {@code Retry-After} at shutdown); when the client is gone nobody reads it.
 */
public class TaskGroupRequestAbortedException extends TaskGroupErrorResponseException {

    private final transient CancellationReason reason;

    /** @param reason why the request's group was cancelled */
    public TaskGroupRequestAbortedException(CancellationReason reason) {
        this(reason, "(unknown)", "Request aborted: " + reason.value(), null);
    }

    /**
     * @param reason why the request's group was cancelled
     * @param groupName the request group's name
     * @param detail the problem's detail, for the client
     * @param cause what left the handler, if anything
     */
    public TaskGroupRequestAbortedException(
            CancellationReason reason, String groupName, String detail, @Nullable Throwable cause) {
        super(HttpStatus.SERVICE_UNAVAILABLE, groupName, reason.value(), detail, cause);
        this.reason = reason;
    }

    /** @return why the request's group was cancelled */
    public CancellationReason getCancellationReason() {
        return this.reason;
    }
}
