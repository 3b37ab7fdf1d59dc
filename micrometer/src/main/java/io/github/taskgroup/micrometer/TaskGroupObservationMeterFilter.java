package io.github.taskgroup.micrometer;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.util.Set;

/**
 * Denies the meters that Micrometer's {@code DefaultMeterObservationHandler} makes from the task group
 * observations, so that a registry has one meter family per concept: the meters of
 * {@link TaskGroupMetricsListener}.
 *
 * <p>For an observation named {@code N} that handler registers a timer {@code N} when the observation stops and a
 * long task timer {@code N.active} while it runs. With the default naming these are the timers
 * {@code taskgroup.group} and {@code taskgroup.task} (Prometheus: {@code taskgroup_group_seconds},
 * {@code taskgroup_task_seconds}) and the long task timers {@code taskgroup.group.active} and
 * {@code taskgroup.task.active} ({@code taskgroup_group_active_seconds}, {@code taskgroup_task_active_seconds}):
 * the same durations as {@link TaskGroupMeters#GROUP_DURATION} and {@link TaskGroupMeters#TASK_DURATION}, the
 * same counts as {@link TaskGroupMeters#GROUPS_ACTIVE} and {@link TaskGroupMeters#TASKS_ACTIVE}. This filter
 * denies exactly those four, by name and type; every other meter, the listener's included, is left to the
 * filters after it. The observations themselves, and so their spans, are untouched.
 *
 * <p>Add it to a registry before any meter is registered there:
 * {@code registry.config().meterFilter(TaskGroupMetrics.observationMeterFilter())}. Spring Boot's
 * auto-configuration does this for every registry it configures.
 */
public final class TaskGroupObservationMeterFilter implements MeterFilter {

    private static final String ACTIVE_SUFFIX = ".active";

    private final Set<String> timers;

    private final Set<String> longTaskTimers;

    /** Denies the meters of the observations with the default names, {@code taskgroup.group} and {@code taskgroup.task}. */
    public TaskGroupObservationMeterFilter() {
        this(DefaultTaskGroupObservationConvention.NAME, DefaultTaskObservationConvention.NAME);
    }

    /**
     * Denies the meters of observations with these names, for conventions that rename them.
     * @param groupObservationName the name of group observations ({@link TaskGroupObservationConvention#getName()})
     * @param taskObservationName the name of task observations ({@link TaskObservationConvention#getName()})
     */
    public TaskGroupObservationMeterFilter(String groupObservationName, String taskObservationName) {
        this.timers = Set.of(groupObservationName, taskObservationName);
        this.longTaskTimers = Set.of(groupObservationName + ACTIVE_SUFFIX, taskObservationName + ACTIVE_SUFFIX);
    }

    @Override
    public MeterFilterReply accept(Meter.Id id) {
        Set<String> denied = switch (id.getType()) {
            case TIMER -> this.timers;
            case LONG_TASK_TIMER -> this.longTaskTimers;
            default -> Set.of();
        };
        return denied.contains(id.getName()) ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
    }

    @Override
    public String toString() {
        return "TaskGroupObservationMeterFilter" + this.timers + this.longTaskTimers;
    }
}
