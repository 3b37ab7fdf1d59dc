package io.github.taskgroup.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import io.micrometer.observation.Observation;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * What {@code /actuator/prometheus} shows a user of an application with Spring Boot's meter observation handler
 * on: one series family per concept (the metrics listener's), observations still recorded for spans, and every
 * {@code group} label bounded by {@code taskgroup.metrics.max-group-names}.
 */
@SpringBootTest(
        classes = ObservabilityTestApplication.class,
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {
            "management.endpoints.web.exposure.include=prometheus",
            "taskgroup.metrics.max-group-names=2",
            "management.metrics.distribution.percentiles-histogram.taskgroup.task.duration=true"
        })
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TaskGroupMeterFamiliesWebIntegrationTests {

    /** The families of the metrics listener, as Prometheus names them (its {@code # TYPE} lines). */
    private static final Set<String> KEPT = Set.of(
            "taskgroup_tasks_spawned_tasks_total",
            "taskgroup_tasks_cancelled_tasks_total",
            "taskgroup_task_duration_seconds",
            "taskgroup_task_duration_seconds_max",
            "taskgroup_tasks_active_tasks",
            "taskgroup_tasks_queued_tasks",
            // tasks that ignore their cancellation: the gauge and the counter keep distinct Prometheus names
            "taskgroup_tasks_stragglers_tasks",
            "taskgroup_tasks_stragglers_seen_tasks_total",
            "taskgroup_groups_active_groups",
            "taskgroup_group_duration_seconds",
            "taskgroup_group_duration_seconds_max",
            // outgoing calls from groups with a deadline, and deadlines received by request groups (both
            // registered at start-up, no group label)
            "taskgroup_propagation_calls_total",
            "taskgroup_propagation_received_total");

    /** The families that Boot's meter observation handler would make from the observations. */
    private static final List<String> REMOVED = List.of(
            "taskgroup_group_seconds",
            "taskgroup_task_seconds",
            "taskgroup_group_active_seconds",
            "taskgroup_task_active_seconds");

    private static final Pattern TYPE = Pattern.compile("(?m)^# TYPE (taskgroup_\\S+) ");

    private static final Pattern GROUP_LABEL = Pattern.compile("(?m)^taskgroup_\\S*\\{.*?\\bgroup=\"([^\"]*)\"");

    @LocalServerPort
    private int port;

    @Autowired
    private ObservabilityTestApplication.StoppedObservations observations;

    @Autowired
    private TaskGroupFactory factory;

    @Test
    void the_scrape_has_one_family_per_concept_and_bounded_group_labels_while_observations_still_run()
            throws Exception {
        ObservabilityTestApplication.Client client = new ObservabilityTestApplication.Client(this.port);
        for (String group : List.of("first", "second", "third", "fourth", "first")) {
            assertThat(client.get("/fast?group=" + group).body()).isEqualTo("6");
        }
        // A task cancelled before it started, so that the cancellation counter exists too.
        try (TaskGroup group = this.factory.open("second")) {
            group.cancel();
            group.fork(() -> 1);
            group.join();
        }
        String scrape = client.get("/actuator/prometheus").body();

        Set<String> families = new TreeSet<>();
        Matcher type = TYPE.matcher(scrape);
        while (type.find()) {
            families.add(type.group(1));
        }
        assertThat(families).isEqualTo(new TreeSet<>(KEPT));
        for (String removed : REMOVED) {
            assertThat(scrape).as("no series of %s", removed).doesNotContain(removed);
        }
        // The filter is narrow: Boot still times the other observations, such as the HTTP requests'.
        assertThat(scrape).contains("http_server_requests_seconds_count");
        // Histograms configured the Spring Boot way apply to the kept task timer.
        assertThat(scrape).contains("taskgroup_task_duration_seconds_bucket{group=\"first\",outcome=\"succeeded\",le=");

        Set<String> groups = new TreeSet<>();
        Matcher label = GROUP_LABEL.matcher(scrape);
        while (label.find()) {
            groups.add(label.group(1));
        }
        assertThat(groups).containsExactly("first", "other", "second");
        assertThat(scrape)
                .contains("taskgroup_tasks_spawned_tasks_total{group=\"first\"} 6.0")
                .contains("taskgroup_tasks_cancelled_tasks_total{group=\"second\",reason=\"explicit\"} 1.0")
                .contains("taskgroup_tasks_spawned_tasks_total{group=\"other\"} 6.0")
                .contains("taskgroup_group_duration_seconds_count{group=\"other\",outcome=\"succeeded\"} 2");

        // The observations behind the spans are all there, with the same bounded group key.
        List<Observation.Context> ours = this.observations.contexts.stream()
                .filter((context) -> context.getName().startsWith("taskgroup."))
                .toList();
        assertThat(ours)
                .extracting(Observation.Context::getName)
                .containsOnly("taskgroup.group", "taskgroup.task")
                .hasSize(5 * (1 + 3) + 1); // the cancelled group's task never started: no observation
        assertThat(ours)
                .extracting(
                        (context) -> context.getLowCardinalityKeyValue("group").getValue())
                .containsOnly("first", "second", "other");
        assertThat(ours)
                .extracting(Observation.Context::getContextualName)
                .contains("taskgroup third", "taskgroup fourth");
    }
}
