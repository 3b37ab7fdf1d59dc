package io.github.taskgroup.autoconfigure.web.servlet;

import java.nio.channels.SocketChannel;

import jakarta.servlet.ServletRequest;
import org.eclipse.jetty.ee11.servlet.ServletContextRequest;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SocketChannelEndPoint;

/**
 * Jetty 12 (EE 11): the NIO channel of a request's connection, for the disconnect scheduler to wait on. Only
 * plain HTTP/1.x endpoints qualify (an HTTP/2 or TLS connection's channel is read by Jetty all the time).
 */
final class JettyChannels {

    private JettyChannels() {
    }

    static SocketChannel channel(ServletRequest request) {
        ServletContextRequest jettyRequest;
        try {
            jettyRequest = ServletContextRequest.getServletContextRequest(request);
        }
        catch (RuntimeException ex) {
            return null;
        }
        if (jettyRequest == null || request.isSecure() || !request.getProtocol().startsWith("HTTP/1.")) {
            return null;
        }
        Connection connection = jettyRequest.getConnectionMetaData().getConnection();
        EndPoint endPoint = (connection != null) ? connection.getEndPoint() : null;
        return (endPoint instanceof SocketChannelEndPoint socket) ? socket.getChannel() : null;
    }
}
