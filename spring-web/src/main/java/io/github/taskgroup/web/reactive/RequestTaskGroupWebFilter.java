package io.github.taskgroup.web.reactive;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupException;
import io.github.taskgroup.web.RequestTaskGroup;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * WebFlux: Reactor Netty cancels the subscription of the request's chain when the client goes away (about a
 * millisecond after the close, measured); this filter turns that cancellation into an abort of the request's
 * group (reason {@code request-aborted}), and closes the group when the chain terminates, without a thread
 * waiting for it. A streamed response that already wrote is covered by {@link ReactorNettyConnectionWatch},
 * which this filter stops as the chain terminates. A route that opted out of cancel-on-disconnect is not
 * aborted: its group is completed once its tasks end.
 *
 * <p>Closing: when no task of the group is live (a handler that returned a Mono of the group's completion,
 * {@code TaskGroupMono.join(group)} of {@code taskgroup-reactor}), the group is closed at once on the thread
 * that terminated the chain, which does not wait. Otherwise the tasks still running are cancelled (with the
 * abort's reason, else {@code explicit}), unless the client left a route that opted out, and the group is
 * closed by the group's completion (on the view's {@code defaultExecutor()}) once they ended. No
 * thread waits for them. Failures that the chain did not end with (a handler that did not wait for its tasks)
 * are logged as a warning, the others at debug level.
 *
 * <p>It also tells {@code TaskGroupMono} what the cancellation of a subscription in the request's chain
 * means, under the Reactor Context key {@code CancellationReason.class}: {@code request-aborted} once the
 * client went away, nothing (the group runs on) when the client left a route that opted out, {@code explicit}
 * otherwise.
 */
public class RequestTaskGroupWebFilter implements WebFilter, Ordered {

    private static final Log logger = LogFactory.getLog(RequestTaskGroupWebFilter.class);

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 50;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        Throwable[] endedWith = new Throwable[1]; // written and read by the chain's signals, one at a time
        Supplier<Optional<CancellationReason>> onCancel = () -> onCancel(exchange);
        exchange.getAttributes().put(ReactiveRequestTaskGroups.ARRIVED_ATTRIBUTE, System.nanoTime());
        return chain.filter(exchange)
                .doOnCancel(() -> {
                    RequestTaskGroup scope = ReactiveRequestTaskGroups.find(exchange);
                    if (scope != null) {
                        scope.clientLeft();
                    }
                })
                .doOnError((error) -> endedWith[0] = error)
                .doFinally((signal) -> {
                    RequestTaskGroup scope = ReactiveRequestTaskGroups.find(exchange);
                    if (scope instanceof ReactiveRequestTaskGroup reactive) {
                        reactive.stopWatching();
                    }
                    if (scope != null) {
                        complete(scope, endedWith[0]);
                    }
                })
                .contextWrite((context) ->
                        context.put(ServerWebExchange.class, exchange).put(CancellationReason.class, onCancel));
    }

    private static Optional<CancellationReason> onCancel(ServerWebExchange exchange) {
        RequestTaskGroup scope = ReactiveRequestTaskGroups.find(exchange);
        if (scope == null || !scope.hasClientLeft()) {
            return Optional.of(CancellationReason.EXPLICIT);
        }
        // The client left: the group was aborted (request-aborted), or the route opted out and it runs on.
        return scope.abortReason();
    }

    private static void complete(RequestTaskGroup scope, @Nullable Throwable endedWith) {
        TaskGroup group = scope.peek().orElse(null);
        if (group == null || group.state() == TaskGroup.State.CLOSED) {
            scope.complete();
            return;
        }
        CompletableFuture<@Nullable Void> done = group.completion();
        boolean runsOn = scope.hasClientLeft() && scope.abortReason().isEmpty();
        if (!done.isDone() && !runsOn) {
            // Leftovers: cancelled now, as close() would, so that they end without a thread waiting for them.
            group.cancel(scope.abortReason().orElse(CancellationReason.EXPLICIT));
        }
        done.whenComplete((ignored, failure) -> close(scope, group, endedWith));
    }

    /** Called when no task of the group is live: reports what the owner was not told, then closes. */
    private static void close(RequestTaskGroup scope, TaskGroup group, @Nullable Throwable endedWith) {
        CompletableFuture<@Nullable Void> again = group.completion();
        if (!again.isDone()) { // forked meanwhile (by a dependent stage, say): wait for those too, without a thread
            again.whenComplete((ignored, failure) -> close(scope, group, endedWith));
            return;
        }
        try {
            group.join(); // returns at once: nothing is live
        } catch (TaskGroupException ex) {
            if (reported(ex, endedWith)) {
                logger.debug("Tasks of request group '" + group.name() + "' failed; the response reported it", ex);
            } else {
                logger.warn(
                        "Tasks of request group '" + group.name()
                                + "' failed after the handler stopped waiting for them",
                        ex);
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException ex) {
            // cancelled from outside (CancellationException) or closed meanwhile: complete() does the rest
        }
        scope.complete();
    }

    /** Whether the chain ended with these failures: the group's exception, or one of its failures, as a cause. */
    private static boolean reported(TaskGroupException failures, @Nullable Throwable endedWith) {
        for (Throwable cause = endedWith;
                cause != null;
                cause = (cause.getCause() == cause) ? null : cause.getCause()) {
            if (cause instanceof TaskGroupException seen && seen.groupName().equals(failures.groupName())) {
                return true;
            }
            for (Throwable failure : failures.failures()) {
                if (failure == cause) {
                    return true;
                }
            }
        }
        return false;
    }
}
