package io.github.taskgroup.web.reactive;

import io.github.taskgroup.web.RequestTaskGroup;
import io.github.taskgroup.web.TaskGroupErrorResponseException;
import io.github.taskgroup.web.TaskGroupErrorResponses;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.core.ResolvableType;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import org.springframework.web.util.pattern.PathPattern;
import reactor.core.publisher.Mono;

/**
 * WebFlux: answers what a request-scoped group throws out of a handler that did not handle it (see
 * {@link TaskGroupErrorResponses}): 504 for a {@code TaskGroupTimeoutException}, 503 for the cancellation of a
 * group cancelled from the server side (with {@code Retry-After} at shutdown), nothing for a client that left.
 *
 * <p>The application's {@code @ExceptionHandler} and {@code @ControllerAdvice} methods run before any
 * {@code WebExceptionHandler}, so they win; its order ({@link #ORDER}) puts it after handlers of the
 * application with a higher precedence and before Spring Boot's error handler (order {@code -1}). With
 * problem details on, it writes RFC 9457 {@code application/problem+json} (members {@code taskGroup} and
 * {@code reason}); otherwise it passes a {@link TaskGroupErrorResponseException} on, for Spring Boot's error
 * handler to render with its error attributes.
 */
public class TaskGroupWebExceptionHandler implements WebExceptionHandler, Ordered {

    /** Just before Spring Boot's {@code ErrorWebExceptionHandler} (order {@code -1}). */
    public static final int ORDER = -2;

    private static final ResolvableType PROBLEM_DETAIL = ResolvableType.forClass(ProblemDetail.class);

    private final List<HttpMessageWriter<?>> writers;

    private final boolean problemDetails;

    private final Duration retryAfter;

    /**
     * @param writers the codecs' writers, for {@code application/problem+json}
     * @param problemDetails whether to write RFC 9457 problem details (else pass the error on)
     * @param retryAfter the {@code Retry-After} of a 503 at shutdown
     */
    public TaskGroupWebExceptionHandler(
            List<HttpMessageWriter<?>> writers, boolean problemDetails, Duration retryAfter) {
        this.writers = writers;
        this.problemDetails = problemDetails;
        this.retryAfter = retryAfter;
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
        RequestTaskGroup scope = ReactiveRequestTaskGroups.find(exchange);
        String route = route(exchange);
        if (TaskGroupErrorResponses.isClientGone(ex, scope, route)) {
            return Mono.empty();
        }
        TaskGroupErrorResponseException answer = TaskGroupErrorResponses.translate(ex, scope, route, this.retryAfter);
        ServerHttpResponse response = exchange.getResponse();
        if (answer == null || response.isCommitted()) {
            return Mono.error(ex);
        }
        response.getHeaders().putAll(answer.getHeaders());
        if (!this.problemDetails) {
            return Mono.error(answer);
        }
        ProblemDetail body = answer.getBody();
        if (body.getInstance() == null) {
            body.setInstance(URI.create(exchange.getRequest().getPath().value()));
        }
        for (HttpMessageWriter<?> writer : this.writers) {
            if (writer.canWrite(PROBLEM_DETAIL, MediaType.APPLICATION_PROBLEM_JSON)) {
                response.setStatusCode(answer.getStatusCode());
                return write(writer, body, exchange);
            }
        }
        return Mono.error(answer);
    }

    @SuppressWarnings("unchecked")
    private static Mono<Void> write(HttpMessageWriter<?> writer, ProblemDetail body, ServerWebExchange exchange) {
        return ((HttpMessageWriter<ProblemDetail>) writer)
                .write(
                        Mono.just(body),
                        PROBLEM_DETAIL,
                        MediaType.APPLICATION_PROBLEM_JSON,
                        exchange.getResponse(),
                        Map.of());
    }

    private static String route(ServerWebExchange exchange) {
        Object pattern = exchange.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        String path = (pattern instanceof PathPattern parsed)
                ? parsed.getPatternString()
                : (pattern != null)
                        ? pattern.toString()
                        : exchange.getRequest().getPath().value();
        return exchange.getRequest().getMethod().name() + " " + path;
    }
}
