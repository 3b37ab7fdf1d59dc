package io.github.taskgroup.web.client;

import java.io.IOException;
import java.util.Objects;
import java.util.OptionalLong;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * Adds the remaining time of the calling thread's current task group to every call of a {@code RestClient} or a
 * {@code RestTemplate} (see {@link DeadlinePropagation} for the rule). The interceptor runs on the thread that
 * makes the call, so the group is the one of the task (or request) that calls.
 *
 * <ul>
 *   <li>No current group, or a group without deadline: the request is sent as it is (a header the caller set is
 *       left alone).
 *   <li>A deadline: the header carries the whole milliseconds left; if the caller set it too, the smaller value
 *       is sent.
 *   <li>A deadline that has passed: the request is not sent; the call throws
 *       {@link io.github.taskgroup.TaskGroupTimeoutException}.
 * </ul>
 *
 * <p>Spring Boot's builders get it without code (the starter's {@code RestClientCustomizer} and
 * {@code RestTemplateCustomizer}); a client built by hand adds it:
 *
 * <pre>{@code
 * RestClient client = RestClient.builder()
 *         .requestInterceptor(new DeadlinePropagationInterceptor(DeadlinePropagation.builder().build()))
 *         .build();
 * }</pre>
 */
public final class DeadlinePropagationInterceptor implements ClientHttpRequestInterceptor {

    private final DeadlinePropagation propagation;

    /** @param propagation the rule */
    public DeadlinePropagationInterceptor(DeadlinePropagation propagation) {
        this.propagation = Objects.requireNonNull(propagation, "propagation");
    }

    @Override
    public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
            throws IOException {
        OptionalLong remaining = this.propagation.remainingMillis(request.getMethod() + " " + request.getURI());
        if (remaining.isPresent()) {
            HttpHeaders headers = request.getHeaders();
            String name = this.propagation.headerName();
            headers.set(name, DeadlinePropagation.merge(headers.getFirst(name), remaining.getAsLong()));
        }
        return execution.execute(request, body);
    }
}
