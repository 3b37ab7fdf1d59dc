package io.github.taskgroup.starter;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Service;

/**
 * A tiny application whose only dependency is the starter: it gets a working {@link TaskGroupFactory}, with
 * the named group options of its {@code application.properties} and the MDC propagated into tasks.
 */
@SpringBootTest
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class StarterApplicationTests {

    @Autowired
    private QuoteService quotes;

    @AfterEach
    void clearMdc() {
        MDC.clear();
    }

    @Test
    void a_service_runs_a_group_with_the_injected_factory() throws InterruptedException {
        MDC.put("requestId", "r-42");
        assertThat(this.quotes.quotes(List.of("a", "b", "c"))).containsExactly("a@r-42", "b@r-42", "c@r-42");
    }

    @Test
    void named_group_options_come_from_application_properties_and_boots_task_executor_stays(
            @Autowired TaskGroupFactory factory, @Autowired ApplicationContext context) {
        try (TaskGroup group = factory.open("quotes")) {
            assertThat(group.deadline()).isPresent();
        }
        try (TaskGroup group = factory.open("other")) {
            assertThat(group.deadline()).isEmpty();
        }
        assertThat(context.getBeansOfType(Executor.class)).containsOnlyKeys("applicationTaskExecutor");
    }

    @SpringBootApplication
    @Import(QuoteService.class)
    static class QuoteApplication {}

    @Service
    static class QuoteService {

        private final TaskGroupFactory taskGroups;

        QuoteService(TaskGroupFactory taskGroups) {
            this.taskGroups = taskGroups;
        }

        List<String> quotes(List<String> symbols) throws InterruptedException {
            return this.taskGroups.run("quotes", (group) -> {
                List<Task<String>> tasks = symbols.stream()
                        .map((symbol) -> group.fork(symbol, () -> symbol + "@" + MDC.get("requestId")))
                        .toList();
                group.join();
                return tasks.stream().map(Task::get).toList();
            });
        }
    }
}
