package io.github.taskgroup;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;
import jdk.jfr.Timespan;

/**
 * The JFR event {@value #NAME}: a task finished. Its duration is the task's run time (from the moment it got
 * its thread to its end, on that thread), so the {@code threshold} setting applies to it; a task that never
 * started has a duration of zero. Loaded only by {@link JfrListener} (see {@link JfrSupport}).
 */
@Name(TaskFinishedEvent.NAME)
@Label("Task Finished")
@Category("TaskGroup")
@Description("A task of a task group finished. The duration is its run time (zero if it never started).")
@StackTrace(false)
@Threshold("10 ms") // the default where a recording's settings do not name the event, as in taskgroup.jfc
final class TaskFinishedEvent extends Event {

    static final String NAME = "io.github.taskgroup.TaskFinished";

    @Label("Group Id")
    long groupId;

    @Label("Group Name")
    String groupName;

    @Label("Task Name")
    @Description("The name given at fork, or task-<n> for the n-th task forked into the group")
    String taskName;

    @Label("Outcome")
    @Description("succeeded, failed or cancelled")
    String outcome;

    @Label("Cancellation Reason")
    @Description("Why the task was cancelled (timeout, sibling-failure, ...), or null if it was not")
    String cancellationReason;

    @Label("Started")
    @Description("Whether the task got a thread; false if it was cancelled or rejected before it started")
    boolean started;

    @Label("Wait Time")
    @Description("From fork to start (waiting for a concurrency permit and for a thread), or to the end for a"
            + " task that never started")
    @Timespan(Timespan.NANOSECONDS)
    long waitTime;
}
