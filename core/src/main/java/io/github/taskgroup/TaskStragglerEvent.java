package io.github.taskgroup;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * The JFR event {@value #NAME}: a task still runs the factory's straggler threshold after it was cancelled (it
 * ignores its interrupt). An instant event, committed once per task by the factory's timer thread; the task's
 * own stack is in {@link #taskStack} (the event's recorded stack would be the timer's, so it is off). Loaded
 * only by {@link JfrListener} (see {@link JfrSupport}).
 */
@Name(TaskStragglerEvent.NAME)
@Label("Task Straggler")
@Category("TaskGroup")
@Description("A task is still running long after it was cancelled: it ignores its interrupt.")
@StackTrace(false)
final class TaskStragglerEvent extends Event {

    static final String NAME = "io.github.taskgroup.TaskStraggler";

    /** Frames of the task's stack kept in {@link #taskStack}. */
    static final int MAX_FRAMES = 64;

    @Label("Group Id")
    long groupId;

    @Label("Group Name")
    String groupName;

    @Label("Group Path")
    @Description("The names of the group's enclosing groups and its own, root first, separated by /")
    String groupPath;

    @Label("Task Name")
    @Description("The name given at fork, or task-<n> for the n-th task forked into the group")
    String taskName;

    @Label("Cancellation Reason")
    @Description("Why the task was cancelled (timeout, sibling-failure, ...)")
    String cancellationReason;

    @Label("Since Cancelled")
    @Description("Time from the cancellation to this report")
    @Timespan(Timespan.NANOSECONDS)
    long sinceCancelled;

    @Label("Task Thread")
    @Description("The name of the thread running the task")
    String taskThread;

    @Label("Task Stack Trace")
    @Description("The stack of the thread running the task, innermost frame first, one frame a line (at most 64)")
    String taskStack;
}
