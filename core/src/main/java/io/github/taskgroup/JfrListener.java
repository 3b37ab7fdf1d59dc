package io.github.taskgroup;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * The built-in listener that emits the JFR events {@link GroupClosedEvent}, {@link TaskFinishedEvent} and
 * {@link TaskStragglerEvent}.
 * Every reference to {@code jdk.jfr} lives here and in the event classes, which are loaded only once
 * {@link JfrSupport} has seen the {@code jdk.jfr} module.
 *
 * <p>Cost: while no recording enables an event, each callback creates the event, asks {@link
 * jdk.jfr.Event#isEnabled()} and returns; the event does not escape, so the JIT removes the allocation (the
 * idiom of the JDK's own events).
 *
 * <p>While a recording enables them: a group event is begun at the open and committed at the close if {@link
 * jdk.jfr.Event#shouldCommit()} says so (JFR's {@code threshold}); begun events wait in a map until then, since
 * a group may be closed on another thread than the one that opened it. Groups are few. Tasks are many, so a task
 * event is not begun: the listener is {@linkplain Listeners.Untimed untimed} but for the time a recording
 * enables {@link TaskFinishedEvent}, when it asks the task's runner for its run time (the runner reads the clock
 * at the start and the end, on the task's thread, and passes the run time to {@link #taskFinished}). There the
 * run time is compared with {@link RunTimeThreshold} before any event is created: a task under it costs two
 * clock reads and a comparison, nothing else. With no other listener and no recording, a task's run reads no
 * clock.
 */
final class JfrListener implements TaskGroupListener, Listeners.Untimed {

    private static final System.Logger LOG = System.getLogger(JfrListener.class.getName());

    /** Whether {@link ThresholdCheck} is registered: once per JVM, by the first listener. */
    private static final AtomicBoolean CHECKING = new AtomicBoolean();

    /** Groups opened while {@link GroupClosedEvent} was enabled, with their begun events. */
    private final ConcurrentHashMap<TaskGroup, GroupClosedEvent> openGroups = new ConcurrentHashMap<>();

    private JfrListener() {}

    /**
     * @return the listener
     * @throws LinkageError if the JFR classes cannot be linked
     */
    static TaskGroupListener create() {
        // Link the event classes now, so that a broken runtime fails here, where JfrSupport catches it.
        new GroupClosedEvent().isEnabled();
        new TaskFinishedEvent().isEnabled();
        new TaskStragglerEvent().isEnabled();
        if (CHECKING.compareAndSet(false, true)) {
            FlightRecorder.addListener(new ThresholdCheck()); // does not start JFR
        }
        return new JfrListener();
    }

    /**
     * Warns of a recording that sets JFR's {@code threshold} on {@link TaskFinishedEvent} above zero: the event
     * has no duration (its run time is a field, filtered by {@code runTimeThreshold}), so such a recording gets
     * none of them. Settings written before the event had {@code runTimeThreshold} did that.
     */
    static final class ThresholdCheck implements FlightRecorderListener {

        static final String SETTING = TaskFinishedEvent.NAME + "#threshold";

        @Override
        public void recordingStateChanged(Recording recording) {
            if (recording.getState() != RecordingState.RUNNING) {
                return;
            }
            Map<String, String> settings = recording.getSettings();
            String threshold = settings.get(SETTING);
            boolean disabled = "false".equals(settings.get(TaskFinishedEvent.NAME + "#enabled"));
            if (threshold != null && !disabled && RunTimeThreshold.parse(threshold) > 0L) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        () -> "JFR recording '" + recording.getName() + "' sets " + SETTING + "=" + threshold
                                + ": that event has no duration, so the recording gets none of them. Set "
                                + TaskFinishedEvent.NAME + "#" + RunTimeThreshold.NAME + " instead, and "
                                + SETTING + " to 0 ms (see taskgroup's docs/diagnostics.md)");
            }
        }
    }

    @Override
    public void groupOpened(TaskGroup group) {
        GroupClosedEvent event = new GroupClosedEvent();
        if (event.isEnabled()) {
            event.begin();
            openGroups.put(group, event);
        }
    }

    @Override
    public void groupClosed(TaskGroup group, TaskGroup.Outcome outcome, long durationNanos) {
        if (openGroups.isEmpty()) {
            return;
        }
        GroupClosedEvent event = openGroups.remove(group); // even if disabled meanwhile: nothing stays behind
        if (event == null) {
            return;
        }
        event.end();
        if (event.shouldCommit()) {
            event.groupId = group.id();
            if (group instanceof DefaultTaskGroup own) {
                DefaultTaskGroup parent = own.parent();
                event.parentId = parent == null ? 0L : parent.id();
                event.tasksForked = own.forkedTasks();
                event.tasksFailed = own.failedTasks();
                event.tasksCancelled = own.cancelledTasks();
            }
            event.groupName = group.name();
            event.policy = group.policy().value();
            event.outcome = outcome.name().toLowerCase(Locale.ROOT);
            event.cancellationReason =
                    group.cancellationReason().map(CancellationReason::value).orElse(null);
            event.commit();
        }
    }

    @Override
    public boolean needsRunTimeNow() {
        return TaskFinishedEvent.enabledNow();
    }

    @Override
    public void taskFinished(Task<?> task, long runNanos) {
        if (!TaskFinishedEvent.enabledNow()) {
            return;
        }
        if (runNanos == NOT_STARTED) {
            if (RunTimeThreshold.nanos() > 0L) {
                return; // a run time of zero: recorded only under a zero threshold
            }
        } else if (runNanos == 0L || runNanos < RunTimeThreshold.nanos()) {
            return; // 0: not timed, it started while no recording enabled the event
        }
        commitTaskFinished(task, runNanos);
    }

    /** A task passed the threshold: its event, created here so that the caller's check allocates nothing. */
    private static void commitTaskFinished(Task<?> task, long runNanos) {
        TaskFinishedEvent event = new TaskFinishedEvent();
        boolean started = runNanos != NOT_STARTED;
        event.started = started;
        event.runTime = started ? runNanos : 0L;
        if (task instanceof DefaultTask<?> own) {
            // The run ended a moment ago: its start was then runNanos before now.
            long startedAt = System.nanoTime() - event.runTime;
            event.waitTime = Math.max(0L, startedAt - own.forkedAtNanos());
        }
        if (!event.shouldCommit()) {
            return; // disabled meanwhile, or a threshold raised meanwhile
        }
        TaskGroup group = task.group();
        event.groupId = group.id();
        event.groupName = group.name();
        event.taskName = task.name();
        event.outcome = task.state().name().toLowerCase(Locale.ROOT);
        CancellationReason reason = task.cancellationReason();
        event.cancellationReason = reason == null ? null : reason.value();
        event.commit();
    }

    @Override
    public void taskStraggling(Task<?> task, TaskSnapshot snapshot) {
        TaskStragglerEvent event = new TaskStragglerEvent();
        if (!event.shouldCommit()) {
            return;
        }
        TaskGroup group = task.group();
        event.groupId = group.id();
        event.groupName = group.name();
        event.groupPath = group instanceof DefaultTaskGroup own ? StragglerWatch.path(own) : group.name();
        event.taskName = task.name();
        CancellationReason reason = task.cancellationReason();
        event.cancellationReason = reason == null ? null : reason.value();
        Duration since = snapshot.sinceCancelled();
        event.sinceCancelled = since == null ? 0L : since.toNanos();
        event.taskThread = snapshot.thread();
        StringBuilder stack = new StringBuilder();
        List<StackTraceElement> frames = snapshot.stackTrace();
        for (int i = 0; i < frames.size() && i < TaskStragglerEvent.MAX_FRAMES; i++) {
            stack.append(frames.get(i)).append('\n');
        }
        event.taskStack = stack.toString();
        event.commit();
    }
}
