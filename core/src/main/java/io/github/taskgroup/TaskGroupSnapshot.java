package io.github.taskgroup;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * @param attributes the group's {@linkplain TaskGroup#attributes() attributes}, in their order; empty when it
 *        has none
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
        List<StackTraceElement> ownerStackTrace,
        Map<String, String> attributes) {

    /**
     * Copies the lists and the attributes (keeping their order).
     *
     * @throws NullPointerException if a list, the attributes, or one of their keys or values is null
     */
    public TaskGroupSnapshot {
        tasks = List.copyOf(tasks);
        groups = List.copyOf(groups);
        ownerStackTrace = List.copyOf(ownerStackTrace);
        attributes = copy(attributes);
    }

    /** The group's own map is unmodifiable already, but a snapshot may come from elsewhere (a test double). */
    private static Map<String, String> copy(Map<String, String> attributes) {
        Objects.requireNonNull(attributes, "attributes");
        if (attributes.isEmpty()) {
            return Map.of();
        }
        Map<String, String> copy = new LinkedHashMap<>(attributes.size() * 2);
        attributes.forEach((key, value) -> copy.put(
                Objects.requireNonNull(key, "attribute key"),
                Objects.requireNonNull(value, () -> "value of attribute '" + key + "'")));
        return Collections.unmodifiableMap(copy);
    }

    /**
     * A snapshot without attributes.
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
     * @param ownerStackTrace the stack of the owner thread, or empty
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
            boolean leaked,
            List<StackTraceElement> ownerStackTrace) {
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
                ownerStackTrace,
                Map.of());
    }

    /**
     * A snapshot without the owner's stack and without attributes.
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
     * A snapshot of a group that was not leaked, without the owner's stack and without attributes.
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
