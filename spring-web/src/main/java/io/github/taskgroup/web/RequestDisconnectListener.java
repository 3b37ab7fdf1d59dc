package io.github.taskgroup.web;

/**
 * Told once per request whose client disconnected while its group was in use (before the response was
 * committed), for metrics: whether the group was cancelled for it, or the disconnect was ignored because the
 * route opted out ({@link RequestTaskGroupOptions#cancelOnDisconnect()}).
 */
@FunctionalInterface
public interface RequestDisconnectListener {

    /**
     * @param groupName the request group's name (bounded: a route, or the fixed name)
     * @param cancelled {@code true} if the group was cancelled (reason {@code request-aborted}), {@code false}
     *        if the disconnect was only counted
     */
    void clientLeft(String groupName, boolean cancelled);
}
