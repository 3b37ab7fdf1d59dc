package io.github.taskgroup.web.client;

import io.github.taskgroup.CurrentTaskGroup;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Objects;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.classic.RequestFailedException;
import org.apache.hc.core5.concurrent.Cancellable;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;
import org.jspecify.annotations.Nullable;

/**
 * Aborts a call of an Apache HttpClient 5 classic client (Spring's {@code HttpComponentsClientHttpRequestFactory}
 * and anything else built on it) when the task that makes it is cancelled: a socket read on a platform thread
 * does not react to the task's interrupt, so without this the call goes on until the response comes or a read
 * timeout expires, and the server never learns that nobody waits.
 *
 * <p>An exec-chain handler registers, for each exchange made on a thread that has a current task group, a
 * {@link CurrentTaskGroup#onCancel(Runnable) cancellation action} that cancels the exchange (its connection is
 * closed at once, so the server sees the disconnect); the action stays registered until the response body is
 * closed or read to its end. A call aborted this way fails with {@link RequestFailedException} (an
 * {@link InterruptedIOException}), also when the abort surfaces as another {@link IOException} (a closed socket),
 * so that the cancelled task ends {@code CANCELLED}, not {@code FAILED}. A call made outside any group is not
 * touched.
 *
 * <p>Spring Boot's {@code ClientHttpRequestFactoryBuilder} gets it without code (the starter's builder
 * customizer); a client built by hand adds it:
 *
 * <pre>{@code
 * CloseableHttpClient httpClient = HttpComponentsAbortOnCancel.register(HttpClients.custom()).build();
 * RestClient client = RestClient.builder()
 *         .requestFactory(new HttpComponentsClientHttpRequestFactory(httpClient))
 *         .build();
 * }</pre>
 */
public final class HttpComponentsAbortOnCancel implements ExecChainHandler {

    /** The name the handler is registered under in the client's exec chain. */
    public static final String NAME = "taskgroup-abort-on-cancel";

    /**
     * Adds the handler first in {@code builder}'s exec chain.
     *
     * @param builder the client's builder
     * @return {@code builder}
     */
    public static HttpClientBuilder register(HttpClientBuilder builder) {
        Objects.requireNonNull(builder, "builder");
        return builder.addExecInterceptorFirst(NAME, new HttpComponentsAbortOnCancel());
    }

    /** Use {@link #register(HttpClientBuilder)}, or add an instance to an exec chain yourself. */
    public HttpComponentsAbortOnCancel() {}

    @Override
    public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        Cancellable exchange = cancellable(request, scope);
        if (exchange == null || CurrentTaskGroup.get().isEmpty()) {
            return chain.proceed(request, scope);
        }
        CurrentTaskGroup.CancelRegistration registration = CurrentTaskGroup.onCancel(exchange::cancel);
        boolean handedOver = false;
        try {
            if (registration.ran()) {
                throw aborted(request, null);
            }
            ClassicHttpResponse response = chain.proceed(request, scope);
            HttpEntity entity = response.getEntity();
            if (entity != null && entity.isStreaming()) {
                response.setEntity(new AbortableEntity(entity, registration, request));
                handedOver = true; // the body's end closes the registration
            }
            return response;
        } catch (IOException e) {
            throw registration.ran() && !(e instanceof InterruptedIOException) ? aborted(request, e) : e;
        } finally {
            if (!handedOver) {
                registration.close();
            }
        }
    }

    private static @Nullable Cancellable cancellable(ClassicHttpRequest request, ExecChain.Scope scope) {
        if (scope.execRuntime instanceof Cancellable runtime) {
            return runtime; // the exchange's own runtime: cancelling it closes the connection at once
        }
        return scope.originalRequest instanceof Cancellable original ? original : null;
    }

    static RequestFailedException aborted(ClassicHttpRequest request, @Nullable Throwable cause) {
        String message = "Request " + request.getMethod() + " " + request.getRequestUri()
                + " aborted: the task that made it was cancelled";
        return cause == null ? new RequestFailedException(message) : new RequestFailedException(message, cause);
    }

    /** The response body: keeps the registration until it is closed or read to its end. */
    private static final class AbortableEntity extends HttpEntityWrapper {

        private final CurrentTaskGroup.CancelRegistration registration;
        private final ClassicHttpRequest request;

        AbortableEntity(
                HttpEntity entity, CurrentTaskGroup.CancelRegistration registration, ClassicHttpRequest request) {
            super(entity);
            this.registration = registration;
            this.request = request;
        }

        @Override
        public InputStream getContent() throws IOException {
            InputStream content = super.getContent();
            return content == null ? null : new AbortableStream(content, this);
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                registration.close();
            }
        }

        IOException translate(IOException e) {
            return registration.ran() && !(e instanceof InterruptedIOException) ? aborted(request, e) : e;
        }
    }

    private static final class AbortableStream extends FilterInputStream {

        private final AbortableEntity entity;

        AbortableStream(InputStream in, AbortableEntity entity) {
            super(in);
            this.entity = entity;
        }

        @Override
        public int read() throws IOException {
            try {
                int read = super.read();
                if (read < 0) {
                    entity.registration.close();
                }
                return read;
            } catch (IOException e) {
                throw entity.translate(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int read = super.read(b, off, len);
                if (read < 0) {
                    entity.registration.close();
                }
                return read;
            } catch (IOException e) {
                throw entity.translate(e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } catch (IOException e) {
                throw entity.translate(e);
            } finally {
                entity.registration.close();
            }
        }
    }
}
