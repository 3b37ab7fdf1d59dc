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
     * The channel of a request's connection, for the disconnect scheduler to wait on. Only plain HTTP/1.x
     * qualifies: an HTTP/2 connection's channel is read by Jetty all the time, and a TLS connection's endpoint
     * is Jetty's decrypting one (not tried: such requests are polled).
     *
     * @param request a request, possibly wrapped
     * @return the channel, or {@code null}
     */
    static @Nullable SocketChannel channel(ServletRequest request) {
        ServletContextRequest jettyRequest = of(request);
        if (jettyRequest == null || request.isSecure() || !request.getProtocol().startsWith("HTTP/1.")) {
            return null;
        }
        Connection connection = jettyRequest.getConnectionMetaData().getConnection();
        EndPoint endPoint = (connection != null) ? connection.getEndPoint() : null;
        return (endPoint instanceof SocketChannelEndPoint socket) ? socket.getChannel() : null;
    }
}
