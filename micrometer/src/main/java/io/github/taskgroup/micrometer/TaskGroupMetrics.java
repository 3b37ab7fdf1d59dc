package io.github.taskgroup.micrometer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;

/**
 * The entry point for plain Java (no Spring): meters and observations of task groups, each a
 * {@link io.github.taskgroup.TaskGroupListener} to add to a factory.
 *
 * <pre>{@code
 * MeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT); // or any registry
 * ObservationRegistry observations = ObservationRegistry.create(); // with the handlers of your tracer
 *
 * TaskGroupFactory factory = TaskGroupFactory.builder()
 *     .listener(TaskGroupMetrics.listener(meters))                    // meters of TaskGroupMeters
 *     .listener(TaskGroupMetrics.observationListener(observations))   // spans of groups and tasks
 *     .build();
 * }</pre>
 *
 * <p>The meters of {@link TaskGroupMetricsListener} are the durations and active counts of groups and tasks. If
 * the observation registry also turns observations into meters on the same registry (a
 * {@code DefaultMeterObservationHandler}), add {@link #observationMeterFilter()} to that registry, before any
 * meter is registered, so that it keeps one meter family per concept:
 *
 * <pre>{@code
 * meters.config().meterFilter(TaskGroupMetrics.observationMeterFilter());
 * observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
 * }</pre>
 *
 * <p>Both listeners bound the {@code group} tag the same way: the first {@code maxGroupNames} distinct group
 * names ({@value #DEFAULT_MAX_GROUP_NAMES} unless given) are tags of their own, every further name is tagged
 * {@value TaskGroupMeters#OTHER_GROUPS}, and one warning is logged. Spring Boot users get all of this from the
 * auto-configuration, with {@code taskgroup.metrics.max-group-names} as the limit.
 */
public final class TaskGroupMetrics {

    /** How many distinct group names get a {@code group} tag of their own unless told otherwise. */
    public static final int DEFAULT_MAX_GROUP_NAMES = 100;

    private TaskGroupMetrics() {}

    /**
     * @param registry where the meters go
     * @return a listener that records the meters of {@link TaskGroupMeters}, with at most
     * {@value #DEFAULT_MAX_GROUP_NAMES} distinct {@code group} tags besides {@value TaskGroupMeters#OTHER_GROUPS}
     */
    public static TaskGroupMetricsListener listener(MeterRegistry registry) {
        return listener(registry, DEFAULT_MAX_GROUP_NAMES);
    }

    /**
     * @param registry where the meters go
     * @param maxGroupNames how many distinct group names get a tag of their own (at least 1)
     * @return a listener that records the meters of {@link TaskGroupMeters}
     */
    public static TaskGroupMetricsListener listener(MeterRegistry registry, int maxGroupNames) {
        return new TaskGroupMetricsListener(registry, maxGroupNames);
    }

    /**
     * @param registry the registry that creates the observations (and, through its handlers, the spans)
     * @return a listener that runs every group and task inside an observation, with the default naming and at
     * most {@value #DEFAULT_MAX_GROUP_NAMES} distinct {@code group} key values besides
     * {@value TaskGroupMeters#OTHER_GROUPS}
     */
    public static TaskGroupObservationListener observationListener(ObservationRegistry registry) {
        return observationListener(registry, DEFAULT_MAX_GROUP_NAMES);
    }

    /**
     * @param registry the registry that creates the observations (and, through its handlers, the spans)
     * @param maxGroupNames how many distinct group names are a {@code group} key value of their own (at least 1);
     * give the same number as to {@link #listener(MeterRegistry, int)}
     * @return a listener that runs every group and task inside an observation, with the default naming
     */
    public static TaskGroupObservationListener observationListener(ObservationRegistry registry, int maxGroupNames) {
        return new TaskGroupObservationListener(registry, null, null, maxGroupNames);
    }

    /**
     * @return a filter that denies the timers and long task timers that a meter observation handler makes from
     * the observations of {@link TaskGroupObservationListener} (default naming), and nothing else
     * @see TaskGroupObservationMeterFilter
     */
    public static TaskGroupObservationMeterFilter observationMeterFilter() {
        return new TaskGroupObservationMeterFilter();
    }
}
