package io.github.taskgroup;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.SettingDefinition;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;
import jdk.jfr.Timespan;

/**
 * The JFR event {@value #NAME}: a task finished, committed at its end, on its thread. Its {@link #runTime} is
 * the task's run time (from the moment it got its thread to its end), and the setting {@value
 * RunTimeThreshold#NAME} (default {@value RunTimeThreshold#DEFAULT}) filters on it; a task that never started
 * has a run time of zero. The event has no JFR duration of its own (it is zero, and JFR's {@code threshold}
 * stays at zero): beginning an event per task would cost every task two clock reads and an allocation while a
 * recording runs, where this costs the tasks under the threshold nothing but the run time's two clock reads
 * (see {@link JfrListener}). Loaded only by {@link JfrListener} (see {@link JfrSupport}).
 */
@Name(TaskFinishedEvent.NAME)
@Label("Task Finished")
@Category("TaskGroup")
@Description("A task of a task group finished, recorded at its end if it ran at least runTimeThreshold.")
@StackTrace(false)
@Threshold("0 ms") // the duration is zero: runTimeThreshold does the filtering
final class TaskFinishedEvent extends Event {

    static final String NAME = "io.github.taskgroup.TaskFinished";

    /** @return whether a recording enables this event; the event does not escape (the JIT removes it) */
    static boolean enabledNow() {
        return new TaskFinishedEvent().isEnabled();
    }

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

    @Label("Run Time")
    @Description("From the moment the task got its thread to its end (zero if it never started)")
    @Timespan(Timespan.NANOSECONDS)
    long runTime;

    @Label("Wait Time")
    @Description("From fork to start (waiting for a concurrency permit and for a thread), or to the end for a"
            + " task that never started")
    @Timespan(Timespan.NANOSECONDS)
    long waitTime;

    /**
     * The setting {@value RunTimeThreshold#NAME}: commits only a task that ran at least that long.
     *
     * @param threshold the combined setting of the running recordings
     * @return whether to commit
     */
    @Name(RunTimeThreshold.NAME)
    @Label("Run Time Threshold")
    @Description("Record only tasks that ran at least this long (like threshold for a duration)")
    @SettingDefinition
    boolean runTimeThreshold(RunTimeThreshold threshold) {
        return runTime >= RunTimeThreshold.nanos();
    }
}
