package io.github.taskgroup.autoconfigure.web.servlet;

import java.io.IOException;

import io.github.taskgroup.CancellationReason;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

import org.springframework.core.Ordered;

/**
 * Puts an {@link AsyncListener} of ours first on every asynchronous request, ahead of Spring MVC's own. On an
 * async timeout Spring first interrupts the thread running a {@code Callable} and only then calls the
 * interceptors: a {@code Callable} waiting in {@code join()} would cancel the group as its interrupted owner
 * (reason {@code parent}) before the interceptor could say {@code timeout}. This listener cancels the group
 * with reason {@code timeout} first; it also aborts on a container error ({@code request-aborted}) and
 * completes the group when the request completes. All of it is idempotent: containers may call listeners more
 * than once, and the Spring interceptors do the same.
 */
class RequestTaskGroupAsyncFilter implements Filter, Ordered {

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
        }
        else {
            chain.doFilter(request, response);
        }
    }

    private static final class ListeningRequest extends HttpServletRequestWrapper {

        ListeningRequest(HttpServletRequest request) {
            super(request);
        }

        @Override
        public AsyncContext startAsync() {
            return listen(super.startAsync(), getRequest());
        }

        @Override
        public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
            return listen(super.startAsync(request, response), request);
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
