package io.github.taskgroup.web.client;

import io.github.taskgroup.CurrentTaskGroup;
import java.io.InterruptedIOException;
import java.util.Objects;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;

/**
 * Aborts a call of a Jetty {@link HttpClient} (Spring's {@code JettyClientHttpRequestFactory}, and anything else
 * built on it) when the task that makes it is cancelled. Spring's blocking wait for a Jetty response reacts to
 * the task's interrupt, but leaves the request running: the connection stays open, and the server never learns
 * that nobody waits.
 *
 * <p>A request listener registers, when a request is queued on a thread that has a current task group (Jetty
 * queues it on the thread that sends it), a {@link CurrentTaskGroup#onCancel(Runnable) cancellation action} that
 * {@linkplain Request#abort(Throwable) aborts} it with an {@link InterruptedIOException} (its connection is closed,
 * so the server sees the disconnect, and the task ends {@code CANCELLED}, not {@code FAILED}); the action stays
 * registered until the exchange completes (its response body included). A request sent outside any group is not
 * touched.
 *
 * <p>Spring Boot's {@code ClientHttpRequestFactoryBuilder} gets it without code (the starter's builder
 * customizer); a client built by hand adds it before it starts:
 *
 * <pre>{@code
 * HttpClient httpClient = JettyAbortOnCancel.register(new HttpClient());
 * RestClient client = RestClient.builder()
 *         .requestFactory(new JettyClientHttpRequestFactory(httpClient))
 *         .build();
 * }</pre>
 */
public final class JettyAbortOnCancel implements Request.Listener {

    /**
     * Adds the listener to every request of {@code client}.
     *
     * @param client the client
     * @return {@code client}
     */
    public static HttpClient register(HttpClient client) {
        Objects.requireNonNull(client, "client");
        client.getRequestListeners().addListener(new JettyAbortOnCancel());
        return client;
    }

    /** Use {@link #register(HttpClient)}, or add an instance to a client's request listeners yourself. */
    public JettyAbortOnCancel() {}

    @Override
    public void onQueued(Request request) {
        if (CurrentTaskGroup.get().isEmpty()) {
            return;
        }
        CurrentTaskGroup.CancelRegistration registration = CurrentTaskGroup.onCancel(
                () -> request.abort(new InterruptedIOException("Request " + request.getMethod() + " " + request.getURI()
                        + " aborted: the task that made it was cancelled")));
        if (!registration.ran()) {
            request.onComplete(result -> registration.close());
        }
    }
}
