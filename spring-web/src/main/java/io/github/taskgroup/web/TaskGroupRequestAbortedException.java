package io.github.taskgroup.web;

import io.github.taskgroup.CancellationReason;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/**
 * The result of a request whose task group was aborted (client gone, shutdown) before the handler produced a
 * result: the library completes the asynchronous request with it, so that a cancelled task never completes
 * the response as a success. Its status is 503; when the client is gone nobody reads it.
 */
public class TaskGroupRequestAbortedException extends ResponseStatusException {

    private final transient CancellationReason reason;

    /** @param reason why the request's group was cancelled */
    public TaskGroupRequestAbortedException(CancellationReason reason) {
        super(HttpStatus.SERVICE_UNAVAILABLE, "Request aborted: " + reason.value());
        this.reason = reason;
    }

    /** @return why the request's group was cancelled */
    public CancellationReason getCancellationReason() {
        return this.reason;
    }
}
