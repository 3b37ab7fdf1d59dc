package io.github.taskgroup.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupExecutors;
import io.github.taskgroup.TaskGroupFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.RepeatedTest;

/** The straggler gauge counts the stragglers running now, the counter every straggler seen, once. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class StragglerMetersTests {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @RepeatedTest(3)
    void a_task_that_ignores_its_cancellation_shows_in_the_gauge_until_it_ends_and_counts_once() throws Exception {
        ExecutorService pool = TaskGroupExecutors.platformThreads("stragglers-");
        CountDownLatch started = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        try (TaskGroupFactory factory = TaskGroupFactory.builder()
                .executor(pool)
                .stragglerThreshold(Duration.ofMillis(50))
                .listener(new TaskGroupMetricsListener(this.registry, 100))
                .build()) {
            try (TaskGroup group = factory.open("stubborn")) {
                group.fork("a", () -> ignoreInterrupts(started, release));
                group.fork("b", () -> ignoreInterrupts(started, release));
                assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(gauge()).isZero();
                group.cancel();
                await().atMost(Duration.ofSeconds(10)).until(() -> seen() == 2.0);
                assertThat(gauge()).isEqualTo(2.0);
                release.countDown();
                group.join();
            }
            assertThat(gauge()).isZero();
            assertThat(seen()).isEqualTo(2.0);
        } finally {
            release.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    private double gauge() {
        return this.registry
                .get(TaskGroupMeters.TASKS_STRAGGLERS)
                .tag(TaskGroupMeters.GROUP, "stubborn")
                .gauge()
                .value();
    }

    private double seen() {
        return this.registry
                .get(TaskGroupMeters.TASKS_STRAGGLERS_SEEN)
                .tag(TaskGroupMeters.GROUP, "stubborn")
                .counter()
                .count();
    }

    private static String ignoreInterrupts(CountDownLatch started, CountDownLatch release) {
        started.countDown();
        while (true) {
            try {
                release.await();
                return "released";
            } catch (InterruptedException swallowed) {
                // ignores its cancellation
            }
        }
    }
}
