package io.github.taskgroup.autoconfigure.context;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.taskgroup.ContextPropagator;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.autoconfigure.TaskGroupAutoConfiguration;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.task.TaskDecorator;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestAttributesThreadLocalAccessor;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Context propagation into tasks: what the forking thread has, the task sees; and a pooled thread carries
 * nothing of one task into the next. The pool has a single thread so that both tasks share it.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TaskGroupContextAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(
                    AutoConfigurations.of(TaskGroupContextAutoConfiguration.class, TaskGroupAutoConfiguration.class))
            .withPropertyValues(
                    "taskgroup.executor.mode=platform",
                    "taskgroup.executor.platform.core-size=1",
                    "taskgroup.executor.platform.max-size=1",
                    "taskgroup.executor.platform.queue-capacity=10");

    @AfterEach
    void clearCallerThread() {
        MDC.clear();
        SecurityContextHolder.clearContext();
        RequestContextHolder.resetRequestAttributes();
    }

    @Test
    void the_mdc_of_the_forking_thread_is_seen_by_the_task() {
        this.runner.run((context) -> {
            MDC.put("requestId", "r-1");
            assertThat(inTask(context.getBean(TaskGroupFactory.class), () -> MDC.get("requestId")))
                    .isEqualTo("r-1");
        });
    }

    @Test
    void the_security_context_of_the_forking_thread_is_seen_by_the_task() {
        this.runner.run((context) -> {
            Authentication alice = new TestingAuthenticationToken("alice", "secret", "ROLE_USER");
            SecurityContextHolder.getContext().setAuthentication(alice);
            assertThat(inTask(
                            context.getBean(TaskGroupFactory.class),
                            () -> SecurityContextHolder.getContext().getAuthentication()))
                    .isSameAs(alice);
        });
    }

    @Test
    void the_request_attributes_of_the_forking_thread_are_seen_by_the_task() {
        this.runner.run((context) -> {
            MockHttpServletRequest request = new MockHttpServletRequest();
            request.setAttribute("tenant", "acme");
            RequestContextHolder.setRequestAttributes(new ServletRequestAttributes(request));
            assertThat(inTask(
                            context.getBean(TaskGroupFactory.class),
                            () -> RequestContextHolder.currentRequestAttributes()
                                    .getAttribute("tenant", RequestAttributes.SCOPE_REQUEST)))
                    .isEqualTo("acme");
        });
    }

    @Test
    void the_current_observation_of_the_forking_thread_is_current_in_the_task() {
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new AllContexts());
        this.runner.run((context) -> {
            Observation observation = Observation.start("checkout", registry);
            try (Observation.Scope scope = observation.openScope()) {
                assertThat(scope.getCurrentObservation()).isSameAs(observation);
                assertThat(inTask(context.getBean(TaskGroupFactory.class), registry::getCurrentObservation))
                        .isSameAs(observation);
            } finally {
                observation.stop();
            }
        });
    }

    @Test
    void nothing_a_task_inherited_remains_on_its_pooled_thread_for_the_next_task() {
        this.runner.run((context) -> {
            TaskGroupFactory factory = context.getBean(TaskGroupFactory.class);
            MDC.put("requestId", "r-1");
            SecurityContextHolder.getContext()
                    .setAuthentication(new TestingAuthenticationToken("alice", "secret", "ROLE_USER"));
            RequestContextHolder.setRequestAttributes(new ServletRequestAttributes(new MockHttpServletRequest()));
            Seen first = inTask(factory, Seen::now);
            assertThat(first.requestId()).isEqualTo("r-1");
            assertThat(first.authentication()).isNotNull();
            assertThat(first.requestAttributes()).isNotNull();

            clearCallerThread(); // the next request has none of it
            Seen second = inTask(factory, Seen::now);
            assertThat(second.thread()).isSameAs(first.thread());
            assertThat(second.requestId()).isNull();
            assertThat(second.authentication()).isNull();
            assertThat(second.requestAttributes()).isNull();
        });
    }

    @Test
    void a_thread_local_set_by_the_task_itself_is_gone_after_it() {
        this.runner.run((context) -> {
            TaskGroupFactory factory = context.getBean(TaskGroupFactory.class);
            Seen first = inTask(factory, () -> {
                MDC.put("leak", "yes");
                return Seen.now();
            });
            Seen second = inTask(factory, () -> {
                Seen seen = Seen.now();
                assertThat(MDC.get("leak")).isNull();
                return seen;
            });
            assertThat(second.thread()).isSameAs(first.thread());
        });
    }

    @Test
    void the_mdc_stays_behind_when_its_propagation_is_switched_off() {
        this.runner.withPropertyValues("taskgroup.context.mdc=false").run((context) -> {
            MDC.put("requestId", "r-1");
            SecurityContextHolder.getContext()
                    .setAuthentication(new TestingAuthenticationToken("alice", "secret", "ROLE_USER"));
            Seen seen = inTask(context.getBean(TaskGroupFactory.class), Seen::now);
            assertThat(seen.requestId()).isNull();
            assertThat(seen.authentication()).isNotNull();
        });
    }

    @Test
    void the_security_context_and_request_attributes_stay_behind_when_switched_off() {
        this.runner
                .withPropertyValues("taskgroup.context.security=false", "taskgroup.context.request-attributes=false")
                .run((context) -> {
                    MDC.put("requestId", "r-1");
                    SecurityContextHolder.getContext()
                            .setAuthentication(new TestingAuthenticationToken("alice", "secret", "ROLE_USER"));
                    RequestContextHolder.setRequestAttributes(
                            new ServletRequestAttributes(new MockHttpServletRequest()));
                    Seen seen = inTask(context.getBean(TaskGroupFactory.class), Seen::now);
                    assertThat(seen.requestId()).isEqualTo("r-1");
                    assertThat(seen.authentication()).isNull();
                    assertThat(seen.requestAttributes()).isNull();
                });
    }

    @Test
    void no_context_propagates_when_propagation_is_disabled() {
        this.runner.withPropertyValues("taskgroup.context.enabled=false").run((context) -> {
            assertThat(context).doesNotHaveBean(ContextSnapshotPropagator.class);
            MDC.put("requestId", "r-1");
            assertThat(inTask(context.getBean(TaskGroupFactory.class), () -> MDC.get("requestId")))
                    .isNull();
        });
    }

    @Test
    void the_snapshot_propagator_backs_off_without_the_context_propagation_library() {
        this.runner
                .withClassLoader(new FilteredClassLoader(ContextSnapshotFactory.class))
                .run((context) -> assertThat(context)
                        .doesNotHaveBean(ContextSnapshotPropagator.class)
                        .hasSingleBean(TaskGroupFactory.class));
    }

    @Test
    void the_snapshot_propagator_backs_off_when_the_application_defines_one() {
        ContextSnapshotPropagator own =
                new ContextSnapshotPropagator(ContextSnapshotFactory.builder().build());
        this.runner
                .withBean(ContextSnapshotPropagator.class, () -> own)
                .run((context) -> assertThat(context)
                        .getBean(ContextSnapshotPropagator.class)
                        .isSameAs(own));
    }

    @Test
    void task_decorator_beans_decorate_every_task_inside_the_restored_context() {
        List<String> seenByDecorator = new ArrayList<>();
        TaskDecorator decorator = (runnable) -> {
            String captured = MDC.get("requestId");
            return () -> {
                seenByDecorator.add(captured + "/" + MDC.get("requestId"));
                runnable.run();
            };
        };
        this.runner.withBean(TaskDecorator.class, () -> decorator).run((context) -> {
            assertThat(context).hasSingleBean(TaskDecoratorPropagator.class);
            MDC.put("requestId", "r-7");
            inTask(context.getBean(TaskGroupFactory.class), () -> "ok");
            assertThat(seenByDecorator).containsExactly("r-7/r-7");
        });
    }

    @Test
    void task_decorators_are_ignored_when_switched_off() {
        this.runner
                .withBean(TaskDecorator.class, () -> (runnable) -> runnable)
                .withPropertyValues("taskgroup.context.task-decorators=false")
                .run((context) -> assertThat(context).doesNotHaveBean(TaskDecoratorPropagator.class));
    }

    @Test
    void the_snapshot_runs_before_the_task_decorators_and_application_propagators_are_kept() {
        this.runner
                .withBean(TaskDecorator.class, () -> (runnable) -> runnable)
                .withBean("appPropagator", ContextPropagator.class, () -> (task) -> task)
                .run((context) -> {
                    assertThat(context.getBeanProvider(ContextPropagator.class)
                                    .orderedStream()
                                    .toList())
                            .hasSize(3)
                            .first()
                            .isInstanceOf(ContextSnapshotPropagator.class);
                });
    }

    @Test
    void the_observation_stays_behind_when_its_propagation_is_switched_off() {
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new AllContexts());
        this.runner.withPropertyValues("taskgroup.context.observation=false").run((context) -> {
            Observation observation = Observation.start("checkout", registry);
            try (Observation.Scope scope = observation.openScope()) {
                assertThat(scope.getCurrentObservation()).isSameAs(observation);
                assertThat(inTask(context.getBean(TaskGroupFactory.class), registry::getCurrentObservation))
                        .isNull();
            } finally {
                observation.stop();
            }
        });
    }

    @Test
    void security_support_backs_off_without_spring_security_on_the_class_path() {
        this.runner
                .withClassLoader(new FilteredClassLoader(SecurityContextHolder.class))
                .run((context) -> {
                    assertThat(context).doesNotHaveBean("taskGroupSecurityContext");
                    assertThat(context).hasBean("taskGroupMdcContext").hasSingleBean(ContextSnapshotPropagator.class);
                });
    }

    @Test
    void request_attributes_support_backs_off_without_spring_web_on_the_class_path() {
        this.runner
                .withClassLoader(new FilteredClassLoader(RequestAttributesThreadLocalAccessor.class))
                .run((context) -> assertThat(context)
                        .doesNotHaveBean("taskGroupRequestAttributesContext")
                        .hasBean("taskGroupSecurityContext"));
    }

    @Test
    void an_application_thread_local_propagates_through_a_registry_customizer_and_does_not_leak() {
        ThreadLocal<String> tenant = new ThreadLocal<>();
        TaskGroupContextRegistryCustomizer customizer =
                (registry) -> registry.registerThreadLocalAccessor("tenant", tenant::get, tenant::set, tenant::remove);
        this.runner
                .withBean(TaskGroupContextRegistryCustomizer.class, () -> customizer)
                .run((context) -> {
                    TaskGroupFactory factory = context.getBean(TaskGroupFactory.class);
                    tenant.set("acme");
                    try {
                        assertThat(inTask(factory, tenant::get)).isEqualTo("acme");
                    } finally {
                        tenant.remove();
                    }
                    assertThat(inTask(factory, tenant::get)).isNull();
                });
        assertThat(ContextRegistry.getInstance().getThreadLocalAccessors())
                .noneMatch((accessor) -> "tenant".equals(accessor.key()));
    }

    static <T> T inTask(TaskGroupFactory factory, Supplier<T> supplier) throws InterruptedException {
        return factory.run("context", (group) -> {
            Task<T> task = group.fork(supplier::get);
            group.join();
            return task.get();
        });
    }

    record Seen(
            Thread thread,
            String requestId,
            Authentication authentication,
            RequestAttributes requestAttributes,
            Map<String, String> mdc) {

        static Seen now() {
            return new Seen(
                    Thread.currentThread(),
                    MDC.get("requestId"),
                    SecurityContextHolder.getContext().getAuthentication(),
                    RequestContextHolder.getRequestAttributes(),
                    MDC.getCopyOfContextMap());
        }
    }

    /** Lets observations start, so that they have scopes. */
    static final class AllContexts implements ObservationHandler<Observation.Context> {

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }
    }
}
