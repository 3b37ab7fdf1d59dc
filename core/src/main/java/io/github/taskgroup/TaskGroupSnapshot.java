package io.github.taskgroup;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A point-in-time view of a live group with its live tasks and nested groups.
 *
 * @param id the group's id
 * @param name its name
 * @param ownerThread the name of the thread that opened it
 * @param openedAt when it was opened
 * @param age time since it was opened
 * @param deadline when it will be cancelled for timeout, or {@code null}
 * @param policy its policy
 * @param state its state
 * @param cancellationReason why it was cancelled, or {@code null}
 * @param tasks its live (pending and running) tasks, in the order they were forked
 * @param groups its live nested groups, in the order they were opened
 * @param leaked whether the group was left open by a task that ended (a bug in that task's code): no thread
 *        owns it any more, and it stays live until someone closes it
 * @param ownerStackTrace the stack of the owner thread when stacks were requested
 *        ({@link TaskGroupFactory#liveGroups(boolean) liveGroups(true)}), otherwise empty
 */
public record TaskGroupSnapshot(
        long id,
        String name,
        String ownerThread,
        Instant openedAt,
        Duration age,
        @Nullable Instant deadline,
        CompletionPolicy policy,
        TaskGroup.State state,
        @Nullable CancellationReason cancellationReason,
        List<TaskSnapshot> tasks,
        List<TaskGroupSnapshot> groups,
        boolean leaked,
        List<StackTraceElement> ownerStackTrace) {

    /** Copies the lists. */
    public TaskGroupSnapshot {
        tasks = List.copyOf(tasks);
        groups = List.copyOf(groups);
        ownerStackTrace = List.copyOf(ownerStackTrace);
    }

    /**
     * A snapshot without the owner's stack.
     *
     * @param id the group's id
     * @param name its name
     * @param ownerThread the name of the thread that opened it
     * @param openedAt when it was opened
     * @param age time since it was opened
     * @param deadline when it will be cancelled for timeout, or {@code null}
     * @param policy its policy
     * @param state its state
     * @param cancellationReason why it was cancelled, or {@code null}
     * @param tasks its live (pending and running) tasks
     * @param groups its live nested groups
     * @param leaked whether the group was left open by a task that ended
     */
    public TaskGroupSnapshot(
            long id,
            String name,
            String ownerThread,
            Instant openedAt,
            Duration age,
            @Nullable Instant deadline,
            CompletionPolicy policy,
            TaskGroup.State state,
            @Nullable CancellationReason cancellationReason,
            List<TaskSnapshot> tasks,
            List<TaskGroupSnapshot> groups,
            boolean leaked) {
        this(
                id,
                name,
                ownerThread,
                openedAt,
                age,
                deadline,
                policy,
                state,
                cancellationReason,
                tasks,
                groups,
                leaked,
                List.of());
    }

    /**
     * A snapshot of a group that was not leaked, without the owner's stack.
     *
     * @param id the group's id
     * @param name its name
     * @param ownerThread the name of the thread that opened it
     * @param openedAt when it was opened
     * @param age time since it was opened
     * @param deadline when it will be cancelled for timeout, or {@code null}
     * @param policy its policy
     * @param state its state
     * @param cancellationReason why it was cancelled, or {@code null}
     * @param tasks its live (pending and running) tasks
     * @param groups its live nested groups
     */
    public TaskGroupSnapshot(
            long id,
            String name,
            String ownerThread,
            Instant openedAt,
            Duration age,
            @Nullable Instant deadline,
            CompletionPolicy policy,
            TaskGroup.State state,
            @Nullable CancellationReason cancellationReason,
            List<TaskSnapshot> tasks,
            List<TaskGroupSnapshot> groups) {
        this(id, name, ownerThread, openedAt, age, deadline, policy, state, cancellationReason, tasks, groups, false);
    }
}
