package io.github.taskgroup.examples;

import io.github.taskgroup.TaskGroupExecutors;
import io.github.taskgroup.TaskGroupFactory;
import java.time.Duration;

/** Runs both seed examples, with the timings, and prints how long each took. */
public final class Examples {

    private Examples() {}

    /**
     * @param args ignored
     * @throws InterruptedException if interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        System.out.println("taskgroup examples on Java " + Runtime.version().feature()
                + (TaskGroupExecutors.virtualThreadsAvailable() ? " (virtual threads)" : " (platform threads)"));
        try (TaskGroupFactory factory = TaskGroupFactory.builder().build()) {
            System.out.println();
            System.out.println("== Example 1: wait for all workers ==");
            long start = System.nanoTime();
            new WorkersExample(System.out, Duration.ofSeconds(1)).run(factory);
            System.out.printf(
                    "(took %d ms)%n",
                    Duration.ofNanos(System.nanoTime() - start).toMillis());

            System.out.println();
            System.out.println("== Example 2: a failure cancels the sibling ==");
            start = System.nanoTime();
            new CancellationExample(System.out, Duration.ofSeconds(5), Duration.ofSeconds(1)).run(factory);
            System.out.printf(
                    "(took %d ms)%n",
                    Duration.ofNanos(System.nanoTime() - start).toMillis());
        }
    }
}
