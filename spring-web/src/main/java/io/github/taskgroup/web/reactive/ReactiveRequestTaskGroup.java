package io.github.taskgroup.web.reactive;

import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.web.RequestTaskGroup;
import io.github.taskgroup.web.RequestTaskGroupRegistry;
import io.github.taskgroup.web.RequestTaskGroupSettings;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.util.ClassUtils;

/**
 * The task group of one WebFlux request: on Reactor Netty it also watches the connection while the group is
 * open (see {@link ReactorNettyConnectionWatch}).
 */
final class ReactiveRequestTaskGroup extends RequestTaskGroup {

    private static final boolean REACTOR_NETTY_PRESENT =
            ClassUtils.isPresent("reactor.netty.Connection", ReactiveRequestTaskGroup.class.getClassLoader());

    private final ServerHttpRequest request;

    private @Nullable ReactorNettyConnectionWatch watch; // guarded by lock

    ReactiveRequestTaskGroup(
            TaskGroupFactory factory,
            Supplier<String> name,
            Function<String, RequestTaskGroupSettings> settings,
            RequestTaskGroupRegistry registry,
            ServerHttpRequest request) {
        super(factory, name, settings, registry);
        this.request = request;
    }

    @Override
    protected void opened(TaskGroup group) {
        if (REACTOR_NETTY_PRESENT) {
            ReactorNettyConnectionWatch started = ReactorNettyConnectionWatch.start(this, this.request);
            synchronized (this.lock) {
                this.watch = started;
            }
        }
    }

    @Override
    protected void completing() {
        stopWatching();
    }

    /**
     * Called on the request's chain as it terminates, before the (asynchronous) completion: a connection that
     * closes after the response ended is not an abort (the leftovers are cancelled by the completion).
     */
    void stopWatching() {
        ReactorNettyConnectionWatch toStop;
        synchronized (this.lock) {
            toStop = this.watch;
            this.watch = null;
        }
        if (toStop != null) {
            toStop.stop();
        }
    }
}
