package io.github.taskgroup;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts events, for assertions on listener balance. */
final class RecordingListener implements TaskGroupListener {

    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger forked = new AtomicInteger();
    final AtomicInteger started = new AtomicInteger();
    final AtomicInteger succeeded = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger cancelled = new AtomicInteger();
    final Map<CancellationReason, AtomicInteger> cancelReasons = new ConcurrentHashMap<>();
    final List<TaskGroup.Outcome> outcomes = new CopyOnWriteArrayList<>();
    /** Broken promises of the listener contract (event order, states), for the tests to assert empty. */
    final List<String> violations = new CopyOnWriteArrayList<>();

    private final Map<Task<?>, Boolean> forkedTasks = new ConcurrentHashMap<>();

    @Override
    public void groupOpened(TaskGroup group) {
        opened.incrementAndGet();
    }

    @Override
    public void groupClosed(TaskGroup group, TaskGroup.Outcome outcome, long durationNanos) {
        if (group.name().equals("nested") || group.name().equals("owner-nested")) {
            return; // tests assert the outcome of their top-level group
        }
        outcomes.add(outcome);
    }

    @Override
    public void taskForked(Task<?> task) {
        if (task.state() != Task.State.PENDING) {
            violations.add("forked in state " + task.state() + ": " + task);
        }
        forkedTasks.put(task, Boolean.TRUE);
        forked.incrementAndGet();
    }

    @Override
    public void taskStarted(Task<?> task) {
        if (!forkedTasks.containsKey(task)) {
            violations.add("started before forked: " + task);
        }
        started.incrementAndGet();
    }

    @Override
    public void taskFinished(Task<?> task, long runNanos) {
        if (forkedTasks.remove(task) == null) {
            violations.add("finished before forked, or twice: " + task);
        }
        switch (task.state()) {
            case SUCCEEDED -> succeeded.incrementAndGet();
            case FAILED -> failed.incrementAndGet();
            case CANCELLED -> {
                cancelled.incrementAndGet();
                cancelReasons
                        .computeIfAbsent(task.cancellationReason(), r -> new AtomicInteger())
                        .incrementAndGet();
            }
            default -> throw new AssertionError("finished in state " + task.state());
        }
    }

    int cancelledWith(CancellationReason reason) {
        AtomicInteger count = cancelReasons.get(reason);
        return count == null ? 0 : count.get();
    }
}
