package io.github.taskgroup.autoconfigure.actuate;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupSnapshot;
import io.github.taskgroup.TaskSnapshot;
import java.util.List;
import java.util.Locale;
import java.util.function.LongFunction;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.lang.Contract;

/**
 * The {@code taskgroups} endpoint: the live groups of the {@link TaskGroupFactory} as a tree, with a summary,
 * and the cancellation of one group.
 *
 * <ul>
 *   <li>{@code GET /actuator/taskgroups}: the summary and the tree of live root groups.</li>
 *   <li>{@code GET /actuator/taskgroups/{id}}: one live group (nested or not) with its subtree; 404 when no
 *       live group has this id.</li>
 *   <li>{@code DELETE /actuator/taskgroups/{id}}: cancels the group with reason {@code explicit} (a
 *       request-scoped group: from the server side, reason {@code request-aborted}, see {@link #cancel}). A write
 *       operation: its default access is read-only, so it needs
 *       {@code management.endpoint.taskgroups.access=unrestricted}.</li>
 * </ul>
 * Durations are ISO-8601 ({@code PT1.5S}), instants ISO-8601 UTC, states and policies lowercase.
 */
@Endpoint(id = "taskgroups", defaultAccess = Access.READ_ONLY)
public class TaskGroupsEndpoint {

    private final TaskGroupFactory factory;

    private final LongFunction<@Nullable Boolean> requestGroups;

    /** @param factory the factory whose live groups are shown */
    public TaskGroupsEndpoint(TaskGroupFactory factory) {
        this(factory, (id) -> null);
    }

    /**
     * @param factory the factory whose live groups are shown
     * @param requestGroups cancels the request-scoped group with this id from the server side (so that its
     *     handler's {@code join()} throws and the client gets 503) and says whether it did; returns
     *     {@code null} when no request group has this id
     */
    public TaskGroupsEndpoint(TaskGroupFactory factory, LongFunction<@Nullable Boolean> requestGroups) {
        this.factory = factory;
        this.requestGroups = requestGroups;
    }

    /** @return the summary and the tree of live groups */
    @ReadOperation
    public TaskGroupsDescriptor taskGroups() {
        List<TaskGroupSnapshot> roots = this.factory.liveGroups();
        int[] counts = new int[3];
        roots.forEach((root) -> count(root, counts));
        return new TaskGroupsDescriptor(
                new Summary(counts[0], counts[1], counts[2]),
                roots.stream().map(GroupDescriptor::of).toList());
    }

    /**
     * @param id a group id
     * @return the live group with this id and its subtree, or {@code null} (404) if there is none
     */
    @ReadOperation
    public @Nullable GroupDescriptor taskGroup(@Selector long id) {
        for (TaskGroupSnapshot root : this.factory.liveGroups()) {
            TaskGroupSnapshot found = find(root, id);
            if (found != null) {
                return GroupDescriptor.of(found);
            }
        }
        return null;
    }

    /**
     * Cancels a live group (and so its subtree) with reason {@link CancellationReason#EXPLICIT}. A
     * request-scoped group is cancelled from the server side instead, as at shutdown (reason
     * {@link CancellationReason#REQUEST_ABORTED}): its handler's {@code join()} throws
     * {@code CancellationException} rather than returning as if the work had been done, and the client gets
     * 503.
     *
     * @param id a group id
     * @return what happened
     */
    @DeleteOperation
    public CancelResult cancel(@Selector long id) {
        Boolean request = this.requestGroups.apply(id);
        if (request != null) {
            return new CancelResult(id, true, request);
        }
        return this.factory
                .find(id)
                .map((group) -> new CancelResult(id, true, group.cancel(CancellationReason.EXPLICIT)))
                .orElseGet(() -> new CancelResult(id, false, false));
    }

    private static void count(TaskGroupSnapshot group, int[] counts) {
        counts[0]++;
        for (TaskSnapshot task : group.tasks()) {
            if (task.state() == Task.State.RUNNING) {
                counts[1]++;
            } else if (task.state() == Task.State.PENDING) {
                counts[2]++;
            }
        }
        group.groups().forEach((nested) -> count(nested, counts));
    }

    private static @Nullable TaskGroupSnapshot find(TaskGroupSnapshot group, long id) {
        if (group.id() == id) {
            return group;
        }
        for (TaskGroupSnapshot nested : group.groups()) {
            TaskGroupSnapshot found = find(nested, id);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    @Contract("null -> null; !null -> !null")
    private static @Nullable String lower(@Nullable Enum<?> value) {
        return (value != null) ? value.name().toLowerCase(Locale.ROOT) : null;
    }

    @Contract("null -> null; !null -> !null")
    private static @Nullable String iso(@Nullable Object value) {
        return (value != null) ? value.toString() : null;
    }

    /**
     * The response of {@code GET /actuator/taskgroups}.
     *
     * @param summary counts over all live groups, nested ones included
     * @param groups the live root groups, each with its subtree
     */
    public record TaskGroupsDescriptor(Summary summary, List<GroupDescriptor> groups)
            implements OperationResponseBody {}

    /**
     * Counts over all live groups.
     *
     * @param groups live groups, nested ones included
     * @param runningTasks tasks running on a thread
     * @param queuedTasks tasks forked and not started yet (waiting for a concurrency permit or a thread)
     */
    public record Summary(int groups, int runningTasks, int queuedTasks) {}

    /**
     * A live group.
     *
     * @param id its id (use it to cancel it)
     * @param name its name
     * @param ownerThread the name of the thread that opened it
     * @param openedAt when it was opened (ISO-8601)
     * @param age how long it has been open (ISO-8601 duration)
     * @param deadline when it will be cancelled for timeout (ISO-8601), or {@code null}
     * @param policy {@code fail-fast}, {@code supervise} or {@code first-success}
     * @param state {@code open}, {@code joining}, {@code cancelling} or {@code closed}
     * @param cancellationReason why it was cancelled ({@code explicit}, {@code timeout}, ...), or {@code null}
     * @param tasks its live tasks
     * @param groups its live nested groups
     */
    public record GroupDescriptor(
            long id,
            String name,
            String ownerThread,
            String openedAt,
            String age,
            @Nullable String deadline,
            String policy,
            String state,
            @Nullable String cancellationReason,
            List<TaskDescriptor> tasks,
            List<GroupDescriptor> groups)
            implements OperationResponseBody {

        static GroupDescriptor of(TaskGroupSnapshot group) {
            CancellationReason reason = group.cancellationReason();
            return new GroupDescriptor(
                    group.id(),
                    group.name(),
                    group.ownerThread(),
                    iso(group.openedAt()),
                    iso(group.age()),
                    iso(group.deadline()),
                    group.policy().value(),
                    lower(group.state()),
                    (reason != null) ? reason.value() : null,
                    group.tasks().stream().map(TaskDescriptor::of).toList(),
                    group.groups().stream().map(GroupDescriptor::of).toList());
        }
    }

    /**
     * A live task.
     *
     * @param name its name
     * @param state {@code pending} (waiting for a concurrency permit or a thread) or {@code running}
     * @param age time since it was forked (ISO-8601 duration)
     * @param thread the thread running it, or {@code null} while it is pending
     * @param sinceCancelled time since it was cancelled while it ran (ISO-8601 duration), or {@code null}
     * @param straggler whether it still runs at least {@code taskgroup.straggler-threshold} after its
     *     cancellation: it ignores its interrupt
     */
    public record TaskDescriptor(
            String name,
            String state,
            String age,
            @Nullable String thread,
            @Nullable String sinceCancelled,
            boolean straggler) {

        static TaskDescriptor of(TaskSnapshot task) {
            return new TaskDescriptor(
                    task.name(),
                    lower(task.state()),
                    iso(task.age()),
                    task.thread(),
                    iso(task.sinceCancelled()),
                    task.straggler());
        }
    }

    /**
     * The response of {@code DELETE /actuator/taskgroups/{id}}.
     *
     * @param id the requested id
     * @param found whether a live group has this id
     * @param cancelled whether this request cancelled it ({@code false} when it was already cancelled or closed)
     */
    public record CancelResult(long id, boolean found, boolean cancelled) implements OperationResponseBody {}
}
