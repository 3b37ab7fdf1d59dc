package io.github.taskgroup.autoconfigure.context;

import io.github.taskgroup.ContextPropagator;
import java.util.List;
import org.springframework.core.Ordered;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.CompositeTaskDecorator;

/**
 * Applies the application's {@link TaskDecorator} beans to every task, as Spring Boot applies them to its
 * own task executor. A decorator has the same contract as a {@link ContextPropagator}: it captures on the
 * forking thread and must clean up on the task thread.
 */
public final class TaskDecoratorPropagator implements ContextPropagator, Ordered {

    /** The order of this propagator: inside the context snapshot. */
    public static final int ORDER = ContextSnapshotPropagator.ORDER + 100;

    private final TaskDecorator decorator;

    /** @param decorators the decorators, in bean order */
    public TaskDecoratorPropagator(List<TaskDecorator> decorators) {
        this.decorator = (decorators.size() == 1) ? decorators.get(0) : new CompositeTaskDecorator(decorators);
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
