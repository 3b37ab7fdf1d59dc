package io.github.taskgroup.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.autoconfigure.TaskGroupAutoConfiguration;
import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.jmx.JmxEndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jmx.JmxAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * When the {@code taskgroups} endpoint is there: like Spring Boot's own endpoints, only when it is accessible
 * and exposed; and over JMX.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TaskGroupsEndpointAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(
                    AutoConfigurations.of(TaskGroupAutoConfiguration.class, TaskGroupsEndpointAutoConfiguration.class));

    @Test
    void is_there_when_exposed() {
        this.runner
                .withPropertyValues("management.endpoints.web.exposure.include=taskgroups")
                .run((context) -> assertThat(context).hasSingleBean(TaskGroupsEndpoint.class));
    }

    @Test
    void is_not_there_when_not_exposed() {
        this.runner.run((context) -> assertThat(context).doesNotHaveBean(TaskGroupsEndpoint.class));
    }

    @Test
    void is_not_there_with_access_none() {
        this.runner
                .withPropertyValues(
                        "management.endpoints.web.exposure.include=taskgroups",
                        "management.endpoint.taskgroups.access=NONE") // the runner has no lenient enum conversion
                .run((context) -> assertThat(context).doesNotHaveBean(TaskGroupsEndpoint.class));
    }

    @Test
    void backs_off_without_a_task_group_factory() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(TaskGroupsEndpointAutoConfiguration.class))
                .withPropertyValues("management.endpoints.web.exposure.include=taskgroups")
                .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(TaskGroupsEndpoint.class));
    }

    @Test
    void is_exposed_over_jmx_read_only_by_default() {
        this.runner
                .withConfiguration(AutoConfigurations.of(
                        JmxAutoConfiguration.class,
                        EndpointAutoConfiguration.class,
                        JmxEndpointAutoConfiguration.class))
                .withPropertyValues(
                        "spring.jmx.enabled=true",
                        "management.endpoints.jmx.exposure.include=taskgroups",
                        "management.endpoints.jmx.domain=taskgroup.test." + System.nanoTime())
                .run((context) -> {
                    assertThat(context).hasSingleBean(TaskGroupsEndpoint.class);
                    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
                    String domain = context.getEnvironment().getProperty("management.endpoints.jmx.domain");
                    ObjectName name = new ObjectName(domain + ":type=Endpoint,name=Taskgroups");
                    assertThat(server.isRegistered(name)).isTrue();
                    assertThat(server.getMBeanInfo(name).getOperations())
                            .extracting((operation) -> operation.getName())
                            .containsExactlyInAnyOrder("taskGroups", "taskGroup");
                    context.getBean(TaskGroupFactory.class).run("jmx", (group) -> {
                        Object tree = server.invoke(name, "taskGroups", new Object[0], new String[0]);
                        assertThat(tree.toString()).contains("jmx");
                        return null;
                    });
                });
    }
}
