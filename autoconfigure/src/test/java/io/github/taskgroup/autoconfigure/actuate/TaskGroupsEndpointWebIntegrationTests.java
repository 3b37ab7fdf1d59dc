package io.github.taskgroup.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.micrometer.TaskGroupMeters;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The {@code taskgroups} endpoint, {@code /actuator/metrics} and {@code /actuator/prometheus} over real HTTP,
 * with Spring Boot's default endpoint access (so {@code taskgroups} is read-only).
 */
@SpringBootTest(
        classes = ObservabilityTestApplication.class,
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "management.endpoints.web.exposure.include=taskgroups,metrics,prometheus")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TaskGroupsEndpointWebIntegrationTests {

    @LocalServerPort
    private int port;

    @Autowired
    private ObservabilityTestApplication.Parking parking;

    @Autowired
    private TaskGroupFactory factory;

    private ObservabilityTestApplication.Client client;

    @BeforeEach
    void setUp() {
        this.parking.reset();
        this.client = new ObservabilityTestApplication.Client(this.port);
    }

    @Test
    void shows_the_live_tree_while_a_request_is_running_and_refuses_to_cancel() throws Exception {
        CompletableFuture<HttpResponse<String>> slow = this.client.getAsync("/slow");
        assertThat(this.parking.parked.await(30, TimeUnit.SECONDS)).isTrue();

        HttpResponse<String> tree = this.client.get("/actuator/taskgroups");
        assertThat(tree.statusCode()).isEqualTo(200);
        assertThat(tree.headers().firstValue("Content-Type"))
                .hasValueSatisfying((type) -> assertThat(type).contains("json"));
        String json = tree.body();
        assertThat((Integer) JsonPath.read(json, "$.summary.groups")).isGreaterThanOrEqualTo(1);
        assertThat((Integer) JsonPath.read(json, "$.summary.runningTasks")).isGreaterThanOrEqualTo(1);
        assertThat((Integer) JsonPath.read(json, "$.summary.queuedTasks")).isZero();
        List<Map<String, Object>> groups = JsonPath.read(json, "$.groups[?(@.name == 'slow-request')]");
        assertThat(groups).singleElement().satisfies((group) -> {
            assertThat(group).containsEntry("state", "joining").containsEntry("policy", "fail-fast");
            assertThat((String) group.get("ownerThread")).isNotBlank();
            assertThat((String) group.get("age")).startsWith("PT");
        });
        List<Map<String, Object>> tasks = JsonPath.read(json, "$.groups[?(@.name == 'slow-request')].tasks[*]");
        assertThat(tasks).singleElement().satisfies((task) -> {
            assertThat(task).containsEntry("name", "parked").containsEntry("state", "running");
            assertThat((String) task.get("thread")).isNotBlank();
        });
        Number id = (Number) groups.get(0).get("id");

        HttpResponse<String> one = this.client.get("/actuator/taskgroups/" + id);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat((String) JsonPath.read(one.body(), "$.name")).isEqualTo("slow-request");
        assertThat(this.client.get("/actuator/taskgroups/987654321").statusCode())
                .isEqualTo(404);

        HttpResponse<String> cancel = this.client.delete("/actuator/taskgroups/" + id);
        assertThat(cancel.statusCode())
                .as("cancel with default (read-only) access")
                .isEqualTo(405);
        TaskGroup live = this.factory.find(id.longValue()).orElseThrow();
        assertThat(live.cancellationReason()).isEmpty();

        this.parking.release.countDown();
        assertThat(slow.get(30, TimeUnit.SECONDS).body()).isEqualTo("succeeded");
    }

    @Test
    void stacks_true_adds_the_owner_and_task_stacks_which_are_absent_by_default() throws Exception {
        CompletableFuture<HttpResponse<String>> slow = this.client.getAsync("/slow");
        assertThat(this.parking.parked.await(30, TimeUnit.SECONDS)).isTrue();
        String group = "$.groups[?(@.name == 'slow-request')]";

        String plain = this.client.get("/actuator/taskgroups").body();
        List<Map<String, Object>> groups = JsonPath.read(plain, group);
        assertThat(groups).singleElement().satisfies((g) -> assertThat(g).doesNotContainKey("ownerStack"));
        List<Map<String, Object>> tasks = JsonPath.read(plain, group + ".tasks[*]");
        assertThat(tasks)
                .singleElement()
                .satisfies((t) -> assertThat(t).containsOnlyKeys("name", "state", "age", "thread", "straggler"));
        assertThat(this.client.get("/actuator/taskgroups?stacks=false").body()).doesNotContain("\"stack\"");

        HttpResponse<String> withStacks = this.client.get("/actuator/taskgroups?stacks=true");
        assertThat(withStacks.statusCode()).isEqualTo(200);
        List<List<String>> ownerStacks = JsonPath.read(withStacks.body(), group + ".ownerStack");
        assertThat(ownerStacks)
                .singleElement()
                .satisfies((stack) -> assertThat(stack)
                        .anySatisfy(
                                (frame) -> assertThat(frame).contains("ObservabilityTestApplication$Handlers.slow")));
        List<List<String>> taskStacks = JsonPath.read(withStacks.body(), group + ".tasks[*].stack");
        assertThat(taskStacks)
                .singleElement()
                .satisfies((stack) -> assertThat(stack)
                        .anySatisfy((frame) -> assertThat(frame).contains("CountDownLatch.await")));
        assertThat((Integer) JsonPath.read(withStacks.body(), "$.summary.runningTasks"))
                .isGreaterThanOrEqualTo(1);

        Number id = (Number) groups.get(0).get("id");
        String one =
                this.client.get("/actuator/taskgroups/" + id + "?stacks=true").body();
        assertThat(JsonPath.<List<String>>read(one, "$.tasks[0].stack"))
                .anySatisfy((frame) -> assertThat(frame).contains("CountDownLatch.await"));
        assertThat(JsonPath.<List<String>>read(one, "$.ownerStack")).isNotEmpty();
        assertThat(this.client.get("/actuator/taskgroups/" + id).body()).doesNotContain("stack");
        assertThat(this.client.get("/actuator/taskgroups?stacks=maybe").statusCode())
                .isEqualTo(400);

        this.parking.release.countDown();
        assertThat(slow.get(30, TimeUnit.SECONDS).body()).isEqualTo("succeeded");
    }

    @Test
    void the_meters_show_at_actuator_metrics() throws Exception {
        assertThat(this.client.get("/fast?group=metrics-fast").body()).isEqualTo("6");
        cancelledTask("metrics-cancel");

        String names = this.client.get("/actuator/metrics").body();
        List<String> all = JsonPath.read(names, "$.names");
        assertThat(all)
                .contains(
                        TaskGroupMeters.TASKS_SPAWNED,
                        TaskGroupMeters.TASKS_CANCELLED,
                        TaskGroupMeters.TASK_DURATION,
                        TaskGroupMeters.TASKS_ACTIVE,
                        TaskGroupMeters.TASKS_QUEUED,
                        TaskGroupMeters.GROUPS_ACTIVE,
                        TaskGroupMeters.GROUP_DURATION);

        String spawned = this.client
                .get("/actuator/metrics/taskgroup.tasks.spawned?tag=group:metrics-fast")
                .body();
        assertThat((Double) JsonPath.read(spawned, "$.measurements[0].value")).isEqualTo(3.0);
        assertThat((String) JsonPath.read(spawned, "$.baseUnit")).isEqualTo("tasks");
        String succeeded = this.client
                .get("/actuator/metrics/taskgroup.task.duration?tag=group:metrics-fast&tag=outcome:succeeded")
                .body();
        assertThat(JsonPath.<List<Double>>read(succeeded, "$.measurements[?(@.statistic == 'COUNT')].value"))
                .containsExactly(3.0);
        String cancelled = this.client
                .get("/actuator/metrics/taskgroup.tasks.cancelled?tag=group:metrics-cancel&tag=reason:explicit")
                .body();
        assertThat((Double) JsonPath.read(cancelled, "$.measurements[0].value")).isEqualTo(1.0);
        String active = this.client
                .get("/actuator/metrics/taskgroup.groups.active?tag=group:metrics-fast")
                .body();
        assertThat((Double) JsonPath.read(active, "$.measurements[0].value")).isZero();
    }

    @Test
    void the_meters_show_at_actuator_prometheus() throws Exception {
        assertThat(this.client.get("/fast?group=prometheus-fast").body()).isEqualTo("6");
        cancelledTask("prometheus-cancel");
        HttpResponse<String> scrape = this.client.get("/actuator/prometheus");
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body())
                .contains("taskgroup_tasks_spawned_tasks_total{group=\"prometheus-fast\"} 3.0")
                .contains("taskgroup_task_duration_seconds_count{group=\"prometheus-fast\",outcome=\"succeeded\"} 3")
                .contains("taskgroup_tasks_cancelled_tasks_total{group=\"prometheus-cancel\",reason=\"explicit\"} 1.0")
                .contains("taskgroup_tasks_active_tasks{group=\"prometheus-fast\"} 0.0")
                .contains("taskgroup_tasks_queued_tasks{group=\"prometheus-fast\"} 0.0")
                .contains("taskgroup_groups_active_groups{group=\"prometheus-fast\"} 0.0")
                .contains("taskgroup_group_duration_seconds_count{group=\"prometheus-fast\",outcome=\"succeeded\"} 1");
    }

    /** A group cancelled before its only task started. */
    private void cancelledTask(String name) throws InterruptedException {
        try (TaskGroup group = this.factory.open(name)) {
            group.cancel();
            group.fork(() -> 1);
            group.join();
        }
    }
}
