package io.github.taskgroup.autoconfigure.actuate;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupSnapshot;
import io.github.taskgroup.TaskSnapshot;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 *   <li>Both take {@code ?stacks=true} (default {@code false}): each group then has its owner thread's stack
 *       ({@code ownerStack}) and each running task its thread's stack ({@code stack}), one string per frame
 *       as in {@code jcmd Thread.dump_to_file -format=json}. Without it these fields are absent.</li>
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

    /** @return the summary and the tree of live groups, without stacks */
    public TaskGroupsDescriptor taskGroups() {
        return taskGroups(null);
    }

    /**
     * @param stacks whether to include the stacks of owner and task threads ({@code ?stacks=true}); absent
     *     or {@code null}: no
     * @return the summary and the tree of live groups
     */
    @ReadOperation
    public TaskGroupsDescriptor taskGroups(@Nullable Boolean stacks) {
        List<TaskGroupSnapshot> roots = this.factory.liveGroups(Boolean.TRUE.equals(stacks));
        int[] counts = new int[3];
        roots.forEach((root) -> count(root, counts));
        return new TaskGroupsDescriptor(
                new Summary(counts[0], counts[1], counts[2]),
                roots.stream().map((root) -> GroupDescriptor.of(root, stacks)).toList());
    }

    /**
     * @param id a group id
     * @return the live group with this id and its subtree, without stacks, or {@code null} if there is none
     */
    public @Nullable GroupDescriptor taskGroup(long id) {
        return taskGroup(id, null);
    }

    /**
     * @param id a group id
     * @param stacks whether to include the stacks of owner and task threads ({@code ?stacks=true})
     * @return the live group with this id and its subtree, or {@code null} (404) if there is none
     */
    @ReadOperation
    public @Nullable GroupDescriptor taskGroup(@Selector long id, @Nullable Boolean stacks) {
        for (TaskGroupSnapshot root : this.factory.liveGroups(Boolean.TRUE.equals(stacks))) {
            TaskGroupSnapshot found = find(root, id);
            if (found != null) {
                return GroupDescriptor.of(found, stacks);
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

    /** The frames as the JDK's JSON thread dump writes them, or {@code null} when stacks were not asked for. */
    private static @Nullable List<String> frames(List<StackTraceElement> stack, @Nullable Boolean stacks) {
        return Boolean.TRUE.equals(stacks)
                ? stack.stream().map(StackTraceElement::toString).toList()
                : null;
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
     * @param ownerStack the owner thread's stack, one frame per string, with {@code ?stacks=true}; otherwise
     *     {@code null} (absent from the JSON)
     * @param attributes the group's attributes ({@code TaskGroup.attributes()}), in their order, for example
     *     {@code taskgroup.received-timeout-ms} of a request group that received a deadline; {@code null}
     *     (absent from the JSON) when it has none
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
            List<GroupDescriptor> groups,
            @Nullable List<String> ownerStack,
            @Nullable Map<String, String> attributes)
            implements OperationResponseBody {

        static GroupDescriptor of(TaskGroupSnapshot group, @Nullable Boolean stacks) {
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
                    group.tasks().stream()
                            .map((task) -> TaskDescriptor.of(task, stacks))
                            .toList(),
                    group.groups().stream().map((nested) -> of(nested, stacks)).toList(),
                    frames(group.ownerStackTrace(), stacks),
                    group.attributes().isEmpty() ? null : group.attributes());
        }
    }

    /**
     * A live task.
     *
     * @param name its name
     * @param state {@code pending} (waiting for a concurrency permit or a thread) or {@code running}
     * @param age time since it was forked (ISO-8601 duration)
     * @param thread the thread running it, or {@code null} while it is pending
     * @param stack the stack of that thread, one frame per string, with {@code ?stacks=true} (empty while it is
     *     pending); otherwise {@code null} (absent from the JSON)
     * @param sinceCancelled time since it was cancelled while it ran (ISO-8601 duration), or {@code null}
     * @param straggler whether it still runs at least {@code taskgroup.straggler-threshold} after its
     *     cancellation: it ignores its interrupt
     */
    public record TaskDescriptor(
            String name,
            String state,
            String age,
            @Nullable String thread,
            @Nullable List<String> stack,
            @Nullable String sinceCancelled,
            boolean straggler) {

        static TaskDescriptor of(TaskSnapshot task, @Nullable Boolean stacks) {
            return new TaskDescriptor(
                    task.name(),
                    lower(task.state()),
                    iso(task.age()),
                    task.thread(),
                    frames(task.stackTrace(), stacks),
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
