package io.github.taskgroup.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupTimeoutException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.RepeatedTest;

/**
 * A request whose caller's budget is used up when its group opens: the group is timed out before the handler
 * gets it, so a task it forks never runs (a call it would make, refused as past the deadline, would fail the group
 * and answer 500 instead of 504). Found by the three-hop chain tests: about one run in fifty answered 500.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RequestTaskGroupUsedUpBudgetTests {

    private final TaskGroupFactory factory = TaskGroupFactory.builder().build();

    private final IncomingDeadline rule = IncomingDeadline.builder().build();

    @AfterEach
    void shutdown() {
        this.factory.shutdown();
    }

    @RepeatedTest(50)
    void the_group_is_timed_out_when_the_handler_gets_it_and_its_tasks_never_run() {
        RequestTaskGroup request = new RequestTaskGroup(this.factory, () -> "GET /hop", new RequestTaskGroupRegistry());
        request.receive(this.rule
                .read(Map.of("X-Request-Timeout-Ms", "0")::get, System.nanoTime())
                .orElseThrow());
        TaskGroup group = request.group();
        // at once, not when the factory's timer gets to it
        assertThat(group.cancellationReason()).contains(CancellationReason.TIMEOUT);
        AtomicInteger ran = new AtomicInteger();
        Task<String> call = group.fork(() -> {
            ran.incrementAndGet();
            throw new IllegalStateException("a call refused as past the deadline");
        });
        assertThatExceptionOfType(TaskGroupTimeoutException.class).isThrownBy(group::join);
        assertThat(call.state()).isEqualTo(Task.State.CANCELLED);
        assertThat(ran).hasValue(0);
        request.complete();
    }
}
