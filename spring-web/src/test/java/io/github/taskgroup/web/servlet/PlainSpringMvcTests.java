package io.github.taskgroup.web.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.github.taskgroup.ContextPropagator;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.web.RequestTaskGroupRegistry;
import io.github.taskgroup.web.RequestTaskGroupShutdownLifecycle;
import io.github.taskgroup.web.RequestTaskGroups;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.web.MockServletContext;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.support.AnnotationConfigWebApplicationContext;
import org.springframework.web.servlet.config.annotation.EnableWebMvc;

/**
 * A Spring Framework application without Spring Boot that registers the beans as docs/request-scoped-groups.md
 * says: the {@code TaskGroup} handler parameter and {@link RequestTaskGroups} work, and the group is closed
 * and unregistered when the request completes.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PlainSpringMvcTests {

    private AnnotationConfigWebApplicationContext context;

    private MockMvc mvc;

    @BeforeEach
    void start() {
        this.context = new AnnotationConfigWebApplicationContext();
        this.context.setServletContext(new MockServletContext());
        this.context.register(TaskGroupWebConfig.class, SumController.class);
        this.context.refresh();
        this.mvc = MockMvcBuilders.webAppContextSetup(this.context)
                .addFilters(new RequestTaskGroupAsyncFilter())
                .build();
    }

    @AfterEach
    void stop() {
        this.context.close();
    }

    @Test
    void a_handler_forks_into_its_request_group_and_tasks_find_the_same_group() throws Exception {
        this.mvc
                .perform(get("/sum"))
                .andExpect(status().isOk())
                .andExpect(content().string("GET /sum: 42, same group in the task: true"));
        assertThat(this.context.getBean(RequestTaskGroupRegistry.class).snapshot())
                .isEmpty();
    }

    @Configuration(proxyBeanMethods = false)
    @EnableWebMvc
    static class TaskGroupWebConfig {

        @Bean
        TaskGroupFactory taskGroupFactory() {
            return TaskGroupFactory.builder()
                    .contextPropagator(requestAttributes())
                    .build();
        }

        @Bean
        RequestTaskGroupRegistry requestTaskGroupRegistry() {
            return new RequestTaskGroupRegistry();
        }

        @Bean
        DisconnectProbeScheduler disconnectProbeScheduler() {
            // Mock requests have no connection to watch.
            return new DisconnectProbeScheduler(DisconnectProbe.NONE, Duration.ofMillis(50));
        }

        @Bean
        ServletRequestTaskGroups requestTaskGroups(
                TaskGroupFactory factory, RequestTaskGroupRegistry registry, DisconnectProbeScheduler scheduler) {
            return new ServletRequestTaskGroups(factory, registry, scheduler, null);
        }

        @Bean
        TaskGroupWebMvcConfigurer taskGroupWebMvcConfigurer(ServletRequestTaskGroups requestTaskGroups) {
            return new TaskGroupWebMvcConfigurer(requestTaskGroups);
        }

        @Bean
        RequestTaskGroupShutdownLifecycle requestTaskGroupShutdownLifecycle(RequestTaskGroupRegistry registry) {
            return new RequestTaskGroupShutdownLifecycle(registry, Duration.ofSeconds(30));
        }

        static ContextPropagator requestAttributes() {
            return (task) -> {
                RequestAttributes captured = RequestContextHolder.getRequestAttributes();
                return () -> {
                    RequestAttributes previous = RequestContextHolder.getRequestAttributes();
                    RequestContextHolder.setRequestAttributes(captured);
                    try {
                        task.run();
                    } finally {
                        RequestContextHolder.setRequestAttributes(previous);
                    }
                };
            };
        }
    }

    @RestController
    static class SumController {

        private final RequestTaskGroups groups;

        SumController(RequestTaskGroups groups) {
            this.groups = groups;
        }

        @GetMapping("/sum")
        String sum(TaskGroup group) throws InterruptedException {
            Task<Integer> a = group.fork("a", () -> 20);
            Task<Boolean> same = group.fork("same", () -> this.groups.current() == group);
            Task<Integer> b = group.fork("b", () -> 22);
            group.join();
            return group.name() + ": " + (a.get() + b.get()) + ", same group in the task: " + same.get();
        }
    }
}
