package io.github.taskgroup.examples;

import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupException;
import io.github.taskgroup.TaskGroupFactory;
import java.io.PrintStream;
import java.time.Duration;

/**
 * Example 2: one task fails, the group cancels its sibling, waits for it, and the owner catches one
 * aggregate exception.
 *
 * <pre>
 * try:
 *     async with asyncio.TaskGroup() as tg:
 *         tg.create_task(task1())   # sleeps 5 s; prints "Task 1 was cancelled!" and re-raises
 *         tg.create_task(task2())   # sleeps 1 s; raises "Something went wrong in Task 2"
 * except* ValueError as eg:
 *     ...
 * </pre>
 */
public final class CancellationExample {

    private final PrintStream out;
    private final Duration slow;
    private final Duration failAfter;

    /**
     * @param out where to print
     * @param slow how long task 1 would sleep (the example: five seconds)
     * @param failAfter when task 2 fails (the example: after one second)
     */
    public CancellationExample(PrintStream out, Duration slow, Duration failAfter) {
        this.out = out;
        this.slow = slow;
        this.failAfter = failAfter;
    }

    /**
     * Runs the two tasks and catches the group's aggregate exception.
     *
     * @param factory opens the group
     * @return the exception the owner caught
     * @throws InterruptedException if interrupted while waiting
     */
    public TaskGroupException run(TaskGroupFactory factory) throws InterruptedException {
        try (TaskGroup group = factory.open("example-2")) {
            group.fork("task-1", this::task1);
            group.fork("task-2", this::task2);
            group.join();
        } catch (TaskGroupException e) {
            out.println("Caught " + e.getClass().getSimpleName() + " with "
                    + e.failures().size() + " failure(s):");
            e.failures().forEach(failure -> out.println("  " + failure));
            return e;
        }
        throw new IllegalStateException("task 2 should have failed the group");
    }

    private Void task1() throws InterruptedException {
        out.println("Task 1 running...");
        try {
            Thread.sleep(slow.toMillis());
        } catch (InterruptedException e) {
            out.println("Task 1 was cancelled!");
            throw e;
        }
        out.println("Task 1 finished (it should have been cancelled)");
        return null;
    }

    private Void task2() throws InterruptedException {
        out.println("Task 2 running...");
        Thread.sleep(failAfter.toMillis());
        throw new IllegalStateException("Something went wrong in Task 2");
    }
}
