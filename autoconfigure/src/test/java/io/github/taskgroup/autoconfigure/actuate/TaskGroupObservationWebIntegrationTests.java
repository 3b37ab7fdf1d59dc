package io.github.taskgroup.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.observation.Observation;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * In an application with Spring Boot's own {@code ObservationRegistry}: the HTTP request's observation is the
 * parent of the group's, which is the parent of its tasks' (what a trace shows as spans).
 */
@SpringBootTest(
        classes = ObservabilityTestApplication.class,
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "management.endpoints.web.exposure.include=taskgroups,metrics,prometheus")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TaskGroupObservationWebIntegrationTests {

    @LocalServerPort
    private int port;

    @Autowired
    private ObservabilityTestApplication.StoppedObservations observations;

    @Test
    void request_group_and_tasks_form_one_observation_tree() throws Exception {
        ObservabilityTestApplication.Client client = new ObservabilityTestApplication.Client(this.port);
        assertThat(client.get("/fast?group=traced").body()).isEqualTo("6");
        // The group was closed, and its observation stopped, before the handler returned.
        Observation.Context group = group();
        assertThat(group.getParentObservation().getContextView().getName()).isEqualTo("http.server.requests");
        List<Observation.Context> tasks = this.observations.contexts.stream()
                .filter((context) -> "taskgroup.task".equals(context.getName()))
                .filter((context) -> "traced"
                        .equals(context.getLowCardinalityKeyValue("group").getValue()))
                .toList();
        assertThat(tasks).hasSize(3).allSatisfy((task) -> {
            assertThat(task.getParentObservation().getContextView()).isSameAs(group);
            assertThat(task.getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("succeeded");
        });
    }

    private Observation.Context group() {
        return this.observations.contexts.stream()
                .filter((context) -> "taskgroup.group".equals(context.getName()))
                .filter((context) -> "traced"
                        .equals(context.getLowCardinalityKeyValue("group").getValue()))
                .findFirst()
                .orElseThrow();
    }
}
