package io.github.taskgroup;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * A fork was refused at once by admission control: its group's queue
 * ({@link TaskGroupOptions.Builder#maxQueued(int)}) or the queue of the shared limit it passes
 * ({@link TaskGroupFactory.Builder#limit(String, int, int)}) was full. Thrown by
 * {@link TaskGroup#fork(String, java.util.concurrent.Callable)}; {@link TaskGroup#tryFork} returns an empty
 * result instead.
 *
 * <p>Nothing was forked: no task exists, no listener saw a {@code taskForked} event, the group's policy is not
 * involved, and the group and its other tasks go on as before. The web integration maps this exception to
 * {@code 429 Too Many Requests}.
 */
public class TaskRejectedException extends RejectedExecutionException {

    private static final long serialVersionUID = 1L;

    /** Why a fork was refused; {@link #value()} is the {@code reason} tag of the rejection counter. */
    public enum Reason {
        /** The group's own queue, behind its {@code maxConcurrency}, was full. */
        QUEUE_FULL("queue-full"),
        /** The queue of the shared (named) limit the group's tasks pass was full. */
        LIMIT_FULL("limit-full");

        private final String value;

        Reason(String value) {
            this.value = value;
        }

        /** @return the lowercase, dash-separated form, as in metrics tags */
        public String value() {
            return value;
        }
    }

    private final String groupName;
    private final Reason reason;
    private final @Nullable String limitName;
    private final int maxQueued;

    /**
     * @param groupName the name of the group the fork was refused by
     * @param reason why
     * @param limitName the shared limit whose queue was full, or {@code null} for the group's own queue
     * @param maxQueued the bound that was reached
     * @param message the message
     */
    public TaskRejectedException(
            String groupName, Reason reason, @Nullable String limitName, int maxQueued, String message) {
        super(message);
        this.groupName = Objects.requireNonNull(groupName, "groupName");
        this.reason = Objects.requireNonNull(reason, "reason");
        this.limitName = limitName;
        this.maxQueued = maxQueued;
    }

    /** @return the name of the group that refused the fork */
    public String groupName() {
        return groupName;
    }

    /** @return why the fork was refused */
    public Reason reason() {
        return reason;
    }

    /** @return the name of the shared limit whose queue was full; empty when it was the group's own queue */
    public Optional<String> limitName() {
        return Optional.ofNullable(limitName);
    }

    /** @return the queue bound that was reached ({@code maxQueued} of the group or of the shared limit) */
    public int maxQueued() {
        return maxQueued;
    }
}
