package io.github.taskgroup;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * The JFR event {@value #NAME}: a group closed. Its duration is the time from open to close, so the
 * {@code threshold} setting applies to it. Loaded only by {@link JfrListener}, itself loaded only when the
 * {@code jdk.jfr} module is present (see {@link JfrSupport}).
 */
@Name(GroupClosedEvent.NAME)
@Label("Task Group Closed")
@Category("TaskGroup")
@Description("A task group closed: all its tasks finished. The duration is the time from open to close.")
@StackTrace(false)
@Threshold("0 ms") // the default where a recording's settings do not name the event, as in taskgroup.jfc
final class GroupClosedEvent extends Event {

    static final String NAME = "io.github.taskgroup.GroupClosed";

    @Label("Group Id")
    @Description("The group's id, unique within its factory")
    long groupId;

    @Label("Parent Group Id")
    @Description("The id of the group it was nested in, or 0 for a root group")
    long parentId;

    @Label("Group Name")
    String groupName;

    @Label("Policy")
    @Description("fail-fast, supervise or first-success")
    String policy;

    @Label("Outcome")
    @Description("succeeded, failed, cancelled or timeout")
    String outcome;

    @Label("Cancellation Reason")
    @Description("Why the group was cancelled (timeout, sibling-failure, ...), or null if it was not")
    String cancellationReason;

    @Label("Tasks Forked")
    int tasksForked;

    @Label("Tasks Failed")
    int tasksFailed;

    @Label("Tasks Cancelled")
    int tasksCancelled;
}
