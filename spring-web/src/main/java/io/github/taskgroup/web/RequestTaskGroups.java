package io.github.taskgroup.web;

import io.github.taskgroup.TaskGroup;

/**
 * Gives code anywhere in the call stack of a request the request's task group: the same group a handler gets
 * as its {@code TaskGroup} parameter. The group is opened on first use, lives as long as the request and is
 * cancelled when the request aborts; never close it yourself.
 */
@FunctionalInterface
public interface RequestTaskGroups {

    /**
     * @return the current request's group, opened if it was not yet
     * @throws IllegalStateException if there is no current request (outside a request thread, or on WebFlux,
     *         where the handler parameter or {@code ReactiveRequestTaskGroups} is the way), or the request is
     *         complete
     */
    TaskGroup current();
}
