package io.github.taskgroup.web.servlet;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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
 * This check covers plain-text HTTP/1.x on the NIO connector (TLS requests fall back to the next probe, which
 * waits on the same channel).
 *
 * <p><b>HTTP/2</b> (h2c and h2): one connection carries many streams and the container reads it all the time,
 * so the connection is never touched. A stream reset ({@code RST_STREAM}), or a connection closed under its
 * streams (FIN, RST, GOAWAY then close), changes the state of the request's stream, which Tomcat tells no
 * one while a container thread is in the handler; the watch reads that state (a volatile read) at every tick
 * (the watch has no channel, it is polled). Only that request's group is aborted: the other streams of the
 * connection stay active.
 *
 * <p>Tomcat has no public path from a request to its connection, so two fields are read through
 * {@link VarHandle}s resolved once: {@code RequestFacade.request} and {@code Http11InputBuffer.wrapper}. If
 * they cannot be resolved (another Tomcat version), {@link #isAvailable()} is {@code false}. For HTTP/2 the
 * stream of the request's input buffer ({@code Stream.StreamInputBuffer}'s enclosing {@code Stream}) and its
 * {@code isActive()} are resolved the same way; if they cannot be, HTTP/2 requests are not watched.
 */
public final class TomcatDisconnectProbe implements DisconnectProbe {

    // Null when this Tomcat's internals are not the ones the probe knows: every use is behind isAvailable().
    private static final @Nullable VarHandle FACADE_REQUEST;

    private static final @Nullable VarHandle INPUT_WRAPPER;

    // HTTP/2: the stream of a request's input buffer (Stream.StreamInputBuffer's enclosing instance), and the
    // stream's state. Null when they cannot be resolved: HTTP/2 requests are then not watched by this probe.
    private static final @Nullable Class<?> STREAM_INPUT_BUFFER;

    private static final @Nullable VarHandle INPUT_STREAM;

    private static final @Nullable MethodHandle STREAM_ACTIVE;

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
        Class<?> inputBuffer = null;
        VarHandle inputStream = null;
        MethodHandle active = null;
        try {
            ClassLoader loader = RequestFacade.class.getClassLoader();
            Class<?> stream = Class.forName("org.apache.coyote.http2.Stream", false, loader);
            inputBuffer = Class.forName("org.apache.coyote.http2.Stream$StreamInputBuffer", false, loader);
            inputStream = MethodHandles.privateLookupIn(inputBuffer, MethodHandles.lookup())
                    .findVarHandle(inputBuffer, "this$0", stream);
            active = MethodHandles.privateLookupIn(stream, MethodHandles.lookup())
                    .findVirtual(stream, "isActive", MethodType.methodType(boolean.class))
                    .asType(MethodType.methodType(boolean.class, Object.class));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError ex) {
            inputBuffer = null;
            inputStream = null;
            active = null;
        }
        STREAM_INPUT_BUFFER = inputBuffer;
        INPUT_STREAM = inputStream;
        STREAM_ACTIVE = active;
    }

    /** @return whether this Tomcat's internals are the ones this probe knows */
    public static boolean isAvailable() {
        return FACADE_REQUEST != null && INPUT_WRAPPER != null;
    }

    /** @return whether this Tomcat's HTTP/2 stream state can be read (then HTTP/2 requests are watched) */
    static boolean http2Available() {
        return FACADE_REQUEST != null && INPUT_STREAM != null && STREAM_ACTIVE != null;
    }

    @Override
    public String name() {
        return "tomcat";
    }

    @Override
    public @Nullable Watch watch(HttpServletRequest request) {
        if (request.getProtocol().startsWith("HTTP/2")) {
            Object stream = http2Stream(request);
            return (stream != null) ? new StreamWatch(stream) : null;
        }
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
        InputBuffer input = inputBuffer(request);
        return (input instanceof Http11InputBuffer) ? (SocketWrapperBase<?>) INPUT_WRAPPER.get(input) : null;
    }

    private static @Nullable InputBuffer inputBuffer(ServletRequest request) {
        ServletRequest inner = request;
        while (inner instanceof ServletRequestWrapper wrapper) {
            inner = wrapper.getRequest();
        }
        if (FACADE_REQUEST == null || !(inner instanceof RequestFacade facade)) {
            return null;
        }
        Request connectorRequest = (Request) FACADE_REQUEST.get(facade);
        return (connectorRequest != null) ? connectorRequest.getCoyoteRequest().getInputBuffer() : null;
    }

    /** @return the HTTP/2 stream ({@code org.apache.coyote.http2.Stream}) of a request, or {@code null} */
    private static @Nullable Object http2Stream(ServletRequest request) {
        if (!http2Available()) {
            return null;
        }
        InputBuffer input = inputBuffer(request);
        return (input != null && STREAM_INPUT_BUFFER.isInstance(input)) ? INPUT_STREAM.get(input) : null;
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

    /**
     * An HTTP/2 stream: Tomcat changes its state when a RST_STREAM arrives, or when the connection is closed
     * or fails under it (every open stream is reset then), and tells no one while a container thread is in
     * the handler (an asynchronous request gets {@code AsyncListener.onError}). The stream is not active any
     * more once it was reset or closed; as the scheduler does not check a request whose response is committed,
     * a closed stream here is a reset one. Reading the state is a volatile read: no socket, no {@code /proc}
     * (the connection stays open when one stream is reset), so the watch has no channel and is polled.
     */
    private final class StreamWatch implements Watch {

        private final Object stream;

        StreamWatch(Object stream) {
            this.stream = stream;
        }

        @Override
        public boolean clientGone(boolean requestThreadInHandler) {
            try {
                return !(boolean) STREAM_ACTIVE.invokeExact(this.stream);
            } catch (RuntimeException | Error ex) {
                throw ex;
            } catch (Throwable ex) {
                throw new IllegalStateException("Cannot read the HTTP/2 stream's state", ex);
            }
        }

        @Override
        public DisconnectProbe probe() {
            return TomcatDisconnectProbe.this;
        }
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
