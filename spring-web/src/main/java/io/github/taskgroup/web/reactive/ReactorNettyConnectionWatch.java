package io.github.taskgroup.web.reactive;

import io.github.taskgroup.web.RequestTaskGroup;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import reactor.netty.Connection;

/**
 * Reactor Netty: aborts a request's group (reason {@code request-aborted}) when its client is gone. The
 * subscription's cancellation already does so while nothing was written, but once a streamed {@code Flux}
 * has written an element, Reactor Netty cancels it only at its next write (measured): the connection's close
 * is the earlier signal. The listeners are removed when the request completes, so a keep-alive connection
 * does not collect one per request.
 *
 * <p>HTTP/1.1: the close of the request's connection. HTTP/2 (h2c and h2): the request's channel is the
 * stream's child channel, which also closes, normally, once the response has been sent; so its close is not
 * watched, but a {@code RST_STREAM} of the stream (Netty passes it to the stream's pipeline as a user event,
 * {@link Http2ResetFrame}, which a handler of ours sees first) and the close of the parent connection, which
 * closes all its streams. Other streams of the connection are not touched.
 */
final class ReactorNettyConnectionWatch implements ChannelFutureListener {

    private static final String RESET_HANDLER = "taskgroup.resetWatch";

    private final RequestTaskGroup scope;

    private final ChannelFuture closed;

    /** HTTP/2 only: the stream's channel, whose pipeline carries {@link #resetHandler}. */
    private final @Nullable Channel stream;

    private final @Nullable ResetHandler resetHandler;

    private ReactorNettyConnectionWatch(
            RequestTaskGroup scope, ChannelFuture closed, @Nullable Channel stream, @Nullable ResetHandler reset) {
        this.scope = scope;
        this.closed = closed;
        this.stream = stream;
        this.resetHandler = reset;
    }

    /**
     * @param scope the request's group
     * @param request the request
     * @return the watch, already listening, or {@code null} if the request is not served by Reactor Netty
     */
    static @Nullable ReactorNettyConnectionWatch start(RequestTaskGroup scope, ServerHttpRequest request) {
        Object nativeRequest;
        try {
            nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
        } catch (IllegalArgumentException ex) {
            return null; // a request implementation that does not expose a native request
        }
        if (!(nativeRequest instanceof Connection connection)) {
            return null;
        }
        Channel channel = connection.channel();
        ReactorNettyConnectionWatch watch;
        if (channel instanceof Http2StreamChannel stream) {
            ResetHandler reset = new ResetHandler(scope);
            try {
                stream.pipeline().addFirst(RESET_HANDLER, reset);
            } catch (IllegalArgumentException ex) { // the name is taken: a second group on one exchange
                return null;
            }
            watch = new ReactorNettyConnectionWatch(scope, stream.parent().closeFuture(), stream, reset);
            if (!stream.isActive()) {
                // Reset (or its connection closed) before the group opened: the response cannot be sent.
                scope.clientLeft();
            }
        } else {
            watch = new ReactorNettyConnectionWatch(scope, channel.closeFuture(), null, null);
        }
        watch.closed.addListener(watch); // runs at once if the channel is closed already
        return watch;
    }

    @Override
    public void operationComplete(ChannelFuture future) {
        this.scope.clientLeft();
    }

    void stop() {
        this.closed.removeListener(this);
        if (this.stream != null && this.resetHandler != null) {
            try {
                this.stream.pipeline().remove(this.resetHandler);
            } catch (NoSuchElementException ex) {
                // the stream's pipeline was torn down with its channel
            }
        }
    }

    /** Sees a stream reset first in the stream's pipeline, and passes it on. */
    private static final class ResetHandler extends ChannelInboundHandlerAdapter {

        private final RequestTaskGroup scope;

        ResetHandler(RequestTaskGroup scope) {
            this.scope = scope;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext context, Object event) throws Exception {
            if (event instanceof Http2ResetFrame) {
                this.scope.clientLeft();
            }
            super.userEventTriggered(context, event);
        }
    }
}
