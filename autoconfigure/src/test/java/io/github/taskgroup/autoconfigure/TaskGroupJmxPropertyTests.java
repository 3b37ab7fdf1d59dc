package io.github.taskgroup.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.UUID;
import javax.management.MBeanFeatureInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TaskGroupJmxPropertyTests {

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TaskGroupAutoConfiguration.class));

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    private final String name = "jmx-" + UUID.randomUUID();

    private ObjectName objectName() throws Exception {
        return new ObjectName("io.github.taskgroup:type=TaskGroups,name=" + this.name);
    }

    @Test
    void by_default_the_factory_is_named_after_the_application_and_registers_no_mbean() throws Exception {
        this.runner.run((context) -> {
            assertThat(context.getBean(TaskGroupFactory.class).name()).isEqualTo("application");
            assertThat(this.server.queryNames(new ObjectName("io.github.taskgroup:*"), null))
                    .isEmpty();
        });
        this.runner
                .withPropertyValues("spring.application.name=orders")
                .run((context) -> assertThat(
                                context.getBean(TaskGroupFactory.class).name())
                        .isEqualTo("orders"));
    }

    @Test
    void taskgroup_jmx_enabled_registers_the_mbean_until_the_context_closes() throws Exception {
        this.runner
                .withPropertyValues("taskgroup.jmx.enabled=true", "taskgroup.name=" + this.name)
                .run((context) -> {
                    TaskGroupFactory factory = context.getBean(TaskGroupFactory.class);
                    assertThat(factory.name()).isEqualTo(this.name);
                    try (TaskGroup group = factory.open("seen-over-jmx")) {
                        assertThat(this.server.getAttribute(objectName(), "Groups"))
                                .isEqualTo(1);
                        assertThat((String) this.server.invoke(
                                        objectName(), "dumpText", new Object[] {false}, new String[] {"boolean"}))
                                .contains("'seen-over-jmx'");
                    }
                    assertThat(operations()).containsExactlyInAnyOrder("dumpJson", "dumpText");
                });
        assertThat(this.server.isRegistered(objectName())).isFalse();
    }

    @Test
    void spring_jmx_enabled_turns_the_mbean_on_unless_taskgroup_jmx_enabled_says_otherwise() throws Exception {
        this.runner
                .withPropertyValues("spring.jmx.enabled=true", "taskgroup.name=" + this.name)
                .run((context) ->
                        assertThat(this.server.isRegistered(objectName())).isTrue());
        this.runner
                .withPropertyValues(
                        "spring.jmx.enabled=true", "taskgroup.jmx.enabled=false", "taskgroup.name=" + this.name)
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    assertThat(this.server.isRegistered(objectName())).isFalse();
                });
        assertThat(this.server.isRegistered(objectName())).isFalse();
    }

    @Test
    void taskgroup_jmx_cancel_enabled_adds_the_cancel_operation() throws Exception {
        this.runner
                .withPropertyValues(
                        "taskgroup.jmx.enabled=true",
                        "taskgroup.jmx.cancel-enabled=true",
                        "taskgroup.name=" + this.name)
                .run((context) -> {
                    assertThat(operations()).containsExactlyInAnyOrder("dumpJson", "dumpText", "cancel");
                    TaskGroupFactory factory = context.getBean(TaskGroupFactory.class);
                    try (TaskGroup group = factory.open("to-cancel")) {
                        assertThat(this.server.invoke(
                                        objectName(), "cancel", new Object[] {group.id()}, new String[] {"long"}))
                                .isEqualTo("cancelled group " + group.id() + " 'to-cancel'");
                        assertThat(group.state()).isEqualTo(TaskGroup.State.CANCELLING);
                    }
                });
    }

    @Test
    void taskgroup_jmx_cancel_enabled_without_the_mbean_fails_at_start_up() {
        this.runner.withPropertyValues("taskgroup.jmx.cancel-enabled=true").run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(InvalidTaskGroupPropertyException.class)
                    .hasMessageContaining("taskgroup.jmx.cancel-enabled")
                    .hasMessageContaining("the cancel operation belongs to the MBean, which is not registered");
        });
    }

    @Test
    void a_blank_taskgroup_name_fails_at_start_up() {
        this.runner.withPropertyValues("taskgroup.name= ").run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(InvalidTaskGroupPropertyException.class)
                    .hasMessageContaining("taskgroup.name")
                    .hasMessageContaining("must not be blank");
        });
    }

    @Test
    void two_contexts_with_the_same_name_and_jmx_fail_clearly() {
        this.runner
                .withPropertyValues("taskgroup.jmx.enabled=true", "taskgroup.name=" + this.name)
                .run((first) -> this.runner
                        .withPropertyValues("taskgroup.jmx.enabled=true", "taskgroup.name=" + this.name)
                        .run((second) -> {
                            assertThat(second).hasFailed();
                            assertThat(second.getStartupFailure())
                                    .hasRootCauseInstanceOf(javax.management.InstanceAlreadyExistsException.class)
                                    .hasStackTraceContaining("IllegalStateException: Cannot register the MBean of"
                                            + " TaskGroupFactory '" + this.name + "'")
                                    .hasStackTraceContaining("is already registered")
                                    .hasStackTraceContaining("taskgroup.name");
                            assertThat(this.server.isRegistered(objectName())).isTrue();
                        }));
    }

    private Iterable<String> operations() throws Exception {
        return Arrays.stream(this.server.getMBeanInfo(objectName()).getOperations())
                .map(MBeanFeatureInfo::getName)
                .toList();
    }
}
