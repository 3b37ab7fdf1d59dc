package io.github.taskgroup.autoconfigure;

import java.util.concurrent.Executor;
import org.springframework.beans.factory.DisposableBean;

/**
 * The executor that runs the tasks of the auto-configured factory, with whether the factory owns it.
 *
 * <p>It is deliberately not an {@link Executor} bean itself: one more {@code Executor} bean would make Spring
 * Boot back off from its {@code applicationTaskExecutor} and confuse {@code @Async}. An executor it owns
 * (the 'virtual' and 'platform' modes) is shut down when this bean is destroyed, if it can be (the platform
 * pool; the virtual-thread starter has nothing to shut down), which happens after the factory and its shutdown
 * lifecycle, so open groups drain before their threads go away. An application executor ('bean' mode) is left
 * to its own bean's lifecycle.
 */
public final class TaskGroupExecutor implements DisposableBean {

    private final Executor executor;

    private final String description;

    private final boolean owned;

    private TaskGroupExecutor(Executor executor, String description, boolean owned) {
        this.executor = executor;
        this.description = description;
        this.owned = owned;
    }

    /**
     * @param executor an executor that this bean shuts down when it is destroyed
     * @param description what it is, for logs
     * @return the holder
     */
    public static TaskGroupExecutor owned(Executor executor, String description) {
        return new TaskGroupExecutor(executor, description, true);
    }

    /**
     * @param executor an executor whose lifecycle belongs to somebody else
     * @param description what it is, for logs
     * @return the holder
     */
    public static TaskGroupExecutor shared(Executor executor, String description) {
        return new TaskGroupExecutor(executor, description, false);
    }

    /** @return the executor */
    public Executor getExecutor() {
        return this.executor;
    }

    /** @return whether this bean shuts the executor down */
    public boolean isOwned() {
        return this.owned;
    }

    @Override
    public void destroy() throws Exception {
        if (!this.owned) {
            return;
        }
        if (this.executor instanceof DisposableBean disposable) {
            disposable.destroy();
        } else if (this.executor instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    @Override
    public String toString() {
        return this.description;
    }
}
