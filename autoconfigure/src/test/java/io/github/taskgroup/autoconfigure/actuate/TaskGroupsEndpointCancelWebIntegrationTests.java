package io.github.taskgroup.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.RepeatedTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Cancelling a running request's group over HTTP, with access to the endpoint granted deliberately.
 */
@SpringBootTest(
        classes = ObservabilityTestApplication.class,
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {
            "management.endpoints.web.exposure.include=taskgroups,metrics",
            "management.endpoint.taskgroups.access=unrestricted"
        })
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TaskGroupsEndpointCancelWebIntegrationTests {

    @LocalServerPort
    private int port;

    @Autowired
    private ObservabilityTestApplication.Parking parking;

    private ObservabilityTestApplication.Client client;

    @BeforeEach
    void setUp() {
        this.parking.reset();
        this.client = new ObservabilityTestApplication.Client(this.port);
    }

    @RepeatedTest(3)
    void delete_cancels_the_group_of_a_running_request_with_reason_explicit() throws Exception {
        double cancelledBefore = cancelledCount();
        CompletableFuture<HttpResponse<String>> slow = this.client.getAsync("/slow");
        assertThat(this.parking.parked.await(30, TimeUnit.SECONDS)).isTrue();
        List<Number> ids = JsonPath.read(
                this.client.get("/actuator/taskgroups").body(), "$.groups[?(@.name == 'slow-request')].id");
        assertThat(ids).hasSize(1);
        long id = ids.get(0).longValue();

        HttpResponse<String> cancel = this.client.delete("/actuator/taskgroups/" + id);
        assertThat(cancel.statusCode()).isEqualTo(200);
        assertThat((Boolean) JsonPath.read(cancel.body(), "$.found")).isTrue();
        assertThat((Boolean) JsonPath.read(cancel.body(), "$.cancelled")).isTrue();

        // The parked task was interrupted; the explicit cancel is quiet, so the request answers normally.
        HttpResponse<String> response = slow.get(30, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("cancelled");
        assertThat(cancelledCount()).isEqualTo(cancelledBefore + 1);

        HttpResponse<String> again = this.client.delete("/actuator/taskgroups/" + id);
        assertThat((Boolean) JsonPath.read(again.body(), "$.found")).isFalse();
        assertThat((Boolean) JsonPath.read(again.body(), "$.cancelled")).isFalse();
    }

    private double cancelledCount() throws Exception {
        HttpResponse<String> metric = this.client.get(
                "/actuator/metrics/taskgroup.tasks.cancelled?tag=group:slow-request&tag=reason:explicit");
        return (metric.statusCode() == 404) ? 0 : JsonPath.<Double>read(metric.body(), "$.measurements[0].value");
    }
}
