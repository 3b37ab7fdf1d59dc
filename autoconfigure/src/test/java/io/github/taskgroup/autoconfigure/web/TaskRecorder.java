package io.github.taskgroup.autoconfigure.web;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupListener;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts, per group name, running tasks, cancellations per reason and closed groups. */
public class TaskRecorder implements TaskGroupListener {

    private final Map<String, AtomicInteger> counters = new ConcurrentHashMap<>();

    /** Threads inside a slow task's body right now (added and removed by the task itself). */
    public final Set<Thread> activeTaskThreads = ConcurrentHashMap.newKeySet();

    /** What gated tasks wait for: counted down by a test (and after each test, so that none is left). */
    public volatile CountDownLatch gate = new CountDownLatch(1);

    /** The work of a gated task: it runs until the test opens the gate. */
    public String gated() throws InterruptedException {
        this.activeTaskThreads.add(Thread.currentThread());
        try {
            this.gate.await();
            return "gated";
        } finally {
            this.activeTaskThreads.remove(Thread.currentThread());
        }
    }

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

    public int closed(String group, TaskGroup.Outcome outcome) {
        return get("closed:" + group + ":" + outcome.value());
    }

    /** @return the tasks of the group cancelled for any reason */
    public int cancelled(String group) {
        int cancelled = 0;
        for (CancellationReason reason : CancellationReason.values()) {
            cancelled += cancelled(group, reason);
        }
        return cancelled;
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
        counter("closed:" + group.name() + ":" + outcome.value()).incrementAndGet();
    }
}
