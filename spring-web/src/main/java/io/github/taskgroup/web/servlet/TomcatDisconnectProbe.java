package io.github.taskgroup.web.servlet;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.Lock;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.RequestFacade;
import org.apache.coyote.InputBuffer;
import org.apache.coyote.http11.Http11InputBuffer;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.jspecify.annotations.Nullable;

/**
 * Tomcat's HTTP/1.1 NIO connector: a non-blocking readiness check on the connection's socket wrapper
 * ({@link SocketWrapperBase#isReadyForRead()}) throws at end of stream (FIN) or reset (RST). It reads at most
 * what has arrived into the wrapper's own read buffer, where the container finds it later, so pipelined
 * requests are not consumed and keep-alive goes on.
 *
 * <p>The probe never reads a socket that the container reads at the same time:
 * <ul>
 *   <li>while no container thread processes the connection (an asynchronous request between dispatches), the
 *       probe holds the wrapper's processing lock, the one every container thread takes, during the check;</li>
 *   <li>while a container thread is inside the request's handler (it holds that lock for the whole
 *       dispatch), the container does not read from the connection, because the probe watches only requests
 *       without a body: the request line and headers are parsed, nothing else will be read before the
 *       response is complete, and the request's completion waits for a check in progress;</li>
 *   <li>otherwise (the container is between the handler and completion) the check is skipped for this tick.</li>
 * </ul>
 * Only plain-text HTTP/1.x on the NIO connector is watched (HTTP/2 multiplexes streams on one connection that
 * the container reads all the time; TLS was not tried); other requests fall back to the next probe.
 *
 * <p>Tomcat has no public path from a request to its connection, so two fields are read through
 * {@link VarHandle}s resolved once: {@code RequestFacade.request} and {@code Http11InputBuffer.wrapper}. If
 * they cannot be resolved (another Tomcat version), {@link #isAvailable()} is {@code false}.
 */
public final class TomcatDisconnectProbe implements DisconnectProbe {

    // Null when this Tomcat's internals are not the ones the probe knows: every use is behind isAvailable().
    private static final @Nullable VarHandle FACADE_REQUEST;

    private static final @Nullable VarHandle INPUT_WRAPPER;

    static {
        VarHandle facade = null;
        VarHandle wrapper = null;
        try {
            facade = MethodHandles.privateLookupIn(RequestFacade.class, MethodHandles.lookup())
                    .findVarHandle(RequestFacade.class, "request", Request.class);
            wrapper = MethodHandles.privateLookupIn(Http11InputBuffer.class, MethodHandles.lookup())
                    .findVarHandle(Http11InputBuffer.class, "wrapper", SocketWrapperBase.class);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError ex) {
            facade = null;
            wrapper = null;
        }
        FACADE_REQUEST = facade;
        INPUT_WRAPPER = wrapper;
    }

    /** @return whether this Tomcat's internals are the ones this probe knows */
    public static boolean isAvailable() {
        return FACADE_REQUEST != null && INPUT_WRAPPER != null;
    }

    @Override
    public String name() {
        return "tomcat";
    }

    @Override
    public @Nullable Watch watch(HttpServletRequest request) {
        if (!isAvailable() || request.isSecure() || !request.getProtocol().startsWith("HTTP/1.") || hasBody(request)) {
            return null;
        }
        SocketWrapperBase<?> wrapper = socketWrapper(request);
        return (wrapper instanceof NioEndpoint.NioSocketWrapper nio) ? new TomcatWatch(nio) : null;
    }

    private static boolean hasBody(HttpServletRequest request) {
        return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
    }

    static @Nullable SocketWrapperBase<?> socketWrapper(ServletRequest request) {
        ServletRequest inner = request;
        while (inner instanceof ServletRequestWrapper wrapper) {
            inner = wrapper.getRequest();
        }
        if (!(inner instanceof RequestFacade facade)) {
            return null;
        }
        Request connectorRequest = (Request) FACADE_REQUEST.get(facade);
        if (connectorRequest == null) {
            return null;
        }
        InputBuffer input = connectorRequest.getCoyoteRequest().getInputBuffer();
        return (input instanceof Http11InputBuffer) ? (SocketWrapperBase<?>) INPUT_WRAPPER.get(input) : null;
    }

    /**
     * @param request a request
     * @return the NIO channel of the request's HTTP/1.x connection (plain or TLS) on Tomcat's NIO connector, or
     *         {@code null}
     */
    static @Nullable SocketChannel channel(ServletRequest request) {
        // TLS included: waiting reads nothing, and the confirmation (/proc) does not read the socket either.
        if (!isAvailable() || !request.getProtocol().startsWith("HTTP/1.")) {
            return null;
        }
        SocketWrapperBase<?> wrapper = socketWrapper(request);
        return (wrapper instanceof NioEndpoint.NioSocketWrapper nio) ? channelOf(nio) : null;
    }

    private static @Nullable SocketChannel channelOf(NioEndpoint.NioSocketWrapper wrapper) {
        NioChannel channel = wrapper.getSocket();
        return (channel != null) ? channel.getIOChannel() : null;
    }

    private final class TomcatWatch implements Watch {

        private final SocketWrapperBase<?> wrapper;

        private final @Nullable SocketChannel channel;

        TomcatWatch(NioEndpoint.NioSocketWrapper wrapper) {
            this.wrapper = wrapper;
            this.channel = channelOf(wrapper);
        }

        @Override
        public @Nullable SelectableChannel channel() {
            return this.channel;
        }

        @Override
        public boolean clientGone(boolean requestThreadInHandler) {
            if (this.wrapper.isClosed()) {
                return true;
            }
            Lock lock = this.wrapper.getLock();
            if (lock.tryLock()) {
                try {
                    return !this.wrapper.isClosed() && endOfStream();
                } finally {
                    lock.unlock();
                }
            }
            return requestThreadInHandler && endOfStream();
        }

        private boolean endOfStream() {
            try {
                this.wrapper.isReadyForRead();
                return false;
            } catch (IOException ex) {
                // EOFException at end of stream, "Connection reset" after RST, ClosedChannelException
                return true;
            }
        }

        @Override
        public DisconnectProbe probe() {
            return TomcatDisconnectProbe.this;
        }
    }
}
