package io.github.taskgroup.benchmarks;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the Micrometer metrics listener of issue 4, which does not exist yet: it records the
 * meters issue 4 names (spawned and cancelled counters, the task duration timer by outcome, the active
 * task and group gauges, the group duration timer), tagged by group name, on whatever registry it is
 * given (the benchmarks use a {@code SimpleMeterRegistry}).
 *
 * <p>It is written the way a careful implementation would be: the meters of a group name are resolved
 * once and cached, so an event costs a map lookup and a few counter increments, never a registry
 * lookup. Replace it with the real listener once issue 4 lands.
 */
public final class MetricsLikeListener implements TaskGroupListener {

    private final MeterRegistry registry;
    private final Map<String, GroupMeters> byGroup = new ConcurrentHashMap<>();
    private final AtomicInteger activeGroups = new AtomicInteger();

    public MetricsLikeListener(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge("taskgroup.groups.active", activeGroups);
    }

    private GroupMeters meters(String group) {
        GroupMeters meters = byGroup.get(group);
        return meters != null ? meters : byGroup.computeIfAbsent(group, name -> new GroupMeters(registry, name));
    }

    @Override
    public void groupOpened(TaskGroup group) {
        activeGroups.incrementAndGet();
    }

    @Override
    public void groupClosed(TaskGroup group, TaskGroup.Outcome outcome, long durationNanos) {
        activeGroups.decrementAndGet();
        meters(group.name()).groupDuration[outcome.ordinal()].record(durationNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void taskForked(Task<?> task) {
        meters(task.group().name()).spawned.increment();
    }

    @Override
    public void taskStarted(Task<?> task) {
        meters(task.group().name()).active.incrementAndGet();
    }

    @Override
    public void taskFinished(Task<?> task, long runNanos) {
        GroupMeters meters = meters(task.group().name());
        if (runNanos != NOT_STARTED) {
            meters.active.decrementAndGet();
        }
        Task.State state = task.state();
        if (state == Task.State.CANCELLED) {
            CancellationReason reason = task.cancellationReason();
            meters.cancelled(reason == null ? "unknown" : reason.value()).increment();
        }
        if (runNanos != NOT_STARTED) {
            meters.taskDuration[state.ordinal()].record(runNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The meters of one group name. */
    private static final class GroupMeters {
        final MeterRegistry registry;
        final String group;
        final Counter spawned;
        final AtomicInteger active = new AtomicInteger();
        final Timer[] taskDuration = new Timer[Task.State.values().length];
        final Timer[] groupDuration = new Timer[TaskGroup.Outcome.values().length];
        final Map<String, Counter> cancelled = new ConcurrentHashMap<>();

        GroupMeters(MeterRegistry registry, String group) {
            this.registry = registry;
            this.group = group;
            this.spawned = registry.counter("taskgroup.tasks.spawned", "group", group);
            registry.gauge("taskgroup.tasks.active", io.micrometer.core.instrument.Tags.of("group", group), active);
            for (Task.State state : Task.State.values()) {
                taskDuration[state.ordinal()] = registry.timer("taskgroup.task.duration", "group", group,
                        "outcome", state.name().toLowerCase(java.util.Locale.ROOT));
            }
            for (TaskGroup.Outcome outcome : TaskGroup.Outcome.values()) {
                groupDuration[outcome.ordinal()] = registry.timer("taskgroup.group.duration", "group", group,
                        "outcome", outcome.name().toLowerCase(java.util.Locale.ROOT));
            }
        }

        Counter cancelled(String reason) {
            Counter counter = cancelled.get(reason);
            return counter != null ? counter : cancelled.computeIfAbsent(reason,
                    r -> registry.counter("taskgroup.tasks.cancelled", "group", group, "reason", r));
        }
    }
}
