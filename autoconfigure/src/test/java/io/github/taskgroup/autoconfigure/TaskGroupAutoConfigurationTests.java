package io.github.taskgroup.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

import io.github.taskgroup.ContextPropagator;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupExecutors;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupListener;
import io.github.taskgroup.TaskGroupPolicy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionEvaluationReport;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * The conditions and properties of {@link TaskGroupAutoConfiguration}: each test states one behaviour.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@ExtendWith(OutputCaptureExtension.class)
class TaskGroupAutoConfigurationTests {

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TaskGroupAutoConfiguration.class));

    @Test
    void a_factory_its_executor_and_its_shutdown_lifecycle_are_auto_configured() {
        this.runner.run((context) -> {
            assertThat(context).hasSingleBean(TaskGroupFactory.class);
            assertThat(context).hasSingleBean(TaskGroupExecutor.class);
            assertThat(context).hasSingleBean(TaskGroupShutdownLifecycle.class);
            assertThat(runTwoTasks(context.getBean(TaskGroupFactory.class))).isEqualTo(3);
        });
    }

    @Test
    void the_factory_backs_off_when_the_application_defines_its_own_and_shutdown_still_drains_it() {
        TaskGroupFactory own = TaskGroupFactory.builder().build();
        this.runner.withBean("ownFactory", TaskGroupFactory.class, () -> own).run((context) -> {
            assertThat(context).getBean(TaskGroupFactory.class).isSameAs(own);
            assertThat(context).doesNotHaveBean(TaskGroupExecutor.class);
            assertThat(context).hasSingleBean(TaskGroupShutdownLifecycle.class);
        });
        assertThat(own.isShutdown()).isTrue();
    }

    @Test
    void no_executor_bean_is_defined_so_spring_boots_application_task_executor_stays() {
        this.runner
                .withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class))
                .run((context) -> {
                    assertThat(context).hasBean("applicationTaskExecutor");
                    assertThat(context.getBeansOfType(Executor.class)).containsOnlyKeys("applicationTaskExecutor");
                });
    }

    @Test
    void the_default_executor_is_a_platform_pool_when_virtual_threads_are_not_enabled() {
        this.runner.run((context) -> {
            Executor executor = context.getBean(TaskGroupExecutor.class).getExecutor();
            assertThat(executor).isInstanceOf(ThreadPoolTaskExecutor.class);
            assertThat(context.getBean(TaskGroupExecutor.class).isOwned()).isTrue();
            assertThat(threadOfATask(context))
                    .satisfies((thread) -> assertThat(isVirtual(thread)).isFalse());
        });
    }

    @Test
    void the_platform_pool_is_built_from_the_properties() {
        this.runner
                .withPropertyValues(
                        "taskgroup.executor.mode=platform",
                        "taskgroup.executor.platform.core-size=2",
                        "taskgroup.executor.platform.max-size=5",
                        "taskgroup.executor.platform.queue-capacity=7",
                        "taskgroup.executor.platform.keep-alive=3s",
                        "taskgroup.executor.platform.allow-core-thread-timeout=false",
                        "taskgroup.executor.thread-name-prefix=worker-")
                .run((context) -> {
                    ThreadPoolTaskExecutor pool = (ThreadPoolTaskExecutor)
                            context.getBean(TaskGroupExecutor.class).getExecutor();
                    assertThat(pool.getCorePoolSize()).isEqualTo(2);
                    assertThat(pool.getMaxPoolSize()).isEqualTo(5);
                    assertThat(pool.getQueueCapacity()).isEqualTo(7);
                    assertThat(pool.getKeepAliveSeconds()).isEqualTo(3);
                    assertThat(pool.getThreadNamePrefix()).isEqualTo("worker-");
                    assertThat(pool.getThreadPoolExecutor().allowsCoreThreadTimeOut())
                            .isFalse();
                });
    }

    @Test
    void the_owned_platform_pool_is_shut_down_with_the_context() {
        AtomicReference<ThreadPoolTaskExecutor> pool = new AtomicReference<>();
        this.runner.run((context) -> pool.set((ThreadPoolTaskExecutor)
                context.getBean(TaskGroupExecutor.class).getExecutor()));
        assertThat(pool.get().getThreadPoolExecutor().isShutdown()).isTrue();
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void virtual_threads_run_tasks_when_spring_threads_virtual_is_enabled() {
        this.runner.withPropertyValues("spring.threads.virtual.enabled=true").run((context) -> {
            assertThat(context).hasSingleBean(TaskGroupExecutorConfigurations.VirtualThreadsConfiguration.class);
            assertThat(context).doesNotHaveBean(TaskGroupExecutorConfigurations.PlatformThreadsConfiguration.class);
            assertThat(isVirtual(threadOfATask(context))).isTrue();
        });
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void virtual_threads_run_tasks_when_the_mode_is_virtual() {
        this.runner
                .withPropertyValues("taskgroup.executor.mode=virtual")
                .run((context) -> assertThat(isVirtual(threadOfATask(context))).isTrue());
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void a_virtual_thread_is_born_with_its_tasks_name() {
        this.runner.withPropertyValues("taskgroup.executor.mode=virtual").run((context) -> {
            String name = context.getBean(TaskGroupFactory.class)
                    .run(
                            "checkout",
                            (group) -> group.fork(
                                            "stock",
                                            () -> Thread.currentThread().getName())
                                    .get());
            assertThat(name).isEqualTo("checkout/stock");
        });
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void virtual_threads_carry_the_prefix_when_rename_threads_is_off() {
        this.runner
                .withPropertyValues(
                        "taskgroup.executor.mode=virtual",
                        "taskgroup.rename-threads=false",
                        "taskgroup.executor.thread-name-prefix=tg-")
                .run((context) -> {
                    Thread thread = threadOfATask(context);
                    assertThat(isVirtual(thread)).isTrue();
                    assertThat(thread.getName()).matches("tg-\\d+");
                });
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void the_platform_mode_wins_over_spring_threads_virtual_enabled() {
        this.runner
                .withPropertyValues("spring.threads.virtual.enabled=true", "taskgroup.executor.mode=platform")
                .run((context) -> {
                    assertThat(context)
                            .hasSingleBean(TaskGroupExecutorConfigurations.PlatformThreadsConfiguration.class);
                    assertThat(context.getBean(TaskGroupExecutor.class).getExecutor())
                            .isInstanceOf(ThreadPoolTaskExecutor.class);
                    assertThat(isVirtual(threadOfATask(context))).isFalse();
                });
    }

    @Test
    void an_empty_mode_counts_as_unset_and_gives_the_platform_pool() {
        this.runner.withPropertyValues("taskgroup.executor.mode=").run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(context).hasSingleBean(TaskGroupExecutorConfigurations.PlatformThreadsConfiguration.class);
            assertThat(context.getBean(TaskGroupExecutor.class).getExecutor())
                    .isInstanceOf(ThreadPoolTaskExecutor.class);
            assertThat(runTwoTasks(context.getBean(TaskGroupFactory.class))).isEqualTo(3);
        });
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void an_empty_mode_follows_spring_threads_virtual_enabled() {
        this.runner
                .withPropertyValues("taskgroup.executor.mode=", "spring.threads.virtual.enabled=true")
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context)
                            .hasSingleBean(TaskGroupExecutorConfigurations.VirtualThreadsConfiguration.class);
                    assertThat(isVirtual(threadOfATask(context))).isTrue();
                });
    }

    @Test
    void the_conditions_report_says_why_the_platform_pool_was_chosen() {
        this.runner.run((context) -> {
            Map<String, ConditionEvaluationReport.ConditionAndOutcomes> outcomes =
                    ConditionEvaluationReport.get(context.getBeanFactory()).getConditionAndOutcomesBySource();
            assertThat(outcomes.get(TaskGroupExecutorConfigurations.PlatformThreadsConfiguration.class.getName()))
                    .singleElement()
                    .satisfies((outcome) -> {
                        assertThat(outcome.getOutcome().isMatch()).isTrue();
                        assertThat(outcome.getOutcome().getMessage())
                                .isEqualTo(
                                        "TaskGroup executor mode platform 'taskgroup.executor.mode' is not set and Spring Boot runs on platform threads");
                    });
        });
    }

    @Test
    void the_mode_is_read_as_the_properties_bind_it_whatever_its_case() {
        this.runner
                .withPropertyValues("spring.threads.virtual.enabled=true", "taskgroup.executor.mode=Platform")
                .run((context) -> assertThat(context)
                        .hasSingleBean(TaskGroupExecutorConfigurations.PlatformThreadsConfiguration.class));
    }

    @Test
    void an_unknown_mode_fails_start_up_and_names_the_property() {
        this.runner.withPropertyValues("taskgroup.executor.mode=fibers").run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("fibers")
                    .hasMessageContaining("Mode");
            assertThat(context.getStartupFailure()).hasStackTraceContaining("taskgroup.executor.mode");
        });
    }

    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    void spring_threads_virtual_enabled_falls_back_to_the_platform_pool_before_jdk_21() {
        this.runner
                .withPropertyValues("spring.threads.virtual.enabled=true")
                .run((context) -> assertThat(
                                context.getBean(TaskGroupExecutor.class).getExecutor())
                        .isInstanceOf(ThreadPoolTaskExecutor.class));
    }

    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    void the_virtual_mode_fails_start_up_before_jdk_21_and_says_what_to_do() {
        this.runner
                .withPropertyValues("taskgroup.executor.mode=virtual")
                .run((context) -> assertThat(analyze(context))
                        .contains("Invalid value 'virtual' for configuration property 'taskgroup.executor.mode'")
                        .contains("virtual threads need JDK 21 or later")
                        .contains("set 'taskgroup.executor.mode' to 'platform'"));
    }

    @Test
    void the_bean_mode_runs_tasks_on_the_named_executor_and_leaves_its_lifecycle_alone() {
        RecordingExecutor app = new RecordingExecutor();
        this.runner
                .withBean("ioExecutor", Executor.class, () -> app)
                .withPropertyValues("taskgroup.executor.mode=bean", "taskgroup.executor.bean-name=ioExecutor")
                .run((context) -> {
                    TaskGroupExecutor executor = context.getBean(TaskGroupExecutor.class);
                    assertThat(executor.getExecutor()).isSameAs(app);
                    assertThat(executor.isOwned()).isFalse();
                    assertThat(runTwoTasks(context.getBean(TaskGroupFactory.class)))
                            .isEqualTo(3);
                    assertThat(app.submitted).hasSize(2);
                });
    }

    @Test
    void the_bean_mode_fails_start_up_when_the_executor_bean_is_unknown_and_lists_the_known_ones() {
        this.runner
                .withBean("ioExecutor", Executor.class, RecordingExecutor::new)
                .withPropertyValues("taskgroup.executor.mode=bean", "taskgroup.executor.bean-name=missing")
                .run((context) -> assertThat(analyze(context))
                        .contains("Invalid value 'missing' for configuration property 'taskgroup.executor.bean-name'")
                        .contains("there is no bean named 'missing'")
                        .contains("the context has: ioExecutor"));
    }

    @Test
    void the_bean_mode_fails_start_up_without_a_bean_name() {
        this.runner
                .withPropertyValues("taskgroup.executor.mode=bean")
                .run((context) -> assertThat(analyze(context))
                        .contains("'taskgroup.executor.bean-name'")
                        .contains("it is required when 'taskgroup.executor.mode' is 'bean'"));
    }

    @Test
    void the_default_policy_and_timeout_apply_to_every_group() {
        this.runner
                .withPropertyValues("taskgroup.policy=supervise", "taskgroup.default-timeout=1h")
                .run((context) -> {
                    try (TaskGroup group =
                            context.getBean(TaskGroupFactory.class).open("any")) {
                        assertThat(group.policy()).isEqualTo(TaskGroupPolicy.SUPERVISE);
                        assertThat(group.deadline()).isPresent();
                    }
                });
    }

    @Test
    void without_properties_groups_fail_fast_and_have_no_deadline() {
        this.runner.run((context) -> {
            try (TaskGroup group = context.getBean(TaskGroupFactory.class).open("any")) {
                assertThat(group.policy()).isEqualTo(TaskGroupPolicy.FAIL_FAST);
                assertThat(group.deadline()).isEmpty();
            }
        });
    }

    @Test
    void the_default_max_concurrency_holds_back_a_second_task_while_the_first_runs() {
        this.runner.withPropertyValues("taskgroup.max-concurrency=1").run((context) -> {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            try (TaskGroup group = context.getBean(TaskGroupFactory.class).open("limited")) {
                group.fork("first", () -> {
                    started.countDown();
                    return release.await(30, TimeUnit.SECONDS);
                });
                Task<String> second = group.fork("second", () -> "done");
                assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
                assertThat(second.state()).isEqualTo(Task.State.PENDING);
                release.countDown();
                group.join();
                assertThat(second.get()).isEqualTo("done");
            }
        });
    }

    @Test
    void named_group_options_override_the_defaults_for_groups_with_that_name() {
        RecordingExecutor reports = new RecordingExecutor();
        this.runner
                .withBean("reportsExecutor", Executor.class, () -> reports)
                .withPropertyValues(
                        "taskgroup.policy=supervise",
                        "taskgroup.groups.reports.policy=first-success",
                        "taskgroup.groups.reports.timeout=10m",
                        "taskgroup.groups.reports.executor=reportsExecutor")
                .run((context) -> {
                    TaskGroupFactory factory = context.getBean(TaskGroupFactory.class);
                    try (TaskGroup group = factory.open("reports")) {
                        assertThat(group.policy()).isEqualTo(TaskGroupPolicy.FIRST_SUCCESS);
                        assertThat(group.deadline()).isPresent();
                        group.fork(() -> "report");
                        group.join();
                    }
                    assertThat(reports.submitted).hasSize(1);
                    try (TaskGroup other = factory.open("other")) {
                        assertThat(other.policy()).isEqualTo(TaskGroupPolicy.SUPERVISE);
                        assertThat(other.deadline()).isEmpty();
                    }
                });
    }

    @Test
    void group_names_with_dots_or_capitals_are_written_in_brackets() {
        this.runner
                .withPropertyValues(
                        "taskgroup.groups.[checkout.v2].policy=supervise",
                        "taskgroup.groups.[Reports].policy=first-success")
                .run((context) -> {
                    TaskGroupFactory factory = context.getBean(TaskGroupFactory.class);
                    try (TaskGroup group = factory.open("checkout.v2")) {
                        assertThat(group.policy()).isEqualTo(TaskGroupPolicy.SUPERVISE);
                    }
                    try (TaskGroup group = factory.open("Reports")) {
                        assertThat(group.policy()).isEqualTo(TaskGroupPolicy.FIRST_SUCCESS);
                    }
                });
    }

    @Test
    void a_negative_default_timeout_fails_start_up_naming_the_property() {
        this.runner
                .withPropertyValues("taskgroup.default-timeout=-5s")
                .run((context) -> assertThat(analyze(context))
                        .contains("Invalid value 'PT-5S' for configuration property 'taskgroup.default-timeout': "
                                + "it must be positive.")
                        .contains("Set 'taskgroup.default-timeout' to a positive duration such as '5s'"));
    }

    @Test
    void a_max_concurrency_of_zero_fails_start_up_naming_the_property() {
        this.runner
                .withPropertyValues("taskgroup.max-concurrency=0")
                .run((context) -> assertThat(analyze(context))
                        .contains("Invalid value '0' for configuration property 'taskgroup.max-concurrency': "
                                + "it must be at least 1.")
                        .contains("Set 'taskgroup.max-concurrency' to 1 or more"));
    }

    @Test
    void an_invalid_value_is_spring_boots_invalid_configuration_property_value_exception() {
        this.runner.withPropertyValues("taskgroup.max-concurrency=0").run((context) -> {
            assertThat(context).hasFailed();
            InvalidConfigurationPropertyValueException invalid =
                    findCause(context.getStartupFailure(), InvalidConfigurationPropertyValueException.class);
            assertThat(invalid.getName()).isEqualTo("taskgroup.max-concurrency");
            assertThat(invalid.getValue()).isEqualTo(0);
            assertThat(invalid.getReason()).isEqualTo("it must be at least 1");
        });
    }

    private static <T extends Throwable> T findCause(Throwable failure, Class<T> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in " + failure);
    }

    @Test
    void invalid_named_group_options_fail_start_up_naming_the_group_property() {
        this.runner
                .withPropertyValues("taskgroup.groups.orders.max-concurrency=0")
                .run((context) -> assertThat(analyze(context)).contains("'taskgroup.groups.orders.max-concurrency'"));
        this.runner
                .withPropertyValues("taskgroup.groups.orders.timeout=-1s")
                .run((context) -> assertThat(analyze(context)).contains("'taskgroup.groups.orders.timeout'"));
        this.runner
                .withPropertyValues("taskgroup.groups.orders.executor=nope")
                .run((context) -> assertThat(analyze(context))
                        .contains("'taskgroup.groups.orders.executor'")
                        .contains("there is no bean named 'nope'"));
    }

    @Test
    void a_named_executor_that_is_not_an_executor_fails_start_up() {
        this.runner
                .withBean("notAnExecutor", String.class, () -> "text")
                .withPropertyValues("taskgroup.groups.orders.executor=notAnExecutor")
                .run((context) -> assertThat(analyze(context))
                        .contains("bean 'notAnExecutor' is not a java.util.concurrent.Executor"));
    }

    @Test
    void an_inconsistent_platform_pool_fails_start_up_naming_the_property() {
        this.runner
                .withPropertyValues(
                        "taskgroup.executor.platform.core-size=10", "taskgroup.executor.platform.max-size=5")
                .run((context) -> assertThat(analyze(context))
                        .contains("'taskgroup.executor.platform.max-size'")
                        .contains("it must be at least 10"));
    }

    @Test
    void a_negative_await_termination_period_fails_start_up_naming_the_property() {
        this.runner
                .withPropertyValues("taskgroup.shutdown.await-termination-period=-1s")
                .run((context) -> assertThat(analyze(context))
                        .contains("'taskgroup.shutdown.await-termination-period': it must be zero or positive."));
    }

    @Test
    void an_unknown_policy_fails_start_up_through_spring_boots_binding_report() {
        this.runner
                .withPropertyValues("taskgroup.policy=random")
                .run((context) ->
                        assertThat(context).hasFailed().getFailure().hasStackTraceContaining("taskgroup.policy"));
    }

    @Test
    void listener_propagator_and_customizer_beans_are_applied_to_the_factory() {
        this.runner.withUserConfiguration(ExtensionsConfiguration.class).run((context) -> {
            runTwoTasks(context.getBean(TaskGroupFactory.class));
            ExtensionsConfiguration extensions = context.getBean(ExtensionsConfiguration.class);
            assertThat(extensions.events).containsExactly("opened:sums", "wrapped", "wrapped");
            assertThat(extensions.customized).isTrue();
        });
    }

    @Test
    void threads_are_not_renamed_when_rename_threads_is_off() {
        this.runner
                .withPropertyValues("taskgroup.rename-threads=false", "taskgroup.executor.thread-name-prefix=tg-")
                .run((context) -> assertThat(threadOfATask(context).getName()).startsWith("tg-"));
    }

    @Test
    void spring_boot_reports_an_invalid_property_with_the_failure_analysis(CapturedOutput output) {
        SpringApplication application = new SpringApplication(EmptyApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setDefaultProperties(Map.of("taskgroup.max-concurrency", "0"));
        assertThatException().isThrownBy(application::run);
        assertThat(output)
                .contains("APPLICATION FAILED TO START")
                .contains(
                        "Invalid value '0' for configuration property 'taskgroup.max-concurrency': it must be at least 1.")
                .contains("Set 'taskgroup.max-concurrency' to 1 or more");
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TaskGroupAutoConfiguration.class)
    static class EmptyApplication {}

    static String analyze(AssertableApplicationContext context) {
        assertThat(context).hasFailed();
        var analysis = new InvalidTaskGroupPropertyFailureAnalyzer().analyze(context.getStartupFailure());
        assertThat(analysis)
                .as("failure analysis of %s", context.getStartupFailure())
                .isNotNull();
        return analysis.getDescription() + System.lineSeparator() + analysis.getAction();
    }

    static int runTwoTasks(TaskGroupFactory factory) throws InterruptedException {
        return factory.run("sums", (group) -> {
            Task<Integer> one = group.fork(() -> 1);
            Task<Integer> two = group.fork(() -> 2);
            group.join();
            return one.get() + two.get();
        });
    }

    static Thread threadOfATask(AssertableApplicationContext context) throws InterruptedException {
        return context.getBean(TaskGroupFactory.class).run("where", (group) -> {
            Task<Thread> task = group.fork(Thread::currentThread);
            group.join();
            return task.get();
        });
    }

    static boolean isVirtual(Thread thread) {
        return TaskGroupExecutors.isVirtual(thread);
    }

    /** Runs tasks on a new platform thread each, recording them. */
    static final class RecordingExecutor implements Executor {

        final List<Runnable> submitted = new CopyOnWriteArrayList<>();

        @Override
        public void execute(Runnable command) {
            this.submitted.add(command);
            new Thread(command).start();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ExtensionsConfiguration {

        final List<String> events = new CopyOnWriteArrayList<>();

        volatile boolean customized;

        @Bean
        TaskGroupListener recordingListener() {
            return new TaskGroupListener() {
                @Override
                public void groupOpened(TaskGroup group) {
                    ExtensionsConfiguration.this.events.add("opened:" + group.name());
                }
            };
        }

        @Bean
        @Order(1)
        ContextPropagator recordingPropagator() {
            return (task) -> {
                ExtensionsConfiguration.this.events.add("wrapped");
                return task;
            };
        }

        @Bean
        TaskGroupFactoryBuilderCustomizer recordingCustomizer() {
            return (builder) -> this.customized = true;
        }
    }
}
