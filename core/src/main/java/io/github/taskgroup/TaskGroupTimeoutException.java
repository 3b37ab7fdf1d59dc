package io.github.taskgroup;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Thrown by {@link TaskGroup#join()} when the group's deadline (or an enclosing group's deadline) expired
 * before its tasks finished. The tasks that finished in time keep their results. Genuine failures that
 * happened before or during the cancellation are in {@link #failures()}, as for any
 * {@link TaskGroupException}.
 */
public class TaskGroupTimeoutException extends TaskGroupException {

    private static final long serialVersionUID = 1L;

    private final @Nullable Duration timeout;

    /**
     * @param groupName the group's name
     * @param message the message
     * @param timeout the timeout that expired, or {@code null} when it was an enclosing group's deadline
     * @param failures genuine failures, in order
     * @param omittedFailures how many more failures happened but were not kept
     */
    public TaskGroupTimeoutException(
            String groupName,
            String message,
            @Nullable Duration timeout,
            List<Throwable> failures,
            int omittedFailures) {
        super(groupName, message, failures, omittedFailures);
        this.timeout = timeout;
    }

    /** @return the group's own timeout, or {@code null} when the deadline was inherited from an enclosing group */
    public @Nullable Duration timeout() {
        return timeout;
    }
}
