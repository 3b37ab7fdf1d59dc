package io.github.taskgroup.web.servlet;

import io.github.taskgroup.web.TaskGroupErrorResponseException;
import io.github.taskgroup.web.TaskGroupErrorResponses;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.mvc.method.annotation.ExceptionHandlerExceptionResolver;

/**
 * Spring MVC: answers what a request-scoped group throws out of a handler that did not handle it (see
 * {@link TaskGroupErrorResponses}): 504 for a {@code TaskGroupTimeoutException}, 503 for the cancellation of a
 * group cancelled from the server side (with {@code Retry-After} at shutdown), nothing for a client that left.
 *
 * <p>{@link TaskGroupWebMvcConfigurer} puts it right after the {@link ExceptionHandlerExceptionResolver}, so
 * that the application's {@code @ExceptionHandler} and {@code @ControllerAdvice} methods always win. The
 * answer is a {@link TaskGroupErrorResponseException} (an {@code ErrorResponse}), handed back to the
 * {@code @ExceptionHandler} methods once (where Spring Boot's problem-details advice, when
 * {@code spring.mvc.problemdetails.enabled=true}, renders it as {@code application/problem+json}); if none
 * takes it, it is sent with {@code sendError}, so that the container's error page (Spring Boot's
 * {@code /error}) renders the body.
 */
public class TaskGroupHandlerExceptionResolver implements HandlerExceptionResolver {

    private final Duration retryAfter;

    private volatile @Nullable HandlerExceptionResolver exceptionHandlers;

    /** With a {@code Retry-After} of {@link TaskGroupErrorResponses#DEFAULT_RETRY_AFTER} at shutdown. */
    public TaskGroupHandlerExceptionResolver() {
        this(TaskGroupErrorResponses.DEFAULT_RETRY_AFTER);
    }

    /** @param retryAfter the {@code Retry-After} of a 503 at shutdown */
    public TaskGroupHandlerExceptionResolver(Duration retryAfter) {
        this.retryAfter = retryAfter;
    }

    /**
     * @param exceptionHandlers the resolver of {@code @ExceptionHandler} methods, offered the error response
     *     before it is sent with {@code sendError}
     */
    public void setExceptionHandlerResolver(@Nullable HandlerExceptionResolver exceptionHandlers) {
        this.exceptionHandlers = exceptionHandlers;
    }

    @Override
    public @Nullable ModelAndView resolveException(
            HttpServletRequest request, HttpServletResponse response, @Nullable Object handler, Exception ex) {
        ServletRequestTaskGroup scope = ServletRequestTaskGroups.find(request);
        String route = route(request);
        if (TaskGroupErrorResponses.isClientGone(ex, scope, route)) {
            return new ModelAndView();
        }
        TaskGroupErrorResponseException answer = TaskGroupErrorResponses.translate(ex, scope, route, this.retryAfter);
        if (answer == null) {
            return null;
        }
        HandlerExceptionResolver delegate = this.exceptionHandlers;
        if (delegate != null && answer != ex) {
            ModelAndView handled = delegate.resolveException(request, response, handler, answer);
            if (handled != null) {
                return handled;
            }
        }
        if (!response.isCommitted()) {
            answer.getHeaders().forEach((name, values) -> values.forEach((value) -> response.addHeader(name, value)));
            try {
                response.sendError(answer.getStatusCode().value(), answer.getReason());
            } catch (IOException gone) {
                // the client left meanwhile
            }
        }
        return new ModelAndView();
    }

    /** @return the {@code Retry-After} of a 503 at shutdown */
    public Duration getRetryAfter() {
        return this.retryAfter;
    }

    static String route(HttpServletRequest request) {
        Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        return request.getMethod() + " " + ((pattern != null) ? pattern : request.getRequestURI());
    }
}
