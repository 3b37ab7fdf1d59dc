package io.github.taskgroup;

import java.util.Locale;

/**
 * Why a group or a task was cancelled. The reason travels with every cancellation event, so that
 * listeners (metrics, tracing) report it instead of guessing.
 *
 * <p>When a group is cancelled, its tasks are cancelled with the same reason. Its nested groups are
 * cancelled with the same reason when the reason is a situation that applies to the whole subtree
 * ({@link #TIMEOUT}, {@link #SHUTDOWN}, {@link #REQUEST_ABORTED}), and with {@link #PARENT} when it is a
 * decision taken about the parent group ({@link #SIBLING_FAILURE}, {@link #EXPLICIT},
 * {@link #FIRST_SUCCESS}, {@link #POLICY}, {@link #PARENT}).
 */
public enum CancellationReason {

    /** A task of the group (or the body of {@link TaskGroupFactory#run}) failed under the fail-fast policy. */
    SIBLING_FAILURE,

    /** The group's deadline, or an enclosing group's deadline, expired. */
    TIMEOUT,

    /** The HTTP request on whose behalf the group works was aborted (for example the client disconnected). */
    REQUEST_ABORTED,

    /** The application (or the {@link TaskGroupFactory}) is shutting down. */
    SHUTDOWN,

    /**
     * Somebody asked for it: {@link TaskGroup#cancel()}, {@link Task#cancel()}, or the owner left the
     * group's block without joining the tasks it had forked.
     */
    EXPLICIT,

    /** The enclosing group was cancelled, or the owner thread of this group was interrupted. */
    PARENT,

    /** Under the first-success policy, another task of the group succeeded first. */
    FIRST_SUCCESS,

    /**
     * The group's {@linkplain CompletionPolicy completion policy} settled the group's outcome as a success
     * before every task ended (a {@linkplain CompletionPolicy#quorum quorum} was reached, a
     * {@linkplain CompletionPolicy#cancelOnResult matching result} arrived): the rest is not needed.
     */
    POLICY;

    /**
     * The reason as a lowercase, dash-separated word ({@code sibling-failure}, {@code timeout}, ...), a
     * bounded value suitable for metric tags and log lines.
     *
     * @return the tag value of this reason
     */
    public String value() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The reason to give the nested groups of a group cancelled for this reason. */
    CancellationReason forNestedGroups() {
        return switch (this) {
            case TIMEOUT, SHUTDOWN, REQUEST_ABORTED -> this;
            default -> PARENT;
        };
    }
}
