package io.github.taskgroup.web.servlet;

import io.github.taskgroup.CancellationReason;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.IOException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;

/**
 * Puts an {@link AsyncListener} of ours first on every asynchronous request, ahead of Spring MVC's own. On an
 * async timeout Spring first interrupts the thread running a {@code Callable} and only then calls the
 * interceptors: a {@code Callable} waiting in {@code join()} would cancel the group as its interrupted owner
 * (reason {@code parent}) before the interceptor could say {@code timeout}. This listener cancels the group
 * with reason {@code timeout} first; it also aborts on a container error ({@code request-aborted}) and
 * completes the group when the request completes. All of it is idempotent: containers may call listeners more
 * than once, and the Spring interceptors do the same.
 * <p>
 * The wrapper it passes on also carries the request's {@link ServletRequestTaskGroup}: not a request attribute,
 * because every context snapshot taken at a fork (Spring's {@code RequestAttributesThreadLocalAccessor})
 * copies all request attributes, and one more attribute made each fork of a request group measurably dearer
 * than a plain group's. Once the request goes asynchronous the scope is also set as an attribute, for
 * dispatches that do not pass through this wrapper.
 */
public class RequestTaskGroupAsyncFilter implements Filter, Ordered {

    private static final AsyncListener LISTENER = new Listener();

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 50;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request instanceof HttpServletRequest http && request.isAsyncSupported()) {
            chain.doFilter(new ListeningRequest(http), response);
        } else {
            chain.doFilter(request, response);
        }
    }

    /** The request as this filter passes it on: it listens to async cycles and carries the request's scope. */
    static final class ListeningRequest extends HttpServletRequestWrapper {

        // Both guarded by this.
        private @Nullable ServletRequestTaskGroup scope;

        private boolean asyncStarted;

        /** When the request passed the filter ({@link System#nanoTime()}): where a received budget starts. */
        final long arrivedNanos = System.nanoTime();

        ListeningRequest(HttpServletRequest request) {
            super(request);
        }

        /**
         * @param request a request, possibly wrapped further
         * @return this filter's wrapper in its chain, or {@code null}
         */
        static @Nullable ListeningRequest in(ServletRequest request) {
            ServletRequest current = request;
            while (!(current instanceof ListeningRequest listening)) {
                if (!(current instanceof ServletRequestWrapper wrapper)) {
                    return null;
                }
                current = wrapper.getRequest();
            }
            return listening;
        }

        synchronized @Nullable ServletRequestTaskGroup scope() {
            return this.scope;
        }

        /**
         * @param create makes the scope if the request has none yet
         * @return the request's scope
         */
        synchronized ServletRequestTaskGroup scope(Supplier<ServletRequestTaskGroup> create) {
            if (this.scope == null) {
                this.scope = create.get();
                if (this.asyncStarted) {
                    setAttribute(ServletRequestTaskGroups.ATTRIBUTE, this.scope);
                }
            }
            return this.scope;
        }

        @Override
        public AsyncContext startAsync() {
            AsyncContext context = super.startAsync();
            asyncStarted();
            return listen(context, getRequest());
        }

        @Override
        public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
            AsyncContext context = super.startAsync(request, response);
            asyncStarted();
            return listen(context, request);
        }

        /** A dispatch of the async cycle may come without this wrapper: from now on it finds the attribute. */
        private void asyncStarted() {
            ServletRequestTaskGroup current;
            synchronized (this) {
                this.asyncStarted = true;
                current = this.scope;
            }
            if (current != null) {
                setAttribute(ServletRequestTaskGroups.ATTRIBUTE, current);
            }
        }

        private static AsyncContext listen(AsyncContext context, ServletRequest request) {
            context.addListener(LISTENER, request, null);
            return context;
        }
    }

    private static final class Listener implements AsyncListener {

        @Override
        public void onTimeout(AsyncEvent event) {
            ServletRequestTaskGroup scope = ServletRequestTaskGroups.find(event.getSuppliedRequest());
            if (scope != null) {
                scope.abort(CancellationReason.TIMEOUT);
            }
        }

        @Override
        public void onError(AsyncEvent event) {
            ServletRequestTaskGroup scope = ServletRequestTaskGroups.find(event.getSuppliedRequest());
            if (scope != null) {
                scope.abort(CancellationReason.REQUEST_ABORTED);
            }
        }

        @Override
        public void onComplete(AsyncEvent event) {
            ServletRequestTaskGroup scope = ServletRequestTaskGroups.find(event.getSuppliedRequest());
            if (scope != null) {
                scope.complete();
            }
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // A re-started async cycle: keep listening.
            event.getAsyncContext().addListener(this, event.getSuppliedRequest(), event.getSuppliedResponse());
        }
    }
}
