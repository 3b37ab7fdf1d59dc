package io.github.taskgroup;

/**
 * Receives the lifecycle events of groups and tasks; metrics and tracing plug in here.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Every forked task gets exactly one {@link #taskForked} and one {@link #taskFinished} event, so
 *       {@code forked = succeeded + failed + cancelled} once the group is closed; {@link #taskStarted} is
 *       sent only for tasks that got a thread.</li>
 *   <li>{@link #taskStarted} and, for started tasks, {@link #taskFinished} run on the task's own thread,
 *       inside the context restored by the {@link ContextPropagator}s, so a listener may open a scope in
 *       one and close it in the other.</li>
 *   <li>{@link #taskFinished} is delivered before the task counts as finished for {@link TaskGroup#join()},
 *       and {@link #groupClosed} before {@link TaskGroup#close()} returns.</li>
 *   <li>Listeners nest like scopes: opening and starting events go to them in the order they were added,
 *       closing and finishing events in the reverse order, so a listener that opens a scope (a tracing span)
 *       in {@link #taskStarted} has it open around the other listeners' {@link #taskFinished}.</li>
 *   <li>A listener that throws never breaks a group: the exception is logged through
 *       {@link System.Logger} and the group goes on.</li>
 * </ul>
 * Listeners run on hot paths: keep them fast and non-blocking.
 */
public interface TaskGroupListener {

    /** The value of {@code runNanos} in {@link #taskFinished} for a task that never started. */
    long NOT_STARTED = -1L;

    /**
     * A group was opened, on its owner thread.
     *
     * @param group the new group
     */
    default void groupOpened(TaskGroup group) {}

    /**
     * A group was closed: all its tasks are finished.
     *
     * @param group the closed group
     * @param outcome how it ended
     * @param durationNanos nanoseconds from open to close
     */
    default void groupClosed(TaskGroup group, TaskGroup.Outcome outcome, long durationNanos) {}

    /**
     * A task was forked, on the forking thread. This event precedes every other event of the task, and the
     * task is {@link Task.State#PENDING} when it is delivered (a task forked into a cancelled group then gets
     * its {@link #taskFinished} at once, without {@link #taskStarted}).
     *
     * @param task the new task
     */
    default void taskForked(Task<?> task) {}

    /**
     * A task of a group under admission control (a {@code maxConcurrency} or a shared limit) got every permit
     * it needs and is about to be handed to its executor; sent only for such groups, once per task that gets
     * its permits (not for one cancelled while it waited), after {@link #taskForked} and before
     * {@link #taskStarted}. It runs on the thread that forked the task or on the thread of the task that freed
     * the permit.
     *
     * @param task the task, normally {@link Task.State#PENDING}
     * @param waitedNanos nanoseconds it waited for its permits: 0 when it got them at fork
     */
    default void taskAdmitted(Task<?> task, long waitedNanos) {}

    /**
     * A fork was refused by admission control (see {@link TaskRejectedException}), on the forking thread. No
     * task exists for it: it gets no other event, and it does not count in the forked tasks.
     *
     * @param group the group that refused it
     * @param reason which queue was full
     */
    default void forkRejected(TaskGroup group, TaskRejectedException.Reason reason) {}

    /**
     * A task got its thread (and its concurrency permit) and is about to run.
     *
     * @param task the task, in state {@link Task.State#RUNNING}
     */
    default void taskStarted(Task<?> task) {}

    /**
     * A task finished: its state is {@link Task.State#SUCCEEDED}, {@link Task.State#FAILED} or
     * {@link Task.State#CANCELLED}, and {@link Task#cancellationReason()} says why it was cancelled.
     *
     * @param task the finished task
     * @param runNanos nanoseconds it ran, or {@link #NOT_STARTED} when it was cancelled or rejected before
     *        it started
     */
    default void taskFinished(Task<?> task, long runNanos) {}

    /**
     * A task is still running the factory's straggler threshold after it was cancelled: it ignores its
     * interrupt (see {@link TaskGroupFactory.Builder#stragglerThreshold}). Delivered once per task, on the
     * factory's timer thread, before the task's {@link #taskFinished} (which the task cannot reach while this
     * runs): a listener that counts stragglers now can subtract them in {@code taskFinished}.
     *
     * @param task the task, in state {@link Task.State#RUNNING}, with its {@link Task#cancellationReason()}
     * @param snapshot the task as it is now: {@link TaskSnapshot#sinceCancelled()}, its thread and that
     *        thread's stack
     */
    default void taskStraggling(Task<?> task, TaskSnapshot snapshot) {}
}
