package io.github.taskgroup.examples;

import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import java.io.PrintStream;
import java.time.Duration;

/**
 * Example 1: two workers run concurrently; leaving the block waits for both (about one second, not two).
 *
 * <pre>
 * async with asyncio.TaskGroup() as tg:
 *     t1 = tg.create_task(worker(1))
 *     t2 = tg.create_task(worker(2))
 * print("All workers finished.")
 * print(f"Results: {t1.result()}, {t2.result()}")
 * </pre>
 */
public final class WorkersExample {

    private final PrintStream out;
    private final Duration work;

    /**
     * @param out where to print
     * @param work how long each worker sleeps (the example: one second)
     */
    public WorkersExample(PrintStream out, Duration work) {
        this.out = out;
        this.work = work;
    }

    /**
     * Runs the two workers in one group and prints the results.
     *
     * @param factory opens the group
     * @return the results, {@code [2, 4]}
     * @throws InterruptedException if interrupted while waiting
     */
    public int[] run(TaskGroupFactory factory) throws InterruptedException {
        Task<Integer> first;
        Task<Integer> second;
        try (TaskGroup group = factory.open("workers")) {
            first = group.fork("worker-1", () -> worker(1));
            second = group.fork("worker-2", () -> worker(2));
            group.join();
        }
        out.println("All workers finished.");
        out.println("Results: " + first.get() + ", " + second.get());
        return new int[] {first.get(), second.get()};
    }

    private int worker(int n) throws InterruptedException {
        out.println("Worker " + n + " starting");
        Thread.sleep(work.toMillis());
        out.println("Worker " + n + " done");
        return n * 2;
    }
}
