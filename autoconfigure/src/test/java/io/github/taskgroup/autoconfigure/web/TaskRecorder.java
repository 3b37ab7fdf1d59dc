package io.github.taskgroup.autoconfigure.web;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupListener;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts, per group name, running tasks, cancellations per reason and closed groups. */
public class TaskRecorder implements TaskGroupListener {

    private final Map<String, AtomicInteger> counters = new ConcurrentHashMap<>();

    /** Threads inside a slow task's body right now (added and removed by the task itself). */
    public final Set<Thread> activeTaskThreads = ConcurrentHashMap.newKeySet();

    private AtomicInteger counter(String key) {
        return this.counters.computeIfAbsent(key, (k) -> new AtomicInteger());
    }

    public int get(String key) {
        AtomicInteger counter = this.counters.get(key);
        return (counter != null) ? counter.get() : 0;
    }

    public int running(String group) {
        return get("running:" + group);
    }

    public int cancelled(String group, CancellationReason reason) {
        return get("cancelled:" + group + ":" + reason.value());
    }

    public int closed(String group) {
        return get("closed:" + group);
    }

    public int succeeded(String group) {
        return get("succeeded:" + group);
    }

    public void reset() {
        this.counters.clear();
    }

    @Override
    public void taskStarted(Task<?> task) {
        counter("running:" + task.group().name()).incrementAndGet();
    }

    @Override
    public void taskFinished(Task<?> task, long runNanos) {
        String group = task.group().name();
        if (runNanos != NOT_STARTED) {
            counter("running:" + group).decrementAndGet();
        }
        if (task.state() == Task.State.CANCELLED) {
            CancellationReason reason = task.cancellationReason();
            counter("cancelled:" + group + ":" + ((reason != null) ? reason.value() : "none"))
                    .incrementAndGet();
        } else if (task.state() == Task.State.SUCCEEDED) {
            counter("succeeded:" + group).incrementAndGet();
        }
    }

    @Override
    public void groupClosed(TaskGroup group, TaskGroup.Outcome outcome, long durationNanos) {
        counter("closed:" + group.name()).incrementAndGet();
    }
}
