package io.github.taskgroup;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The tasks of one group that may still be live: a lock-free stack linked through {@link DefaultTask#next}.
 *
 * <p>Why not a concurrent set: forking and finishing are the hot path, and a set makes the forking owner
 * and every finishing task contend on one structure. Here a fork is one CAS on the head and a finishing
 * task touches nothing shared. Finished tasks are unlinked in batches instead: by the forking thread once
 * {@code max(64, 2 x live)} tasks were forked since the last sweep, and all at once when the group is
 * idle. So a long-lived group holds its live tasks plus a bounded number of finished ones, and none once
 * {@code join()} returned.
 *
 * <p>Unlinking only ever rewrites the {@code next} of a live task, and an unlinked task keeps its own
 * {@code next}, so a concurrent walker (cancel, snapshot) still reaches every task that was linked when it
 * started. One sweeper at a time.
 */
final class TaskList {

    private static final int MIN_SWEEP_INTERVAL = 64;
    private static final VarHandle HEAD;
    private static final VarHandle SWEEPING;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(TaskList.class, "head", DefaultTask.class);
            SWEEPING = lookup.findVarHandle(TaskList.class, "sweeping", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile @Nullable DefaultTask<?> head;
    private volatile boolean sweeping;
    private int pushesUntilSweep = MIN_SWEEP_INTERVAL; // racy on purpose: it only paces the sweeps

    void push(DefaultTask<?> task) {
        DefaultTask<?> current;
        do {
            current = head;
            task.next = current;
        } while (!HEAD.compareAndSet(this, current, task));
        if (--pushesUntilSweep <= 0) {
            sweep();
        }
    }

    /** Calls {@code action} for every task that is not done. */
    void forEachLive(Consumer<DefaultTask<?>> action) {
        for (DefaultTask<?> task = head; task != null; task = task.next) {
            if (!task.state().isDone()) {
                action.accept(task);
            }
        }
    }

    /**
     * The group's cancellation sweep: cancels every task not done yet, newest fork first (forks push at the
     * head).
     *
     * @return whether one of them was cancelled while it ran (the straggler watch then watches the group)
     */
    boolean cancelLive(CancellationReason reason) {
        boolean cancelledRunning = false;
        for (DefaultTask<?> task = head; task != null; task = task.next) {
            if (!task.state().isDone() && task.cancelWithGroup(reason)) {
                cancelledRunning = true;
            }
        }
        return cancelledRunning;
    }

    /** Drops every task if all are done (the group is idle): a push in the meantime keeps them. */
    void clearIfAllDone() {
        DefaultTask<?> first = head;
        for (DefaultTask<?> task = first; task != null; task = task.next) {
            if (!task.state().isDone()) {
                return;
            }
        }
        HEAD.compareAndSet(this, first, null);
    }

    private void sweep() {
        if (!SWEEPING.compareAndSet(this, false, true)) {
            return;
        }
        try {
            int kept = 0;
            DefaultTask<?> previous = head;
            if (previous != null) {
                kept = 1;
                DefaultTask<?> task = previous.next;
                while (task != null) {
                    DefaultTask<?> following = task.next;
                    if (task.state().isDone()) {
                        previous.next = following;
                    } else {
                        previous = task;
                        kept++;
                    }
                    task = following;
                }
            }
            pushesUntilSweep = Math.max(MIN_SWEEP_INTERVAL, 2 * kept);
        } finally {
            sweeping = false;
        }
    }
}
