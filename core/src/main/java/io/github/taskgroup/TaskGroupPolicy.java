package io.github.taskgroup;

import java.util.Locale;

/**
 * The built-in {@linkplain CompletionPolicy completion policies}: what a group does when one of its tasks fails
 * or succeeds. Each is written on the {@link CompletionPolicy} SPI with a stateless tracker shared by every
 * group, so that a group and its tasks cost nothing more for it; their tracker calls take no lock.
 */
public enum TaskGroupPolicy implements CompletionPolicy {

    /**
     * The default. The first genuine failure cancels every sibling (reason
     * {@link CancellationReason#SIBLING_FAILURE}): running tasks are interrupted, queued ones never start.
     * {@link TaskGroup#join()} then throws a {@link TaskGroupException} with every genuine failure.
     */
    FAIL_FAST,

    /**
     * Failures are collected and siblings keep running. {@link TaskGroup#join()} waits for every task and
     * then throws a {@link TaskGroupException} that reports all failures, if there were any.
     */
    SUPERVISE,

    /**
     * A race. The first task that succeeds cancels the others (reason
     * {@link CancellationReason#FIRST_SUCCESS}) and {@link TaskGroup#join()} returns normally; the winner is
     * the task whose state is {@link Task.State#SUCCEEDED}. Failures of the losers are not reported. If no
     * task succeeds, {@link TaskGroup#join()} throws a {@link TaskGroupException} with every failure.
     */
    FIRST_SUCCESS;

    /** @return the policy as a lowercase, dash-separated word, as used in properties and snapshots */
    @Override
    public String value() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * @param context the group
     * @return the policy's tracker: one stateless instance per constant, shared by every group
     */
    @Override
    public Tracker newTracker(Context context) {
        return CompletionPolicies.builtIn(this);
    }
}
