package io.github.taskgroup.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.taskgroup.TaskGroupException;
import io.github.taskgroup.TaskGroupExecutors;
import io.github.taskgroup.TaskGroupFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runs the seed examples with the timings and checks what they print. */
class ExamplesTest {

    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    private TaskGroupFactory factory;

    @BeforeEach
    void setUp() {
        factory = TaskGroupFactory.builder()
                .executor(TaskGroupExecutors.defaultExecutor())
                .build();
    }

    @AfterEach
    void tearDown() {
        factory.close();
    }

    private List<String> lines() {
        return buffer.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void example1RunsBothWorkersConcurrentlyAndPrintsTheResultsAfterBoth() throws Exception {
        int[] results = new WorkersExample(out, Duration.ofSeconds(1)).run(factory);

        assertThat(results).containsExactly(2, 4);
        List<String> lines = lines();
        assertThat(lines)
                .containsExactlyInAnyOrder(
                        "Worker 1 starting",
                        "Worker 2 starting",
                        "Worker 1 done",
                        "Worker 2 done",
                        "All workers finished.",
                        "Results: 2, 4");
        // Both started before either finished: they ran side by side, not one after the other.
        assertThat(lines.subList(0, 2)).containsExactlyInAnyOrder("Worker 1 starting", "Worker 2 starting");
        assertThat(lines.subList(4, 6)).containsExactly("All workers finished.", "Results: 2, 4");
    }

    @Test
    void example2CancelsTask1WhenTask2FailsAndTheOwnerCatchesOneAggregateException() throws Exception {
        TaskGroupException caught =
                new CancellationExample(out, Duration.ofSeconds(5), Duration.ofSeconds(1)).run(factory);

        assertThat(caught.failures())
                .singleElement()
                .satisfies(failure -> assertThat(failure)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessage("Something went wrong in Task 2"));
        assertThat(caught).hasMessageContaining("task 'task-2' threw");
        List<String> lines = lines();
        assertThat(lines)
                .contains(
                        "Task 1 running...",
                        "Task 2 running...",
                        "Task 1 was cancelled!",
                        "Caught TaskGroupException with 1 failure(s):")
                .doesNotContain("Task 1 finished (it should have been cancelled)");
        // The owner hears of the failure only after task 1 has ended: the group waited for it.
        assertThat(lines.indexOf("Task 1 was cancelled!"))
                .isLessThan(lines.indexOf("Caught TaskGroupException with 1 failure(s):"));
    }
}
