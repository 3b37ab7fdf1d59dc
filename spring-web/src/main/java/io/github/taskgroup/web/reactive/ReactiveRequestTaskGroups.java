package io.github.taskgroup.web.reactive;

import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.web.IncomingDeadline;
import io.github.taskgroup.web.RequestTaskGroup;
import io.github.taskgroup.web.RequestTaskGroupRegistry;
import io.github.taskgroup.web.RequestTaskGroupSettingsResolver;
import io.micrometer.common.KeyValue;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.pattern.PathPattern;
import reactor.core.publisher.Mono;

/**
 * Request-scoped groups of a WebFlux application: the exchange's {@link RequestTaskGroup} lives in an
 * exchange attribute, created on first use. There is no current request on a thread in WebFlux: use the
 * handler's {@code TaskGroup} parameter, {@link #of(ServerWebExchange)}, or {@link #current()} inside the
 * reactive chain of a request.
 */
public class ReactiveRequestTaskGroups {

    static final String ATTRIBUTE = RequestTaskGroup.class.getName() + ".reactive";

    /** When the exchange passed {@link RequestTaskGroupWebFilter} ({@link System#nanoTime()}, a Long). */
    static final String ARRIVED_ATTRIBUTE = RequestTaskGroup.class.getName() + ".arrived";

    private final TaskGroupFactory factory;

    private final RequestTaskGroupRegistry registry;

    private final @Nullable String groupName;

    private final RequestTaskGroupSettingsResolver settings;

    private final @Nullable IncomingDeadline incoming;

    /**
     * @param factory the factory that opens the request groups
     * @param registry where live request groups are listed (for shutdown and the endpoint)
     * @param groupName the name of every request group, or {@code null} for {@code METHOD /route}
     */
    public ReactiveRequestTaskGroups(
            TaskGroupFactory factory, RequestTaskGroupRegistry registry, @Nullable String groupName) {
        this(factory, registry, groupName, new RequestTaskGroupSettingsResolver());
    }

    /**
     * @param factory the factory that opens the request groups
     * @param registry where live request groups are listed (for shutdown and the endpoint)
     * @param groupName the name of every request group, or {@code null} for {@code METHOD /route}
     * @param settings what each request group opens with (its handler's {@code @RequestTaskGroupOptions} and
     *        the options configured by name)
     */
    public ReactiveRequestTaskGroups(
            TaskGroupFactory factory,
            RequestTaskGroupRegistry registry,
            @Nullable String groupName,
            RequestTaskGroupSettingsResolver settings) {
        this(factory, registry, groupName, settings, null);
    }

    /**
     * @param factory the factory that opens the request groups
     * @param registry where live request groups are listed (for shutdown and the endpoint)
     * @param groupName the name of every request group, or {@code null} for {@code METHOD /route}
     * @param settings what each request group opens with (its handler's {@code @RequestTaskGroupOptions} and
     *        the options configured by name)
     * @param incoming how a request's group adopts the deadline its caller sent, or {@code null} not to
     */
    public ReactiveRequestTaskGroups(
            TaskGroupFactory factory,
            RequestTaskGroupRegistry registry,
            @Nullable String groupName,
            RequestTaskGroupSettingsResolver settings,
            @Nullable IncomingDeadline incoming) {
        this.incoming = incoming;
        this.factory = factory;
        this.registry = registry;
        this.groupName = groupName;
        this.settings = settings;
    }

    /** @return the group of the request whose reactive chain subscribes, opened if it was not yet */
    public Mono<TaskGroup> current() {
        return Mono.deferContextual((context) ->
                Mono.fromSupplier(() -> of(context.get(ServerWebExchange.class)).group()));
    }

    /**
     * @param exchange an exchange
     * @return its request group scope, created if it has none yet (the group opens on first use)
     */
    public RequestTaskGroup of(ServerWebExchange exchange) {
        RequestTaskGroup scope = find(exchange);
        if (scope != null) {
            return scope;
        }
        synchronized (exchange) {
            scope = find(exchange);
            if (scope == null) {
                scope = new ReactiveRequestTaskGroup(
                        this.factory,
                        () -> name(exchange),
                        (name) -> this.settings.resolve(
                                exchange.getAttribute(HandlerMapping.BEST_MATCHING_HANDLER_ATTRIBUTE), name),
                        this.registry,
                        exchange.getRequest());
                exchange.getAttributes().put(ATTRIBUTE, scope);
                receive(exchange, scope);
            }
            return scope;
        }
    }

    private void receive(ServerWebExchange exchange, RequestTaskGroup scope) {
        if (this.incoming == null) {
            return;
        }
        long arrived = (exchange.getAttribute(ARRIVED_ATTRIBUTE) instanceof Long nanos) ? nanos : System.nanoTime();
        HttpHeaders headers = exchange.getRequest().getHeaders();
        this.incoming.read(headers::getFirst, arrived).ifPresent((received) -> {
            scope.receive(received);
            ServerRequestObservationContext.findCurrent(exchange.getAttributes())
                    .ifPresent((context) -> context.addHighCardinalityKeyValue(
                            KeyValue.of(IncomingDeadline.RECEIVED_KEY, Long.toString(received.millis()))));
        });
    }

    static @Nullable RequestTaskGroup find(ServerWebExchange exchange) {
        return (exchange.getAttribute(ATTRIBUTE) instanceof RequestTaskGroup scope) ? scope : null;
    }

    private String name(ServerWebExchange exchange) {
        if (this.groupName != null) {
            return this.groupName;
        }
        Object pattern = exchange.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        String route = (pattern instanceof PathPattern path)
                ? path.getPatternString()
                : (pattern != null) ? pattern.toString() : "UNKNOWN";
        return exchange.getRequest().getMethod().name() + " " + route;
    }
}
