package io.github.taskgroup;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A point-in-time view of a live task, for introspection (for example an Actuator endpoint).
 *
 * @param name the task's name
 * @param state its state when the snapshot was taken
 * @param age time since it was forked
 * @param thread the name of the thread running it, or {@code null} while it is pending
 * @param stackTrace the stack of that thread when requested, otherwise empty
 * @param sinceCancelled time since cancellation was requested while it ran, or {@code null} if it was not
 *        cancelled (a task cancelled before it started is never live)
 * @param straggler whether it was cancelled at least the factory's
 *        {@linkplain TaskGroupFactory.Builder#stragglerThreshold straggler threshold} ago and still runs: it
 *        ignores its interrupt
 */
public record TaskSnapshot(
        String name,
        Task.State state,
        Duration age,
        @Nullable String thread,
        List<StackTraceElement> stackTrace,
        @Nullable Duration sinceCancelled,
        boolean straggler) {

    /** Copies the stack trace list. */
    public TaskSnapshot {
        stackTrace = List.copyOf(stackTrace);
    }

    /**
     * A snapshot of a task that was not cancelled.
     *
     * @param name the task's name
     * @param state its state when the snapshot was taken
     * @param age time since it was forked
     * @param thread the name of the thread running it, or {@code null} while it is pending
     * @param stackTrace the stack of that thread when requested, otherwise empty
     */
    public TaskSnapshot(
            String name, Task.State state, Duration age, @Nullable String thread, List<StackTraceElement> stackTrace) {
        this(name, state, age, thread, stackTrace, null, false);
    }
}
