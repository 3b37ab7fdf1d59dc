package io.github.taskgroup.autoconfigure.context;

import io.github.taskgroup.ContextPropagator;
import io.micrometer.context.ContextSnapshotFactory;
import org.springframework.core.Ordered;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;

/**
 * Propagates every thread local known to a Micrometer {@code ContextRegistry} (MDC, security context, request
 * attributes, observation...) with a {@code ContextSnapshot}: captured at fork, installed around the task,
 * and the task thread's previous values restored afterwards, so nothing outlives the task on a pooled thread.
 *
 * <p>It runs outermost, so that {@link TaskDecoratorPropagator} decorators already see the restored context.
 */
public final class ContextSnapshotPropagator implements ContextPropagator, Ordered {

    /** The order of this propagator: before the task decorators. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 100;

    private final ContextPropagatingTaskDecorator decorator;

    /**
     * @param snapshotFactory the factory that captures snapshots; build it with {@code clearMissing(true)}
     *        so that values absent on the forking thread are absent in the task too
     */
    public ContextSnapshotPropagator(ContextSnapshotFactory snapshotFactory) {
        this.decorator = new ContextPropagatingTaskDecorator(snapshotFactory);
    }

    @Override
    public Runnable wrap(Runnable task) {
        return this.decorator.decorate(task);
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
