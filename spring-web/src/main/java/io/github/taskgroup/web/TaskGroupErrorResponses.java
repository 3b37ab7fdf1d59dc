package io.github.taskgroup.web;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupTimeoutException;
import io.github.taskgroup.TaskRejectedException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

/**
 * Decides what the client gets when an exception of a request-scoped group leaves a handler that did not
 * handle it, the same way on Spring MVC and WebFlux:
 * <ul>
 *   <li>a {@link TaskGroupTimeoutException}: 504 Gateway Timeout;</li>
 *   <li>a {@link TaskRejectedException} (a fork refused by admission control: a full queue): 429 Too Many
 *       Requests, with a {@code Retry-After} header (the same duration as at shutdown);</li>
 *   <li>the {@link CancellationException} (or {@code InterruptedException}) of a request group cancelled from
 *       the server side (shutdown, the {@code taskgroups} endpoint, an async request timeout): 503 Service
 *       Unavailable, with a {@code Retry-After} header at shutdown;</li>
 *   <li>the same after the client left: nothing to write ({@link #isClientGone}).</li>
 * </ul>
 * Each answer is logged once at WARN, on one line, without a stack trace; a client that left is logged at
 * DEBUG.
 */
public final class TaskGroupErrorResponses {

    /** The {@code Retry-After} of a 503 at shutdown when none is configured. */
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);

    private static final Log logger = LogFactory.getLog(TaskGroupErrorResponses.class);

    private TaskGroupErrorResponses() {}

    /**
     * @param ex what left the handler
     * @param scope the request's group, if the request has one
     * @param route the request's route (method and pattern), for the log line
     * @return whether {@code ex} is the cancellation of a request group whose client left: nothing should be
     *     written (and it is logged at DEBUG only)
     */
    public static boolean isClientGone(Throwable ex, @Nullable RequestTaskGroup scope, @Nullable String route) {
        if (scope == null
                || !isCancellation(ex)
                || scope.isCancelledByServer()
                || scope.abortReason().orElse(null) != CancellationReason.REQUEST_ABORTED) {
            return false;
        }
        if (logger.isDebugEnabled()) {
            logger.debug("Request group '" + groupName(scope) + "' (route " + route
                    + ") cancelled: request-aborted (the client left); nothing written");
        }
        return true;
    }

    /**
     * @param ex what left the handler
     * @param scope the request's group, if the request has one
     * @param route the request's route (method and pattern), for the log line
     * @param retryAfter the {@code Retry-After} of a 503 at shutdown and of a 429
     * @return the error response for the client (already logged at WARN), or {@code null} if {@code ex} is
     *     none of the library's business
     */
    public static @Nullable TaskGroupErrorResponseException translate(
            Throwable ex, @Nullable RequestTaskGroup scope, @Nullable String route, Duration retryAfter) {
        if (ex instanceof TaskGroupErrorResponseException already) {
            return already; // made (and logged) by aborted()
        }
        if (ex instanceof TaskGroupTimeoutException timeout) {
            TaskGroupErrorResponseException response = new TaskGroupErrorResponseException(
                    HttpStatus.GATEWAY_TIMEOUT,
                    timeout.groupName(),
                    CancellationReason.TIMEOUT.value(),
                    "Task group '" + timeout.groupName() + "' timed out",
                    ex);
            log(response, route);
            return response;
        }
        if (ex instanceof TaskRejectedException rejected) {
            TaskGroupErrorResponseException response = new TaskGroupErrorResponseException(
                    HttpStatus.TOO_MANY_REQUESTS,
                    rejected.groupName(),
                    rejected.reason().value(),
                    rejected.limitName()
                            .map(limit -> "Shared limit '" + limit + "' is saturated: task group '"
                                    + rejected.groupName() + "' refused a fork")
                            .orElse("Task group '" + rejected.groupName() + "' is saturated: it refused a fork"),
                    ex);
            response.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter.toSeconds()));
            log(response, route);
            return response;
        }
        if (scope != null && isCancellation(ex)) {
            CancellationReason reason = scope.abortReason().orElse(null);
            return (reason != null) ? aborted(scope, reason, route, retryAfter, ex) : null;
        }
        return null;
    }

    /**
     * The 503 of a request whose group was aborted, logged at WARN (at DEBUG if the client left).
     *
     * @param scope the request's group
     * @param reason why it was aborted
     * @param route the request's route (method and pattern), for the log line
     * @param retryAfter the {@code Retry-After} of a 503 at shutdown
     * @param cause what left the handler, if anything
     * @return the error response for the client
     */
    public static TaskGroupRequestAbortedException aborted(
            RequestTaskGroup scope,
            CancellationReason reason,
            @Nullable String route,
            Duration retryAfter,
            @Nullable Throwable cause) {
        String name = groupName(scope);
        String detail = (reason == CancellationReason.SHUTDOWN)
                ? "The server is shutting down: task group '" + name + "' was cancelled"
                : "Task group '" + name + "' was cancelled (" + reason.value() + ")";
        TaskGroupRequestAbortedException response = new TaskGroupRequestAbortedException(reason, name, detail, cause);
        if (reason == CancellationReason.SHUTDOWN) {
            response.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter.toSeconds()));
        }
        if (reason == CancellationReason.REQUEST_ABORTED && !scope.isCancelledByServer()) {
            if (logger.isDebugEnabled()) {
                logger.debug("Request group '" + name + "' (route " + route
                        + ") cancelled: request-aborted (the client left)");
            }
        } else {
            log(response, route);
        }
        return response;
    }

    private static void log(TaskGroupErrorResponseException response, @Nullable String route) {
        logger.warn("Request group '" + response.getGroupName() + "' (route " + route + ") "
                + switch (response.getStatusCode().value()) {
                    case 504 -> "timed out";
                    case 429 -> "refused a fork";
                    default -> "cancelled";
                }
                + ": "
                + response.getReasonValue() + "; answered "
                + response.getStatusCode().value());
    }

    private static boolean isCancellation(Throwable ex) {
        return ex instanceof CancellationException
                || ex instanceof InterruptedException
                || ex instanceof TaskGroupRequestAbortedException;
    }

    private static String groupName(RequestTaskGroup scope) {
        return scope.peek().map(TaskGroup::name).orElse("(not opened)");
    }
}
