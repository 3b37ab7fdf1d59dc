package io.github.taskgroup.web.servlet;

import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.web.IncomingDeadline;
import io.github.taskgroup.web.RequestTaskGroupRegistry;
import io.github.taskgroup.web.RequestTaskGroupSettingsResolver;
import io.github.taskgroup.web.RequestTaskGroups;
import io.github.taskgroup.web.servlet.RequestTaskGroupAsyncFilter.ListeningRequest;
import io.micrometer.common.KeyValue;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.filter.ServerHttpObservationFilter;
import org.springframework.web.servlet.HandlerMapping;

/**
 * {@link RequestTaskGroups} of a servlet application: the request's {@link ServletRequestTaskGroup} is created
 * on first use and lives in the request wrapper of {@link RequestTaskGroupAsyncFilter} (in a request attribute
 * too once the request goes asynchronous, or only there if the request did not pass that filter).
 * {@link #current()} finds the request through {@link RequestContextHolder}, which context propagation also
 * carries into tasks.
 */
public class ServletRequestTaskGroups implements RequestTaskGroups {

    static final String ATTRIBUTE = ServletRequestTaskGroup.class.getName();

    /** Methods whose names are cached: a client may send any token as a method, and the cache must stay bounded. */
    private static final Set<String> STANDARD_METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE");

    /** Group names by route pattern (bounded: the application's routes), then method. */
    private final ConcurrentMap<String, ConcurrentMap<String, String>> names = new ConcurrentHashMap<>();

    private final TaskGroupFactory factory;

    private final RequestTaskGroupRegistry registry;

    private final DisconnectProbeScheduler scheduler;

    private final @Nullable String groupName;

    private final @Nullable JettyFailureListener jetty;

    private final RequestTaskGroupSettingsResolver settings;

    private final @Nullable IncomingDeadline incoming;

    /**
     * @param factory the factory that opens the request groups
     * @param registry where live request groups are listed (for shutdown and the endpoint)
     * @param scheduler the disconnect probe scheduler that watches requests in flight
     * @param groupName the name of every request group, or {@code null} for {@code METHOD /route}
     */
    public ServletRequestTaskGroups(
            TaskGroupFactory factory,
            RequestTaskGroupRegistry registry,
            DisconnectProbeScheduler scheduler,
            @Nullable String groupName) {
        this(factory, registry, scheduler, groupName, new RequestTaskGroupSettingsResolver());
    }

    /**
     * @param factory the factory that opens the request groups
     * @param registry where live request groups are listed (for shutdown and the endpoint)
     * @param scheduler the disconnect probe scheduler that watches requests in flight
     * @param groupName the name of every request group, or {@code null} for {@code METHOD /route}
     * @param settings what each request group opens with (its handler's {@code @RequestTaskGroupOptions} and
     *        the options configured by name)
     */
    public ServletRequestTaskGroups(
            TaskGroupFactory factory,
            RequestTaskGroupRegistry registry,
            DisconnectProbeScheduler scheduler,
            @Nullable String groupName,
            RequestTaskGroupSettingsResolver settings) {
        this(factory, registry, scheduler, groupName, settings, null);
    }

    /**
     * @param factory the factory that opens the request groups
     * @param registry where live request groups are listed (for shutdown and the endpoint)
     * @param scheduler the disconnect probe scheduler that watches requests in flight
     * @param groupName the name of every request group, or {@code null} for {@code METHOD /route}
     * @param settings what each request group opens with (its handler's {@code @RequestTaskGroupOptions} and
     *        the options configured by name)
     * @param incoming how a request's group adopts the deadline its caller sent, or {@code null} not to
     */
    public ServletRequestTaskGroups(
            TaskGroupFactory factory,
            RequestTaskGroupRegistry registry,
            DisconnectProbeScheduler scheduler,
            @Nullable String groupName,
            RequestTaskGroupSettingsResolver settings,
            @Nullable IncomingDeadline incoming) {
        this(
                factory,
                registry,
                scheduler,
                groupName,
                DisconnectProbes.jettyPresent() ? new JettyFailureListener() : null,
                settings,
                incoming);
    }

    ServletRequestTaskGroups(
            TaskGroupFactory factory,
            RequestTaskGroupRegistry registry,
            DisconnectProbeScheduler scheduler,
            @Nullable String groupName,
            @Nullable JettyFailureListener jetty) {
        this(factory, registry, scheduler, groupName, jetty, new RequestTaskGroupSettingsResolver(), null);
    }

    ServletRequestTaskGroups(
            TaskGroupFactory factory,
            RequestTaskGroupRegistry registry,
            DisconnectProbeScheduler scheduler,
            @Nullable String groupName,
            @Nullable JettyFailureListener jetty,
            RequestTaskGroupSettingsResolver settings,
            @Nullable IncomingDeadline incoming) {
        this.factory = factory;
        this.registry = registry;
        this.scheduler = scheduler;
        this.groupName = groupName;
        this.jetty = jetty;
        this.settings = settings;
        this.incoming = incoming;
    }

    @Override
    public TaskGroup current() {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        if (!(attributes instanceof ServletRequestAttributes servlet)) {
            throw new IllegalStateException("No current servlet request: RequestTaskGroups.current() works on "
                    + "request threads and in tasks forked from them");
        }
        return of(servlet.getRequest(), servlet.getResponse()).group();
    }

    /**
     * @param request a request
     * @return its task group scope, created now if it has none yet (the group itself opens on first use)
     */
    public ServletRequestTaskGroup of(HttpServletRequest request) {
        return of(request, null);
    }

    /**
     * @param request a request
     * @param response its response, if known: a client that leaves once the response is committed does not
     *        abort the request (it may simply have read the whole response)
     * @return its task group scope, created now if it has none yet (the group itself opens on first use)
     */
    public ServletRequestTaskGroup of(HttpServletRequest request, @Nullable HttpServletResponse response) {
        ServletRequestTaskGroup scope = find(request);
        if (scope != null) {
            return scope;
        }
        ListeningRequest listening = ListeningRequest.in(request);
        if (listening != null) {
            return listening.scope(() -> newScope(request, response));
        }
        synchronized (request) {
            scope = find(request);
            if (scope == null) {
                scope = newScope(request, response);
                request.setAttribute(ATTRIBUTE, scope);
            }
            return scope;
        }
    }

    private ServletRequestTaskGroup newScope(HttpServletRequest request, @Nullable HttpServletResponse response) {
        ServletRequestTaskGroup scope = new ServletRequestTaskGroup(
                this.factory,
                () -> name(request),
                (name) -> this.settings.resolve(
                        request.getAttribute(HandlerMapping.BEST_MATCHING_HANDLER_ATTRIBUTE), name),
                this.registry,
                request,
                response,
                this.scheduler,
                this.jetty);
        if (this.incoming != null) {
            ListeningRequest listening = ListeningRequest.in(request);
            long arrived = (listening != null) ? listening.arrivedNanos : System.nanoTime();
            this.incoming.read(request::getHeader, arrived).ifPresent((received) -> {
                scope.receive(received);
                ServerHttpObservationFilter.findObservationContext(request)
                        .ifPresent((context) -> context.addHighCardinalityKeyValue(
                                KeyValue.of(IncomingDeadline.RECEIVED_KEY, Long.toString(received.millis()))));
            });
        }
        return scope;
    }

    /**
     * @param request a request
     * @return its task group scope, or {@code null} if nothing asked for it yet
     */
    public static @Nullable ServletRequestTaskGroup find(ServletRequest request) {
        ListeningRequest listening = ListeningRequest.in(request);
        ServletRequestTaskGroup carried = (listening != null) ? listening.scope() : null;
        if (carried != null) {
            return carried;
        }
        return (request.getAttribute(ATTRIBUTE) instanceof ServletRequestTaskGroup scope) ? scope : null;
    }

    private String name(HttpServletRequest request) {
        if (this.groupName != null) {
            return this.groupName;
        }
        Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        String method = request.getMethod();
        if (!(pattern instanceof String route) || !STANDARD_METHODS.contains(method)) {
            return method + " " + ((pattern != null) ? pattern : "UNKNOWN");
        }
        // One String per route and method: the group's meters are looked up by it several times per request,
        // and a String seen before has its hash cached and compares by identity.
        return this.names
                .computeIfAbsent(route, (key) -> new ConcurrentHashMap<>(4))
                .computeIfAbsent(method, (key) -> key + " " + route);
    }
}
