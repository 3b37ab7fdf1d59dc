package io.github.taskgroup.web.reactive;

import io.github.taskgroup.web.RequestTaskGroup;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import reactor.netty.Connection;

/**
 * Reactor Netty: aborts a request's group (reason {@code request-aborted}) when its connection closes. The
 * subscription's cancellation already does so while nothing was written, but once a streamed {@code Flux}
 * has written an element, Reactor Netty cancels it only at its next write (measured): the close of the
 * channel is the earlier signal. The listener is removed when the request completes, so a keep-alive
 * connection does not collect one listener per request.
 */
final class ReactorNettyConnectionWatch implements ChannelFutureListener {

    private final RequestTaskGroup scope;

    private final ChannelFuture closed;

    private ReactorNettyConnectionWatch(RequestTaskGroup scope, ChannelFuture closed) {
        this.scope = scope;
        this.closed = closed;
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
        ReactorNettyConnectionWatch watch = new ReactorNettyConnectionWatch(scope, channel.closeFuture());
        watch.closed.addListener(watch); // runs at once if the channel is closed already
        return watch;
    }

    @Override
    public void operationComplete(ChannelFuture future) {
        this.scope.clientLeft();
    }

    void stop() {
        this.closed.removeListener(this);
    }
}
