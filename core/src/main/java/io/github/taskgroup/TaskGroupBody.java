package io.github.taskgroup;

import org.jspecify.annotations.Nullable;

/**
 * The body of a group run by {@link TaskGroupFactory#run(String, TaskGroupBody)}: it runs on the calling
 * thread, forks tasks into the group it is given, and returns the result of the whole group.
 *
 * @param <R> the type of the result
 */
@FunctionalInterface
public interface TaskGroupBody<R extends @Nullable Object> {

    /**
     * Runs the body.
     *
     * @param group the open group, owned by the calling thread
     * @return the result of the group
     * @throws Exception any failure; it cancels the group's tasks and is reported in the
     *         {@link TaskGroupException} that {@code run} throws
     */
    R run(TaskGroup group) throws Exception;
}
