package io.github.taskgroup.web.servlet;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import java.nio.channels.SocketChannel;
import org.eclipse.jetty.ee11.servlet.ServletApiRequest;
import org.eclipse.jetty.ee11.servlet.ServletContextRequest;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.jspecify.annotations.Nullable;

/** Jetty 12 (EE 11): from a servlet request to Jetty's own request and to its connection's channel. */
final class JettyRequests {

    private JettyRequests() {}

    /**
     * @param request a request, possibly wrapped
     * @return Jetty's request, or {@code null} if another container serves it (Jetty on the class path beside
     *         Tomcat: asking Jetty about a Tomcat request would throw, which is slow)
     */
    static @Nullable ServletContextRequest of(ServletRequest request) {
        ServletRequest inner = request;
        while (inner instanceof ServletRequestWrapper wrapper) {
            inner = wrapper.getRequest();
        }
        if (!(inner instanceof ServletApiRequest)) {
            return null;
        }
        try {
            return ServletContextRequest.getServletContextRequest(inner);
        } catch (RuntimeException ex) {
            return null;
        }
    }

    /**
     * The channel of a request's connection, for the disconnect scheduler to wait on. Only HTTP/1.x qualifies
     * (an HTTP/2 connection carries many streams: a reset of one leaves it open, and Jetty reports stream
     * failures itself, see {@link JettyFailureListener}). Over TLS the connection's endpoint is Jetty's
     * decrypting one ({@code SslConnection.SslEndPoint}), an {@link EndPoint.Wrapper} of the socket's endpoint:
     * it is unwrapped down to the {@link SocketChannelEndPoint}, whose channel is waited on like a plain one
     * (nothing is read from it; TLS records, such as a {@code close_notify}, wake the scheduler and the
     * {@code /proc} confirmation decides).
     *
     * @param request a request, possibly wrapped
     * @return the channel, or {@code null}
     */
    static @Nullable SocketChannel channel(ServletRequest request) {
        ServletContextRequest jettyRequest = of(request);
        if (jettyRequest == null || !request.getProtocol().startsWith("HTTP/1.")) {
            return null;
        }
        Connection connection = jettyRequest.getConnectionMetaData().getConnection();
        EndPoint endPoint = (connection != null) ? connection.getEndPoint() : null;
        // A bounded walk: an endpoint wrapping itself (no Jetty endpoint does) must not loop.
        for (int depth = 0; depth < 4 && endPoint instanceof EndPoint.Wrapper wrapper; depth++) {
            endPoint = wrapper.unwrap();
        }
        return (endPoint instanceof SocketChannelEndPoint socket) ? socket.getChannel() : null;
    }
}
