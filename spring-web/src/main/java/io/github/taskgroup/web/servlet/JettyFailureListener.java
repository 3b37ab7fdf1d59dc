package io.github.taskgroup.web.servlet;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.web.RequestTaskGroup;
import jakarta.servlet.ServletRequest;
import org.eclipse.jetty.ee11.servlet.ServletContextRequest;

/**
 * Jetty 12 (EE 11): a failure of the request's stream (an HTTP/2 reset, an idle timeout, a failed write)
 * reaches Jetty's failure listeners; it aborts the request's group with reason {@code request-aborted}. On
 * HTTP/1.1 a client that simply closes its connection is not reported (measured on Jetty 12.1): the disconnect
 * probe covers that.
 */
final class JettyFailureListener {

    void register(ServletRequest request, RequestTaskGroup group) {
        ServletContextRequest jettyRequest = JettyRequests.of(request);
        if (jettyRequest != null) {
            jettyRequest.addFailureListener((failure) -> group.abort(CancellationReason.REQUEST_ABORTED));
        }
    }
}
