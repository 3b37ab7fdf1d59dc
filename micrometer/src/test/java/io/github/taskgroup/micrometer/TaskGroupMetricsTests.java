package io.github.taskgroup.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.taskgroup.TaskGroupFactory;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilterReply;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The plain-Java set-up of {@link TaskGroupMetrics}, with the meter handler that Spring Boot also installs
 * ({@link DefaultMeterObservationHandler}) on the same registry: one meter family per concept, spans untouched,
 * and every {@code group} tag bounded.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TaskGroupMetricsTests {

    /** The meters that the meter handler derives from the two observations, as Micrometer names them. */
    private static final List<String> OBSERVATION_METERS =
            List.of("taskgroup.group", "taskgroup.task", "taskgroup.group.active", "taskgroup.task.active");

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private final ObservationRegistry observations = ObservationRegistry.create();

    private final StoppedObservations stopped = new StoppedObservations();

    TaskGroupMetricsTests() {
        this.observations
                .observationConfig()
                .observationHandler(new DefaultMeterObservationHandler(this.meters))
                .observationHandler(this.stopped);
    }

    @Test
    void with_the_filter_the_registry_has_one_meter_family_per_concept_and_the_observations_still_run()
            throws Exception {
        this.meters.config().meterFilter(TaskGroupMetrics.observationMeterFilter());
        try (TaskGroupFactory factory = factory(
                TaskGroupMetrics.listener(this.meters), TaskGroupMetrics.observationListener(this.observations))) {
            factory.run("checkout", (group) -> {
                group.fork("price", () -> 1);
                group.fork("stock", () -> 2);
                return null;
            });
        }
        assertThat(names(this.meters))
                .doesNotContainAnyElementsOf(OBSERVATION_METERS)
                .contains(
                        TaskGroupMeters.GROUP_DURATION,
                        TaskGroupMeters.TASK_DURATION,
                        TaskGroupMeters.GROUPS_ACTIVE,
                        TaskGroupMeters.TASKS_ACTIVE,
                        TaskGroupMeters.TASKS_SPAWNED,
                        TaskGroupMeters.TASKS_QUEUED);
        assertThat(this.meters
                        .get(TaskGroupMeters.TASK_DURATION)
                        .tags("group", "checkout")
                        .timer()
                        .count())
                .isEqualTo(2);
        assertThat(this.meters
                        .get(TaskGroupMeters.GROUP_DURATION)
                        .tags("group", "checkout")
                        .timer()
                        .count())
                .isEqualTo(1);
        // What tracing turns into spans is still there: one group and its two tasks.
        assertThat(this.stopped.names())
                .containsExactlyInAnyOrder("taskgroup.task", "taskgroup.task", "taskgroup.group");
    }

    @Test
    void without_the_filter_the_meter_handler_makes_the_second_family_that_the_filter_denies() throws Exception {
        // The names the filter denies are the ones Micrometer really makes: checked here against the handler.
        try (TaskGroupFactory factory = factory(
                TaskGroupMetrics.listener(this.meters), TaskGroupMetrics.observationListener(this.observations))) {
            factory.run("checkout", (group) -> group.fork(() -> 1));
        }
        assertThat(this.meters.get("taskgroup.group").timer().count()).isEqualTo(1);
        assertThat(this.meters.get("taskgroup.task").timer().count()).isEqualTo(1);
        assertThat(this.meters.get("taskgroup.group.active").longTaskTimer().activeTasks())
                .isZero();
        assertThat(this.meters.get("taskgroup.task.active").longTaskTimer().activeTasks())
                .isZero();
        TaskGroupObservationMeterFilter filter = TaskGroupMetrics.observationMeterFilter();
        for (Meter meter : this.meters.getMeters()) {
            MeterFilterReply expected =
                    OBSERVATION_METERS.contains(meter.getId().getName())
                            ? MeterFilterReply.DENY
                            : MeterFilterReply.NEUTRAL;
            assertThat(filter.accept(meter.getId()))
                    .as(meter.getId().toString())
                    .isEqualTo(expected);
        }
    }

    @Test
    void the_filter_denies_by_name_and_type_only() {
        TaskGroupObservationMeterFilter filter = new TaskGroupObservationMeterFilter();
        assertThat(filter.accept(id("taskgroup.group", Meter.Type.TIMER))).isEqualTo(MeterFilterReply.DENY);
        assertThat(filter.accept(id("taskgroup.task", Meter.Type.TIMER))).isEqualTo(MeterFilterReply.DENY);
        assertThat(filter.accept(id("taskgroup.group.active", Meter.Type.LONG_TASK_TIMER)))
                .isEqualTo(MeterFilterReply.DENY);
        assertThat(filter.accept(id("taskgroup.task.active", Meter.Type.LONG_TASK_TIMER)))
                .isEqualTo(MeterFilterReply.DENY);
        // Same names, other types (not what the meter handler makes), and the listener's meters: left alone.
        assertThat(filter.accept(id("taskgroup.group", Meter.Type.COUNTER))).isEqualTo(MeterFilterReply.NEUTRAL);
        assertThat(filter.accept(id("taskgroup.task.active", Meter.Type.GAUGE))).isEqualTo(MeterFilterReply.NEUTRAL);
        assertThat(filter.accept(id("taskgroup.group.active", Meter.Type.TIMER)))
                .isEqualTo(MeterFilterReply.NEUTRAL);
        assertThat(filter.accept(id(TaskGroupMeters.GROUP_DURATION, Meter.Type.TIMER)))
                .isEqualTo(MeterFilterReply.NEUTRAL);
        assertThat(filter.accept(id(TaskGroupMeters.TASKS_ACTIVE, Meter.Type.GAUGE)))
                .isEqualTo(MeterFilterReply.NEUTRAL);
    }

    @Test
    void the_filter_follows_conventions_that_rename_the_observations() {
        TaskGroupObservationMeterFilter filter = new TaskGroupObservationMeterFilter("my.group", "my.task");
        MeterRegistry registry = new SimpleMeterRegistry();
        registry.config().meterFilter(filter);
        registry.timer("my.group");
        registry.more().longTaskTimer("my.task.active");
        registry.timer("taskgroup.group");
        assertThat(names(registry)).containsExactly("taskgroup.group");
    }

    @Test
    void group_names_past_the_limit_are_tagged_other_in_the_meters_and_in_the_observations() throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        Logger logger = Logger.getLogger(TaskGroupObservationListener.class.getName());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                warnings.add(record.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        logger.addHandler(handler);
        // No filter: even a registry that lets observation meters through has bounded group tags.
        try (TaskGroupFactory factory = factory(
                TaskGroupMetrics.listener(this.meters, 2),
                TaskGroupMetrics.observationListener(this.observations, 2))) {
            for (String name : List.of("a", "b", "c", "d", "a", "e")) {
                factory.run(name, (group) -> group.fork(() -> 1));
            }
        } finally {
            logger.removeHandler(handler);
        }
        for (Meter meter : this.meters.getMeters()) {
            assertThat(meter.getId().getTag(TaskGroupMeters.GROUP))
                    .as(meter.getId().toString())
                    .isIn("a", "b", "other");
        }
        assertThat(this.meters
                        .get("taskgroup.task")
                        .tag("group", "other")
                        .timer()
                        .count())
                .isEqualTo(3);
        assertThat(this.meters
                        .get(TaskGroupMeters.TASK_DURATION)
                        .tag("group", "other")
                        .timer()
                        .count())
                .isEqualTo(3);
        assertThat(this.stopped.contexts)
                .extracting(
                        (context) -> context.getLowCardinalityKeyValue("group").getValue())
                .hasSize(12)
                .containsOnly("a", "b", "other");
        // The span of a group keeps the real name.
        assertThat(this.stopped.contexts)
                .extracting(Observation.Context::getContextualName)
                .contains("taskgroup c", "taskgroup e");
        assertThat(warnings)
                .singleElement()
                .asString()
                .contains("group 'c'")
                .contains("observations")
                .contains("taskgroup.metrics.max-group-names");
    }

    @Test
    void the_default_limit_is_one_hundred_group_names() throws Exception {
        try (TaskGroupFactory factory = factory(
                TaskGroupMetrics.listener(this.meters), TaskGroupMetrics.observationListener(this.observations))) {
            for (int i = 0; i <= TaskGroupMetrics.DEFAULT_MAX_GROUP_NAMES; i++) {
                factory.run("g" + i, (group) -> null);
            }
        }
        assertThat(this.meters.find(TaskGroupMeters.GROUPS_ACTIVE).gauges()).hasSize(101);
        assertThat(this.meters.find("taskgroup.group").timers()).hasSize(101);
        assertThat(this.meters
                        .get("taskgroup.group")
                        .tag("group", "other")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(this.meters
                        .get(TaskGroupMeters.GROUP_DURATION)
                        .tag("group", "other")
                        .timer()
                        .count())
                .isEqualTo(1);
    }

    private static TaskGroupFactory factory(TaskGroupMetricsListener metrics, TaskGroupObservationListener spans) {
        return TaskGroupFactory.builder().listener(metrics).listener(spans).build();
    }

    private static Meter.Id id(String name, Meter.Type type) {
        return new Meter.Id(name, Tags.empty(), null, null, type);
    }

    private static List<String> names(MeterRegistry registry) {
        return registry.getMeters().stream()
                .map((meter) -> meter.getId().getName())
                .distinct()
                .toList();
    }

    /** What a tracer would see: every stopped observation. */
    static final class StoppedObservations implements ObservationHandler<Observation.Context> {

        final Queue<Observation.Context> contexts = new ConcurrentLinkedQueue<>();

        @Override
        public void onStop(Observation.Context context) {
            this.contexts.add(context);
        }

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }

        List<String> names() {
            return this.contexts.stream().map(Observation.Context::getName).toList();
        }
    }
}
