package io.github.taskgroup.sample;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupExecutors;
import io.github.taskgroup.TaskGroupListener;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** Records what the factory's groups and tasks did, for assertions (added to the factory as a bean). */
public class RecordingListener implements TaskGroupListener {

    public record GroupClosed(long id, String name, TaskGroup.Outcome outcome, long durationMs) {}

    public record TaskStarted(long groupId, String group, String task) {}

    public record TaskFinished(
            long groupId, String group, String task, Task.State state, CancellationReason reason, long runMs) {}

    public final List<GroupClosed> closed = new CopyOnWriteArrayList<>();
    public final List<TaskStarted> started = new CopyOnWriteArrayList<>();
    public final List<TaskFinished> finished = new CopyOnWriteArrayList<>();
    /** The names of the threads that ran tasks and closed groups ("task ..." and "closed ..."). */
    public final Set<String> threads = ConcurrentHashMap.newKeySet();
    /** Whether each task ran on a virtual thread, one entry per task started. */
    public final List<Boolean> virtualTaskThreads = new CopyOnWriteArrayList<>();

    public void clear() {
        closed.clear();
        started.clear();
        finished.clear();
        threads.clear();
        virtualTaskThreads.clear();
    }

    @Override
    public void groupClosed(TaskGroup group, TaskGroup.Outcome outcome, long durationNanos) {
        threads.add("closed " + Thread.currentThread().getName());
        closed.add(new GroupClosed(group.id(), group.name(), outcome, TimeUnit.NANOSECONDS.toMillis(durationNanos)));
    }

    @Override
    public void taskStarted(Task<?> task) {
        threads.add("task " + Thread.currentThread().getName());
        virtualTaskThreads.add(TaskGroupExecutors.isVirtual(Thread.currentThread()));
        started.add(new TaskStarted(task.group().id(), task.group().name(), task.name()));
    }

    @Override
    public void taskFinished(Task<?> task, long runNanos) {
        finished.add(new TaskFinished(
                task.group().id(),
                task.group().name(),
                task.name(),
                task.state(),
                task.cancellationReason(),
                runNanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(runNanos)));
    }

    public TaskFinished finished(String task) {
        return finished.stream()
                .filter(event -> event.task().equals(task))
                .reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no taskFinished for " + task + " in " + finished));
    }
}
