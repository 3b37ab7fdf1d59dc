package io.github.taskgroup;

import static io.github.taskgroup.MiniJson.array;
import static io.github.taskgroup.MiniJson.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.management.Attribute;
import javax.management.AttributeNotFoundException;
import javax.management.MBeanFeatureInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.ReflectionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TaskGroupsMBeanTest {

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private ExecutorService pool;
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void setUp() {
        pool = Executors.newCachedThreadPool();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        release.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private static ObjectName name(String factory) throws Exception {
        return new ObjectName("io.github.taskgroup:type=TaskGroups,name=" + factory);
    }

    /** Opens a group with one running task (parked) and one queued task (max concurrency 1). */
    private TaskGroup openBusyGroup(TaskGroupFactory factory) {
        TaskGroup group = factory.open(
                "busy", TaskGroupOptions.builder().maxConcurrency(1).build());
        group.fork("parked", () -> {
            release.await();
            return 1;
        });
        group.fork("waiting", () -> 2);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> factory.liveGroups().toString(), live -> live.contains("state=RUNNING"));
        return group;
    }

    @Test
    void theMBeanShowsTheSummaryAndTheDumpAndHasNoCancelUnlessEnabled() throws Exception {
        ObjectName name = name("mbean-plain");
        TaskGroupFactory factory = TaskGroupFactory.builder()
                .name("mbean-plain")
                .executor(pool)
                .jmx(true)
                .build();
        try (factory) {
            assertThat(server.isRegistered(name)).isTrue();
            assertThat(server.getAttribute(name, "Groups")).isEqualTo(0);
            try (TaskGroup group = openBusyGroup(factory)) {
                assertThat(server.getAttribute(name, "Name")).isEqualTo("mbean-plain");
                assertThat(server.getAttribute(name, "Groups")).isEqualTo(1);
                assertThat(server.getAttribute(name, "RunningTasks")).isEqualTo(1);
                assertThat(server.getAttribute(name, "QueuedTasks")).isEqualTo(1);
                assertThat(server.getAttributes(name, new String[] {"Groups", "Nope", "QueuedTasks"})
                                .asList())
                        .extracting(Attribute::getName, Attribute::getValue)
                        .containsExactly(
                                org.assertj.core.groups.Tuple.tuple("Groups", 1),
                                org.assertj.core.groups.Tuple.tuple("QueuedTasks", 1));
                assertThatThrownBy(() -> server.getAttribute(name, "Nope"))
                        .isInstanceOf(AttributeNotFoundException.class)
                        .hasMessageContaining("No attribute Nope");
                assertThatThrownBy(() -> server.setAttribute(name, new Attribute("Groups", 3)))
                        .isInstanceOf(AttributeNotFoundException.class)
                        .hasMessageContaining("read-only");

                String json = (String) server.invoke(name, "dumpJson", new Object[] {true}, new String[] {"boolean"});
                var container = object(array(object(object(MiniJson.parse(json)).get("threadDump"))
                                .get("threadContainers"))
                        .get(0));
                assertThat(container).containsEntry("groupId", group.id()).containsEntry("groupName", "busy");
                assertThat(array(object(array(container.get("threads")).get(0)).get("stack")))
                        .isNotEmpty();
                String text = (String) server.invoke(name, "dumpText", new Object[] {false}, new String[] {"boolean"});
                assertThat(text)
                        .startsWith("Task group dump of factory 'mbean-plain'")
                        .contains("\n1 group, 1 running task, 1 queued task\n")
                        .contains("\ngroup #" + group.id() + " 'busy' ")
                        .doesNotContain("\n    at ");

                assertThat(Arrays.stream(server.getMBeanInfo(name).getOperations())
                                .map(MBeanFeatureInfo::getName))
                        .containsExactlyInAnyOrder("dumpJson", "dumpText");
                assertThatThrownBy(
                                () -> server.invoke(name, "cancel", new Object[] {group.id()}, new String[] {"long"}))
                        .isInstanceOf(ReflectionException.class)
                        .hasMessageContaining("No operation cancel")
                        .hasMessageContaining("cancel exists only when the application enables it");
                assertThat(group.state()).isEqualTo(TaskGroup.State.OPEN);
                assertThatThrownBy(() -> server.invoke(name, "dumpJson", new Object[] {}, new String[] {}))
                        .hasRootCauseInstanceOf(IllegalArgumentException.class)
                        .hasRootCauseMessage("dumpJson takes one boolean argument: stacks");
                release.countDown();
                group.join();
            }
        }
        assertThat(server.isRegistered(name)).isFalse();
        factory.close(); // idempotent
    }

    @Test
    void theCancelOperationExistsWhenEnabledAndCancelsTheGroup() throws Exception {
        ObjectName name = name("mbean-cancel");
        try (TaskGroupFactory factory = TaskGroupFactory.builder()
                .name("mbean-cancel")
                .executor(pool)
                .jmx(true)
                .jmxCancel(true)
                .build()) {
            assertThat(Arrays.stream(server.getMBeanInfo(name).getOperations()).map(MBeanFeatureInfo::getName))
                    .containsExactlyInAnyOrder("dumpJson", "dumpText", "cancel");
            TaskGroup group = openBusyGroup(factory);
            assertThat(server.invoke(name, "cancel", new Object[] {group.id()}, new String[] {"long"}))
                    .isEqualTo("cancelled group " + group.id() + " 'busy'");
            assertThat(group.cancellationReason()).contains(CancellationReason.EXPLICIT);
            assertThat(server.invoke(name, "cancel", new Object[] {group.id()}, new String[] {"long"}))
                    .isEqualTo("group " + group.id() + " 'busy' was already cancelled");
            group.close(); // returns once the parked task took its interrupt
            assertThat(factory.liveGroups()).isEmpty();
            assertThat(server.invoke(name, "cancel", new Object[] {group.id()}, new String[] {"long"}))
                    .isEqualTo("no live group with id " + group.id());
        }
        assertThat(server.isRegistered(name)).isFalse();
    }

    @Test
    void twoLiveFactoriesWithTheSameNameAreAClearErrorAndOddNamesAreQuoted() throws Exception {
        try (TaskGroupFactory first =
                TaskGroupFactory.builder().name("twin").executor(pool).jmx(true).build()) {
            assertThatThrownBy(() -> TaskGroupFactory.builder()
                            .name("twin")
                            .executor(pool)
                            .jmx(true)
                            .build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Cannot register the MBean of TaskGroupFactory 'twin'")
                    .hasMessageContaining("io.github.taskgroup:type=TaskGroups,name=twin is already registered")
                    .hasMessageContaining("TaskGroupFactory.Builder.name");
            assertThat(server.getAttribute(name("twin"), "Name")).isEqualTo("twin");
            assertThat(first.name()).isEqualTo("twin");
        }
        try (TaskGroupFactory odd = TaskGroupFactory.builder()
                .name("a,b=c:\"d\"")
                .executor(pool)
                .jmx(true)
                .build()) {
            ObjectName quoted =
                    new ObjectName("io.github.taskgroup:type=TaskGroups,name=" + ObjectName.quote("a,b=c:\"d\""));
            assertThat(server.getAttribute(quoted, "Name")).isEqualTo("a,b=c:\"d\"");
        }
        assertThat(server.queryNames(new ObjectName("io.github.taskgroup:*"), null))
                .isEmpty();
    }

    @Test
    void withoutJmxNothingIsRegisteredAndCancelNeedsJmx() throws Exception {
        try (TaskGroupFactory factory =
                TaskGroupFactory.builder().executor(pool).build()) {
            assertThat(factory.name()).isEqualTo("default");
            assertThat(server.queryNames(new ObjectName("io.github.taskgroup:*"), null))
                    .isEmpty();
        }
        assertThatThrownBy(() -> TaskGroupFactory.builder().jmxCancel(true).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("TaskGroupFactory.Builder.jmxCancel(true) needs jmx(true): the cancel operation"
                        + " belongs to the factory's MBean");
    }

    @Test
    void aRuntimeWithoutJavaManagementRunsAndDumpsAndRefusesJmxClearly() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classpath = System.getProperty("java.class.path");
        Process process = new ProcessBuilder(
                        java, "--limit-modules", "java.base", "-cp", classpath, JmxAbsentMain.class.getName())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output)
                .contains("java.management present: false")
                .contains("result: 3")
                .contains("dump: 0 groups, 0 running tasks, 0 queued tasks")
                .contains("jmx: TaskGroupFactory 'no-jmx' was built with jmx(true), but this runtime has no"
                        + " java.management module");
    }
}
