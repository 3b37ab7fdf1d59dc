package io.github.taskgroup.autoconfigure;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupSnapshot;
import io.github.taskgroup.TaskSnapshot;
import java.time.Duration;
import java.util.List;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Drains the factory's groups when the application context stops: no new groups, a wait of
 * {@code taskgroup.shutdown.await-termination-period} for open groups to finish, then cancellation of the
 * rest (reason {@link CancellationReason#SHUTDOWN}), a wait of {@code await-cancellation-period}, and a
 * warning with the group, task and stack of every task that still ignores its interrupt.
 *
 * <p>Lifecycles stop from the highest phase down. {@link #PHASE} is below Spring Boot's web server graceful
 * shutdown ({@code DEFAULT_PHASE - 1024}), so requests finish, and their groups with them, before we cancel
 * anything; and above the web server's own stop ({@code DEFAULT_PHASE - 2048}). The owned executors are
 * shut down later still, when their bean is destroyed.
 */
public class TaskGroupShutdownLifecycle implements SmartLifecycle {

    /** The phase of this lifecycle: after web server graceful shutdown, before the web server stops. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1536;

    private static final Log logger = LogFactory.getLog(TaskGroupShutdownLifecycle.class);

    private final TaskGroupFactory factory;

    private final Duration awaitTerminationPeriod;

    private final Duration awaitCancellationPeriod;

    private volatile boolean running;

    /**
     * @param factory the factory to drain
     * @param awaitTerminationPeriod how long to wait for open groups before cancelling them
     * @param awaitCancellationPeriod how long to wait for cancelled tasks before logging those still running
     */
    public TaskGroupShutdownLifecycle(
            TaskGroupFactory factory, Duration awaitTerminationPeriod, Duration awaitCancellationPeriod) {
        this.factory = factory;
        this.awaitTerminationPeriod = awaitTerminationPeriod;
        this.awaitCancellationPeriod = awaitCancellationPeriod;
    }

    @Override
    public void start() {
        this.running = true;
    }

    @Override
    public void stop() {
        if (!this.running) {
            return;
        }
        this.running = false;
        this.factory.shutdown();
        if (await(this.awaitTerminationPeriod)) {
            return;
        }
        int cancelled = this.factory.cancelAll(CancellationReason.SHUTDOWN);
        logger.info("Cancelled " + cancelled + " task group(s) still open after " + this.awaitTerminationPeriod
                + " of graceful shutdown");
        if (await(this.awaitCancellationPeriod)) {
            return;
        }
        List<TaskGroupSnapshot> stuck = this.factory.liveGroups(true);
        if (!stuck.isEmpty()) {
            logger.warn(describe(stuck));
        }
    }

    private boolean await(Duration period) {
        try {
            return this.factory.awaitTermination(period);
        } catch (InterruptedException ex) {
            // Stop waiting but keep shutting down; whoever interrupted us still sees the flag.
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static String describe(List<TaskGroupSnapshot> groups) {
        StringBuilder message = new StringBuilder("Tasks still running ")
                .append("after shutdown cancelled them; they ignore their interrupt:");
        for (TaskGroupSnapshot group : groups) {
            describe(group, message);
        }
        return message.toString();
    }

    private static void describe(TaskGroupSnapshot group, StringBuilder message) {
        for (TaskSnapshot task : group.tasks()) {
            message.append(System.lineSeparator())
                    .append("Task '")
                    .append(task.name())
                    .append("' of group '")
                    .append(group.name())
                    .append("' (id ")
                    .append(group.id())
                    .append(") ")
                    .append(task.state())
                    .append(" for ")
                    .append(task.age())
                    .append((task.thread() != null) ? " on thread '" + task.thread() + "'" : "");
            for (StackTraceElement frame : task.stackTrace()) {
                message.append(System.lineSeparator()).append("\tat ").append(frame);
            }
        }
        for (TaskGroupSnapshot nested : group.groups()) {
            describe(nested, message);
        }
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }

    /**
     * Not stopped when the context is only paused (as the Spring TestContext framework does with cached
     * contexts it is not using): shutting the factory down cannot be undone, and the resumed context needs it.
     */
    @Override
    public boolean isPauseable() {
        return false;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
