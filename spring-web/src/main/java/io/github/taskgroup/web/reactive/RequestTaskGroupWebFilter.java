package io.github.taskgroup.web.reactive;

import io.github.taskgroup.web.RequestTaskGroup;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * WebFlux: Reactor Netty cancels the subscription of the request's chain when the client goes away (about a
 * millisecond after the close, measured); this filter turns that cancellation into an abort of the request's
 * group (reason {@code request-aborted}), and closes the group when the chain terminates, off the event loop
 * (closing waits for the tasks still running, cancelled first). A streamed response that already wrote is
 * covered by {@link ReactorNettyConnectionWatch}, which this filter stops as the chain terminates. A route
 * that opted out of cancel-on-disconnect is not aborted: its group is completed once its tasks end.
 */
public class RequestTaskGroupWebFilter implements WebFilter, Ordered {

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 50;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        exchange.getAttributes().put(ReactiveRequestTaskGroups.ARRIVED_ATTRIBUTE, System.nanoTime());
        return chain.filter(exchange)
                .doOnCancel(() -> {
                    RequestTaskGroup scope = ReactiveRequestTaskGroups.find(exchange);
                    if (scope != null) {
                        scope.clientLeft();
                    }
                })
                .doFinally((signal) -> {
                    RequestTaskGroup scope = ReactiveRequestTaskGroups.find(exchange);
                    if (scope instanceof ReactiveRequestTaskGroup reactive) {
                        reactive.stopWatching();
                    }
                    if (scope != null) {
                        // A client that left a route that opted out of cancel-on-disconnect: the group
                        // outlives the exchange until its tasks end (or its deadline, or shutdown).
                        Runnable completion =
                                (scope.hasClientLeft() && scope.abortReason().isEmpty())
                                        ? scope::completeWhenTasksEnd
                                        : scope::complete;
                        Schedulers.boundedElastic().schedule(completion);
                    }
                })
                .contextWrite((context) -> context.put(ServerWebExchange.class, exchange));
    }
}
