package io.github.taskgroup;

import java.util.Objects;
import java.util.Optional;

/**
 * The calling thread's current group: the group that a {@link TaskGroupFactory#open(String) newly opened}
 * group becomes a child of.
 *
 * <p>A thread's current group is the innermost live group it opened, or the group of the task it runs.
 * Infrastructure that manages a group's lifetime across threads (a request-scoped group of an
 * asynchronous request, for example) opens it with {@link TaskGroupFactory#openRoot} and binds it only
 * while a thread works on its behalf:
 *
 * <pre>{@code
 * TaskGroup requestGroup = factory.openRoot("GET /products/{id}", options);
 * try (CurrentTaskGroup.Binding binding = CurrentTaskGroup.bind(requestGroup)) {
 *     handler.handle(); // groups the handler opens are children of the request group
 * }
 * }</pre>
 */
public final class CurrentTaskGroup {

    private CurrentTaskGroup() {}

    /** @return the calling thread's innermost live group, if any */
    public static Optional<TaskGroup> get() {
        return Optional.ofNullable(DefaultTaskGroup.current());
    }

    /**
     * Makes {@code group} the calling thread's current group until the returned binding is closed, which
     * restores what the thread had before. Bindings must be closed on the thread that made them, in reverse
     * order.
     *
     * @param group a group opened by a {@link TaskGroupFactory} of this library
     * @return the binding to close
     * @throws IllegalArgumentException if the group was not opened by this library
     */
    public static Binding bind(TaskGroup group) {
        Objects.requireNonNull(group, "group");
        if (!(group instanceof DefaultTaskGroup bound)) {
            throw new IllegalArgumentException("Not a group of this library: " + group);
        }
        DefaultTaskGroup previous = DefaultTaskGroup.enterTask(bound);
        Thread thread = Thread.currentThread();
        return () -> {
            if (Thread.currentThread() != thread) {
                throw new IllegalStateException(
                        "A binding must be closed on the thread that made it (" + thread.getName() + ")");
            }
            DefaultTaskGroup.leaveTask(previous);
        };
    }

    /** Undoes a {@link #bind(TaskGroup)}. */
    @FunctionalInterface
    public interface Binding extends AutoCloseable {

        /** Restores the thread's previous current group. */
        @Override
        void close();
    }
}
