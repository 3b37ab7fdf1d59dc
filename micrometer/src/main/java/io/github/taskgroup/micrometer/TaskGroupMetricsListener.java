package io.github.taskgroup.micrometer;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupListener;
import io.github.taskgroup.TaskRejectedException;
import io.github.taskgroup.TaskSnapshot;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * Records the meters of {@link TaskGroupMeters} for every group and task of the factories it listens to.
 *
 * <ul>
 *   <li>Every forked task counts once in {@code taskgroup.tasks.spawned} and, when it finishes, once in
 *       {@code taskgroup.task.duration} with its outcome, so that once all groups are closed the spawned count
 *       equals the sum of the timer's counts over the outcomes {@code succeeded}, {@code failed} and
 *       {@code cancelled}. A task that never started (cancelled before it got a thread, or rejected by the
 *       executor) is recorded with a duration of zero.</li>
 *   <li>A cancelled task also counts in {@code taskgroup.tasks.cancelled} with its reason.</li>
 *   <li>{@code taskgroup.tasks.queued} counts the tasks forked and not started yet: waiting for a concurrency
 *       permit ({@code max-concurrency}) or for the executor to give them a thread. {@code taskgroup.tasks.active}
 *       counts the tasks running on a thread. {@code taskgroup.groups.active} counts the open groups.</li>
 *   <li>Admission control: {@code taskgroup.task.wait} times how long each task of a group with a
 *       {@code max-concurrency} or a shared limit waited for its permits (zero when it had them at once);
 *       {@code taskgroup.tasks.rejected} counts the forks refused because a queue was full, by {@code reason}
 *       ({@code queue-full}, {@code limit-full}). A refused fork is not a task: it is not in
 *       {@code taskgroup.tasks.spawned}.</li>
 *   <li>A task reported as a straggler (still running the factory's straggler threshold after its
 *       cancellation) counts once in {@code taskgroup.tasks.stragglers.seen}, and in the gauge
 *       {@code taskgroup.tasks.stragglers} until it finishes.</li>
 * </ul>
 *
 * <p>The meters of a group name are created on its first event and cached, so an event costs a map lookup and
 * an increment. Past {@code maxGroupNames} distinct names, further names share the tag
 * {@value TaskGroupMeters#OTHER_GROUPS}, and one warning is logged. {@link TaskGroupMetrics#listener} makes one
 * with the default limit.
 */
public class TaskGroupMetricsListener implements TaskGroupListener {

    // System.Logger: no logging dependency; Spring Boot routes it to its logging system like any JUL logger.
    private static final System.Logger logger = System.getLogger(TaskGroupMetricsListener.class.getName());

    private static final CancellationReason[] REASONS = CancellationReason.values();

    /** The meters of each {@code group} tag, bounded by the rule that the observations' group key follows too. */
    private final GroupTags<GroupMeters> byTag;

    /** Tasks reported as stragglers and not finished yet, with the meters that count them. */
    private final Map<Task<?>, GroupMeters> stragglers = new ConcurrentHashMap<>();

    /**
     * @param registry where the meters go
     * @param maxGroupNames how many distinct group names get a tag of their own (at least 1)
     */
    public TaskGroupMetricsListener(MeterRegistry registry, int maxGroupNames) {
        this.byTag = new GroupTags<>(maxGroupNames, (tag) -> new GroupMeters(registry, tag), logger, "the meters");
    }

    @Override
    public void groupOpened(TaskGroup group) {
        meters(group).groupsActive.incrementAndGet();
    }

    @Override
    public void groupClosed(TaskGroup group, TaskGroup.Outcome outcome, long durationNanos) {
        GroupMeters meters = meters(group);
        meters.groupsActive.decrementAndGet();
        meters.groupDuration(outcome).record(Math.max(0, durationNanos), TimeUnit.NANOSECONDS);
    }

    @Override
    public void taskForked(Task<?> task) {
        GroupMeters meters = meters(task.group());
        meters.spawned.increment();
        meters.queued.incrementAndGet();
    }

    @Override
    public void taskAdmitted(Task<?> task, long waitedNanos) {
        meters(task.group()).taskWait().record(Math.max(0, waitedNanos), TimeUnit.NANOSECONDS);
    }

    @Override
    public void forkRejected(TaskGroup group, TaskRejectedException.Reason reason) {
        meters(group).rejected(reason).increment();
    }

    @Override
    public void taskStarted(Task<?> task) {
        GroupMeters meters = meters(task.group());
        meters.queued.decrementAndGet();
        meters.active.incrementAndGet();
    }

    @Override
    public void taskStraggling(Task<?> task, TaskSnapshot snapshot) {
        GroupMeters meters = meters(task.group());
        meters.stragglersSeen.increment();
        meters.stragglers.incrementAndGet();
        this.stragglers.put(task, meters);
    }

    @Override
    public void taskFinished(Task<?> task, long runNanos) {
        if (!this.stragglers.isEmpty()) { // taskStraggling always precedes the task's taskFinished
            GroupMeters straggler = this.stragglers.remove(task);
            if (straggler != null) {
                straggler.stragglers.decrementAndGet();
            }
        }
        GroupMeters meters = meters(task.group());
        if (runNanos == NOT_STARTED) {
            meters.queued.decrementAndGet();
        } else {
            meters.active.decrementAndGet();
        }
        Task.State state = task.state();
        TaskOutcome outcome = switch (state) {
            case SUCCEEDED -> TaskOutcome.SUCCEEDED;
            case CANCELLED -> TaskOutcome.CANCELLED;
            default -> TaskOutcome.FAILED; // FAILED; a finished task is never PENDING or RUNNING
        };
        if (outcome == TaskOutcome.CANCELLED) {
            meters.cancelled(task.cancellationReason()).increment();
        }
        meters.taskDuration(outcome).record(Math.max(0, runNanos), TimeUnit.NANOSECONDS);
    }

    /**
     * Counts a request whose client disconnected while its request-scoped group was in use, in
     * {@value TaskGroupMeters#REQUESTS_DISCONNECTED} with the tags {@value TaskGroupMeters#GROUP} (bounded like
     * every other meter) and {@value TaskGroupMeters#ACTION}: {@value TaskGroupMeters#ACTION_CANCELLED} if the
     * group was cancelled for it, {@value TaskGroupMeters#ACTION_IGNORED} if the route opted out of
     * cancel-on-disconnect. Called by the Spring web integration.
     *
     * @param groupName the request group's name
     * @param cancelled whether the group was cancelled
     */
    public void requestDisconnected(String groupName, boolean cancelled) {
        this.byTag.get(groupName).disconnected(cancelled).increment();
    }

    private GroupMeters meters(TaskGroup group) {
        return this.byTag.get(group.name());
    }

    enum TaskOutcome {
        SUCCEEDED("succeeded"),
        FAILED("failed"),
        CANCELLED("cancelled");

        final String value;

        TaskOutcome(String value) {
            this.value = value;
        }
    }

    /** The meters of one {@code group} tag value; timers and cancel counters are created on first use. */
    private static final class GroupMeters {

        private final MeterRegistry registry;

        private final Tags tags;

        final Counter spawned;

        final AtomicInteger active = new AtomicInteger();

        final AtomicInteger queued = new AtomicInteger();

        final AtomicInteger groupsActive = new AtomicInteger();

        final AtomicInteger stragglers = new AtomicInteger();

        final Counter stragglersSeen;

        private final AtomicReferenceArray<Counter> cancelled = new AtomicReferenceArray<>(REASONS.length + 1);

        private final AtomicReferenceArray<Timer> taskDurations =
                new AtomicReferenceArray<>(TaskOutcome.values().length);

        private final AtomicReferenceArray<Timer> groupDurations =
                new AtomicReferenceArray<>(TaskGroup.Outcome.values().length);

        private final AtomicReferenceArray<Counter> disconnected = new AtomicReferenceArray<>(2);

        private final AtomicReferenceArray<Counter> rejected =
                new AtomicReferenceArray<>(TaskRejectedException.Reason.values().length);

        private volatile @Nullable Timer taskWait; // created on first use: only groups under admission control

        GroupMeters(MeterRegistry registry, String tag) {
            this.registry = registry;
            this.tags = Tags.of(TaskGroupMeters.GROUP, tag);
            this.spawned = Counter.builder(TaskGroupMeters.TASKS_SPAWNED)
                    .description("Tasks forked")
                    .baseUnit(TaskGroupMeters.UNIT_TASKS)
                    .tags(this.tags)
                    .register(registry);
            // The gauges hold these objects strongly, and so does the listener: they never go stale.
            Gauge.builder(TaskGroupMeters.TASKS_ACTIVE, this.active, AtomicInteger::get)
                    .description("Tasks running on a thread now")
                    .baseUnit(TaskGroupMeters.UNIT_TASKS)
                    .tags(this.tags)
                    .strongReference(true)
                    .register(registry);
            Gauge.builder(TaskGroupMeters.TASKS_QUEUED, this.queued, AtomicInteger::get)
                    .description("Tasks forked and not started yet: waiting for a concurrency permit or a thread")
                    .baseUnit(TaskGroupMeters.UNIT_TASKS)
                    .tags(this.tags)
                    .strongReference(true)
                    .register(registry);
            Gauge.builder(TaskGroupMeters.TASKS_STRAGGLERS, this.stragglers, AtomicInteger::get)
                    .description("Tasks still running at least the straggler threshold after they were cancelled")
                    .baseUnit(TaskGroupMeters.UNIT_TASKS)
                    .tags(this.tags)
                    .strongReference(true)
                    .register(registry);
            this.stragglersSeen = Counter.builder(TaskGroupMeters.TASKS_STRAGGLERS_SEEN)
                    .description("Tasks reported as stragglers: still running the threshold after cancellation")
                    .baseUnit(TaskGroupMeters.UNIT_TASKS)
                    .tags(this.tags)
                    .register(registry);
            Gauge.builder(TaskGroupMeters.GROUPS_ACTIVE, this.groupsActive, AtomicInteger::get)
                    .description("Task groups open now")
                    .baseUnit(TaskGroupMeters.UNIT_GROUPS)
                    .tags(this.tags)
                    .strongReference(true)
                    .register(registry);
        }

        Counter disconnected(boolean cancelled) {
            int index = cancelled ? 0 : 1;
            Counter counter = this.disconnected.get(index);
            if (counter == null) {
                counter = Counter.builder(TaskGroupMeters.REQUESTS_DISCONNECTED)
                        .description("Requests whose client disconnected while their task group was in use, by action")
                        .baseUnit(TaskGroupMeters.UNIT_REQUESTS)
                        .tags(this.tags)
                        .tag(
                                TaskGroupMeters.ACTION,
                                cancelled ? TaskGroupMeters.ACTION_CANCELLED : TaskGroupMeters.ACTION_IGNORED)
                        .register(this.registry);
                this.disconnected.set(index, counter);
            }
            return counter;
        }

        Timer taskWait() {
            Timer timer = this.taskWait;
            if (timer == null) {
                timer = Timer.builder(TaskGroupMeters.TASK_WAIT)
                        .description("Time tasks waited for a concurrency permit (group max-concurrency or shared "
                                + "limit), from fork to admission")
                        .tags(this.tags)
                        .register(this.registry);
                this.taskWait = timer; // racing threads get the same meter from the registry
            }
            return timer;
        }

        Counter rejected(TaskRejectedException.Reason reason) {
            Counter counter = this.rejected.get(reason.ordinal());
            if (counter == null) {
                counter = Counter.builder(TaskGroupMeters.TASKS_REJECTED)
                        .description("Forks refused by admission control (a full queue), by reason")
                        .baseUnit(TaskGroupMeters.UNIT_TASKS)
                        .tags(this.tags)
                        .tag(TaskGroupMeters.REASON, reason.value())
                        .register(this.registry);
                this.rejected.set(reason.ordinal(), counter);
            }
            return counter;
        }

        Counter cancelled(@Nullable CancellationReason reason) {
            int index = (reason != null) ? reason.ordinal() : REASONS.length;
            Counter counter = this.cancelled.get(index);
            if (counter == null) {
                counter = Counter.builder(TaskGroupMeters.TASKS_CANCELLED)
                        .description("Tasks cancelled, by reason")
                        .baseUnit(TaskGroupMeters.UNIT_TASKS)
                        .tags(this.tags)
                        .tag(TaskGroupMeters.REASON, (reason != null) ? reason.value() : "unknown")
                        .register(this.registry);
                this.cancelled.set(index, counter); // racing threads get the same meter from the registry
            }
            return counter;
        }

        Timer taskDuration(TaskOutcome outcome) {
            Timer timer = this.taskDurations.get(outcome.ordinal());
            if (timer == null) {
                timer = Timer.builder(TaskGroupMeters.TASK_DURATION)
                        .description("Run time of finished tasks (zero for tasks that never started), by outcome")
                        .tags(this.tags)
                        .tag(TaskGroupMeters.OUTCOME, outcome.value)
                        .register(this.registry);
                this.taskDurations.set(outcome.ordinal(), timer);
            }
            return timer;
        }

        Timer groupDuration(TaskGroup.Outcome outcome) {
            Timer timer = this.groupDurations.get(outcome.ordinal());
            if (timer == null) {
                timer = Timer.builder(TaskGroupMeters.GROUP_DURATION)
                        .description("Time from open to close of closed task groups, by outcome")
                        .tags(this.tags)
                        .tag(TaskGroupMeters.OUTCOME, outcome.value())
                        .register(this.registry);
                this.groupDurations.set(outcome.ordinal(), timer);
            }
            return timer;
        }
    }
}
