package io.github.taskgroup;

/**
 * Carries context (MDC, security, tracing, request attributes...) from the thread that forks a task to the
 * thread that runs it.
 *
 * <p>{@link #wrap(Runnable)} is called on the forking thread, once per task, at {@code fork} time: it
 * captures the context there and returns a runnable that, on the task's thread, installs the captured
 * context, runs the given runnable, and then restores what the thread had before. It has the shape of
 * Spring's {@code TaskDecorator} and of Micrometer's {@code ContextSnapshot.wrap}, so both adapt with a
 * method reference.
 *
 * <p>Guarantee required from implementations: after the returned runnable completes, normally or not,
 * nothing it installed remains on the thread. A pooled thread must never carry one task's context into
 * the next task.
 *
 * <p>An exception thrown by {@code wrap} fails the fork; an exception thrown by the returned runnable
 * around the task fails the task.
 */
@FunctionalInterface
public interface ContextPropagator {

    /**
     * Captures the current thread's context and returns a runnable that runs {@code task} inside it.
     *
     * @param task what the task's thread runs
     * @return a runnable that runs {@code task} with the captured context installed, and cleans up after
     */
    Runnable wrap(Runnable task);
}
