package io.github.taskgroup.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroupFactory;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.SmartLifecycle;

/**
 * Graceful shutdown: draining open groups, cancelling those that outlive the period, and reporting tasks that
 * ignore their interrupt. Every wait is on a latch or an Awaitility condition.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@ExtendWith(OutputCaptureExtension.class)
class TaskGroupShutdownLifecycleTests {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TaskGroupAutoConfiguration.class));

    @Test
    void closing_the_context_waits_for_open_groups_to_finish_on_their_own() {
        this.runner
                .withPropertyValues("taskgroup.shutdown.await-termination-period=30s")
                .run((context) -> {
                    TaskGroupFactory factory = context.getBean(TaskGroupFactory.class);
                    CountDownLatch started = new CountDownLatch(1);
                    CountDownLatch release = new CountDownLatch(1);
                    CompletableFuture<Object> result = runInBackground(factory, "drained", () -> {
                        started.countDown();
                        release.await();
                        return "finished";
                    });
                    assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
                    CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
                    await().atMost(PATIENCE).until(factory::isShutdown);
                    assertThat(closing).isNotDone(); // still waiting for the group
                    release.countDown();
                    closing.get(30, TimeUnit.SECONDS);
                    assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo("finished");
                });
    }

    @Test
    void no_new_group_opens_once_shutdown_began() {
        this.runner.run((context) -> {
            TaskGroupFactory factory = context.getBean(TaskGroupFactory.class);
            context.getBean(TaskGroupShutdownLifecycle.class).stop();
            assertThat(factory.isShutdown()).isTrue();
            org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(() -> factory.open("late"));
        });
    }

    @Test
    void groups_still_open_after_the_period_are_cancelled_for_shutdown(CapturedOutput output) {
        this.runner
                .withPropertyValues(
                        "taskgroup.shutdown.await-termination-period=50ms",
                        "taskgroup.shutdown.await-cancellation-period=30s")
                .run((context) -> {
                    TaskGroupFactory factory = context.getBean(TaskGroupFactory.class);
                    CountDownLatch started = new CountDownLatch(1);
                    AtomicReference<Task<String>> task = new AtomicReference<>();
                    CompletableFuture<Object> result = runInBackground(factory, "endless", task, () -> {
                        started.countDown();
                        new CountDownLatch(1).await(); // only an interrupt ends it
                        return "never";
                    });
                    assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
                    context.close();
                    assertThat(result.get(30, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
                    assertThat(task.get().state()).isEqualTo(Task.State.CANCELLED);
                    assertThat(task.get().cancellationReason()).isEqualTo(CancellationReason.SHUTDOWN);
                });
        assertThat(output)
                .contains("Cancelled 1 task group(s) still open after PT0.05S of graceful shutdown")
                .doesNotContain("Tasks still running");
    }

    @Test
    void tasks_that_ignore_their_interrupt_are_logged_by_group_task_and_stack(CapturedOutput output) {
        CountDownLatch release = new CountDownLatch(1);
        this.runner
                .withPropertyValues(
                        "taskgroup.shutdown.await-termination-period=0s",
                        "taskgroup.shutdown.await-cancellation-period=50ms")
                .run((context) -> {
                    TaskGroupFactory factory = context.getBean(TaskGroupFactory.class);
                    CountDownLatch started = new CountDownLatch(1);
                    runInBackground(factory, "reports", () -> {
                        started.countDown();
                        stubbornlyAwait(release);
                        return "done";
                    });
                    assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
                    context.close();
                });
        try {
            assertThat(output)
                    .contains("Tasks still running after shutdown cancelled them")
                    .contains("Task 'work' of group 'reports'")
                    .contains("RUNNING")
                    .contains(TaskGroupShutdownLifecycleTests.class.getName() + ".stubbornlyAwait(");
        } finally {
            release.countDown();
        }
    }

    @Test
    void the_phase_lies_between_web_server_graceful_shutdown_and_web_server_stop() {
        int gracefulShutdown = SmartLifecycle.DEFAULT_PHASE - 1024;
        int webServerStop = SmartLifecycle.DEFAULT_PHASE - 2048;
        assertThat(TaskGroupShutdownLifecycle.PHASE)
                .isLessThan(gracefulShutdown)
                .isGreaterThan(webServerStop);
    }

    @Test
    void stopping_twice_drains_once() {
        this.runner.run((context) -> {
            TaskGroupShutdownLifecycle lifecycle = context.getBean(TaskGroupShutdownLifecycle.class);
            assertThat(lifecycle.isRunning()).isTrue();
            lifecycle.stop();
            assertThat(lifecycle.isRunning()).isFalse();
            lifecycle.stop();
        });
    }

    /** Waits for the latch and swallows interrupts: the kind of task shutdown must report. */
    static void stubbornlyAwait(CountDownLatch release) {
        while (release.getCount() > 0) {
            try {
                release.await();
            } catch (InterruptedException ignored) {
                // deliberately ignored
            }
        }
    }

    interface Work {

        String call() throws Exception;
    }

    /** @return completes with the group's result, or with what it threw (as a value, never exceptionally) */
    static CompletableFuture<Object> runInBackground(TaskGroupFactory factory, String name, Work work) {
        return runInBackground(factory, name, new AtomicReference<>(), work);
    }

    static CompletableFuture<Object> runInBackground(
            TaskGroupFactory factory, String name, AtomicReference<Task<String>> forked, Work work) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        Thread owner = new Thread(
                () -> {
                    try {
                        result.complete(factory.run(name, (group) -> {
                            Task<String> task = group.fork("work", work::call);
                            forked.set(task);
                            group.join();
                            return task.get();
                        }));
                    } catch (Throwable ex) {
                        result.complete(ex);
                    }
                },
                "owner-of-" + name);
        owner.start();
        return result;
    }

    @Test
    void a_paused_and_restarted_context_keeps_a_working_factory() {
        this.runner.run((context) -> {
            context.pause(); // what the TestContext framework does to a cached context it is not using
            context.restart();
            TaskGroupFactory factory = context.getBean(TaskGroupFactory.class);
            assertThat(factory.isShutdown()).isFalse();
            Integer result =
                    factory.run("after-restart", (group) -> group.fork(() -> 1).get());
            assertThat(result).isEqualTo(1);
        });
    }
}
