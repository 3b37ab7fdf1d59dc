package io.github.taskgroup;

import java.util.Objects;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * How a group ends: what each task's end does to its siblings, what the group's deadline does, and what
 * {@link TaskGroup#join()} reports. The built-in policies are the constants of {@link TaskGroupPolicy}; the
 * static methods here make the others that ship with the library; users may write their own.
 *
 * <p>A policy is a factory, shared by every group that uses it (it is an option, {@link
 * TaskGroupOptions.Builder#policy}): for each group, {@link #newTracker} makes a {@link Tracker} that holds the
 * group's state (counts, a flag) and takes the decisions.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Threads.</b> {@link #newTracker} runs on the thread that opens the group, inside
 *       {@link TaskGroupFactory#open}: what it throws is thrown by {@code open} and nothing is opened.
 *       {@link Tracker#onTaskEnded} runs on the thread that ended the task (the task's own thread, or a
 *       canceller's, or the forking thread when the executor refused the task), once the task's final state
 *       is published and before {@code join()} can return. {@link Tracker#onDeadline} runs on the thread that
 *       cancels the group for {@link CancellationReason#TIMEOUT} (the factory's deadline scheduler, usually).
 *       {@link Tracker#onJoin} runs on the thread in {@code join()} when it starts waiting;
 *       {@link Tracker#onAllEnded} once every task ended, on the thread in {@code join()} or, for a pending
 *       {@link TaskGroup#completion()} view, on the thread that settles it (the last task's to end, or the
 *       caller of {@code completion()}).
 *   <li><b>Locking and memory effects.</b> The calls to a tracker of a policy that is not a
 *       {@link TaskGroupPolicy} constant are made one at a time, under a lock of the group that is held for
 *       nothing else: each call happens-before the next, so a tracker may keep its state in plain fields. No
 *       other lock of the library is held during a call. A task's end happens-before the call that reports
 *       it, so the tracker sees the task's state, value and failure.
 *   <li><b>What a tracker may do.</b> Read the task it is given ({@link Task#state()}, {@link Task#get()} of
 *       a task that succeeded, {@link Task#exception()}) and the group ({@link Context}). It must not block
 *       and must not wait for tasks ({@code get()} of a task that has not ended): a call holds up the thread
 *       that ended a task, and the next call.
 *   <li><b>Failures.</b> Whatever a tracker throws (or a {@code null} decision) is a failure of the group:
 *       it is recorded as one of the group's failures, never dropped by a won race, and the group is
 *       cancelled with {@link CancellationReason#SIBLING_FAILURE} (with {@link CancellationReason#TIMEOUT},
 *       loudly, when {@link Tracker#onDeadline} threw); {@code join()} throws a {@link TaskGroupException} (a
 *       {@link TaskGroupTimeoutException} after a deadline) with it among its failures. It never hangs the
 *       group: every task is still awaited and accounted for.
 *   <li><b>Decisions.</b> Only the first cancellation of a group counts: a decision taken once the group is
 *       cancelled (by the policy, a deadline, an explicit cancel, an enclosing group) cancels nothing anew,
 *       but still decides what {@code join()} reports ({@link Decision#succeed} drops the tasks' failures;
 *       {@link Decision#fail(CancellationReason, Throwable)} adds its failure).
 * </ul>
 */
public interface CompletionPolicy {

    /**
     * @return the policy's name, a lowercase, dash-separated constant ({@code fail-fast}, {@code quorum}, ...):
     *         it is a metric tag value and a JFR and snapshot field, so it must take few distinct values
     */
    String value();

    /**
     * Makes the state of one group. Called once per group, on the thread that opens it.
     *
     * @param context the group, as the tracker may see it; valid for the group's life
     * @return the group's tracker, never {@code null}
     */
    Tracker newTracker(Context context);

    /** The group, as a {@link Tracker} sees it. */
    interface Context {

        /** @return the group */
        TaskGroup taskGroup();

        /**
         * @return how many tasks were forked whose end the tracker has not been told yet (not counting the one
         *         being reported); exact during a call, since calls are serialized. The owner may still fork
         *         more unless it is {@linkplain #joining() joining}.
         */
        int unfinishedTasks();

        /**
         * @return whether the owner is inside {@link TaskGroup#join()}: it forks nothing more until join returns
         *         (a task of the group still may, which a policy counting on this must not do)
         */
        boolean joining();
    }

    /**
     * The decisions of one group. See {@link CompletionPolicy} for the threads, the lock and the failures.
     */
    interface Tracker {

        /**
         * A task of the group ended: {@link Task.State#SUCCEEDED}, {@link Task.State#FAILED} or
         * {@link Task.State#CANCELLED} (also when it never started). Called once per task.
         *
         * @param task the task, in its final state
         * @return {@link Decision#CONTINUE}, or a decision that cancels the rest of the group
         */
        Decision onTaskEnded(Task<?> task);

        /**
         * The group is being cancelled with {@link CancellationReason#TIMEOUT}: its own deadline passed, or
         * someone called {@code cancel(TIMEOUT)}. (When an enclosing group's deadline passes, that group's
         * policy decides.) The group is cancelled whatever this returns; it only decides what {@code join()}
         * reports.
         *
         * @return {@code true} (the default) for {@code join()} to throw a {@link TaskGroupTimeoutException};
         *         {@code false} for the deadline to end the group quietly: {@code join()} returns normally,
         *         unless there were failures (then it throws a {@link TaskGroupTimeoutException} with them)
         */
        default boolean onDeadline() {
            return true;
        }

        /**
         * The owner entered {@link TaskGroup#join()} (or {@code join(Duration)}) and is about to wait: it forks
         * nothing more until join returns, so a policy that counts on the number of tasks can decide now
         * (tasks may have ended before the owner joined, and none may end again soon).
         *
         * @return {@link Decision#CONTINUE} (the default), or a decision that cancels the rest of the group
         */
        default Decision onJoin() {
            return Decision.CONTINUE;
        }

        /**
         * Every task of the group ended and {@code join()} is about to report: the last word on what it
         * reports. Called by the first {@code join()} that waited for every task (not by one that timed out)
         * or {@link TaskGroup#completion()} view that settles, whichever sees every task ended first, and
         * again only once more tasks ended: a second {@code join()}, or a {@code join()} after the view, with
         * no task ended since, hears nothing new and reports what this call decided. So a group's view
         * reports what {@code join()} does, the policy's last word included.
         *
         * @return {@link Decision#CONTINUE} (the default) to report what was decided so far, or a decision
         */
        default Decision onAllEnded() {
            return Decision.CONTINUE;
        }
    }

    /**
     * What a {@link Tracker} decides: go on, or cancel the rest of the group (with a reason) and settle what
     * {@code join()} reports. Decisions without a failure are shared constants: taking one allocates nothing.
     */
    final class Decision {

        /** Go on: nothing is cancelled. */
        public static final Decision CONTINUE = new Decision(null, true, null);

        private static final Decision[] SUCCEED = new Decision[CancellationReason.values().length];
        private static final Decision[] FAIL = new Decision[CancellationReason.values().length];

        static {
            for (CancellationReason reason : CancellationReason.values()) {
                SUCCEED[reason.ordinal()] = new Decision(reason, true, null);
                FAIL[reason.ordinal()] = new Decision(reason, false, null);
            }
        }

        private final @Nullable CancellationReason reason;
        private final boolean success;
        private final @Nullable Throwable failure;

        private Decision(@Nullable CancellationReason reason, boolean success, @Nullable Throwable failure) {
            this.reason = reason;
            this.success = success;
            this.failure = failure;
        }

        /**
         * The group's outcome is a success: the rest is cancelled with {@code reason}, quietly, and
         * {@code join()} returns normally; the tasks' failures (before and after) are not reported, as after
         * a won {@link TaskGroupPolicy#FIRST_SUCCESS} race.
         *
         * @param reason the reason given to the cancelled tasks
         * @return the decision
         * @throws NullPointerException if {@code reason} is {@code null}
         */
        public static Decision succeed(CancellationReason reason) {
            return SUCCEED[Objects.requireNonNull(reason, "reason").ordinal()];
        }

        /**
         * The group failed: the rest is cancelled with {@code reason}, and {@code join()} throws a
         * {@link TaskGroupException} with the group's failures, as under {@link TaskGroupPolicy#FAIL_FAST}. If
         * the group has recorded no failure at all, an {@link IllegalStateException} naming the policy is
         * recorded, so that {@code join()} never returns normally after this decision.
         *
         * @param reason the reason given to the cancelled tasks
         * @return the decision
         * @throws NullPointerException if {@code reason} is {@code null}
         */
        public static Decision fail(CancellationReason reason) {
            return FAIL[Objects.requireNonNull(reason, "reason").ordinal()];
        }

        /**
         * As {@link #fail(CancellationReason)}, and {@code failure} is recorded as a failure of the group
         * (after those of its tasks so far; never dropped by a won race).
         *
         * @param reason the reason given to the cancelled tasks
         * @param failure what to report, for example why a quorum cannot be reached
         * @return the decision
         * @throws NullPointerException if an argument is {@code null}
         */
        public static Decision fail(CancellationReason reason, Throwable failure) {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(failure, "failure");
            return new Decision(reason, false, failure);
        }

        /** @return whether this decision cancels the rest of the group (anything but {@link #CONTINUE}) */
        public boolean cancels() {
            return reason != null;
        }

        /** @return whether this decision settles the group as a success ({@link #succeed}) */
        public boolean succeeds() {
            return reason != null && success;
        }

        /** @return the reason given to the cancelled tasks, or {@code null} for {@link #CONTINUE} */
        public @Nullable CancellationReason reason() {
            return reason;
        }

        /** @return the failure this decision adds to the group's report, or {@code null} */
        public @Nullable Throwable failure() {
            return failure;
        }

        @Override
        public String toString() {
            if (reason == null) {
                return "Decision[continue]";
            }
            return "Decision[" + (success ? "succeed" : "fail") + ", " + reason.value()
                    + (failure != null ? ", " + failure : "") + "]";
        }
    }

    // ---------------------------------------------------------------- the policies that ship

    /**
     * A quorum: the group succeeds once {@code n} tasks succeeded, and the rest is cancelled (reason
     * {@link CancellationReason#POLICY}); {@code join()} returns normally and the failures of the others are
     * not reported. It fails as soon as {@code n} successes can no longer be reached: when the owner is in
     * {@code join()} (or enters it) and fewer than {@code n} tasks succeeded or are still unfinished; the rest is then
     * cancelled (reason {@link CancellationReason#SIBLING_FAILURE}) and {@code join()} throws a
     * {@link TaskGroupException} with the tasks' failures and, last, an {@link IllegalStateException} saying
     * how many succeeded. Tasks may end before the owner joins: the quorum only counts them, since the owner
     * may fork more. When the group is cancelled by something else (a deadline, an explicit cancel, an
     * enclosing group), the quorum adds nothing: {@code join()} reports that cancellation as usual.
     *
     * @param n how many successes are enough, at least 1 ({@code quorum(1)} is a first-success race)
     * @return the policy, named {@code quorum}
     * @throws IllegalArgumentException if {@code n} is less than 1
     */
    static CompletionPolicy quorum(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("quorum must be at least 1, but was " + n);
        }
        return new CompletionPolicies.Quorum(n);
    }

    /**
     * Partial results at the deadline, over {@link TaskGroupPolicy#SUPERVISE}: failures do not cancel the
     * siblings, and the group's timeout ends the group quietly. See {@link #partialResults(CompletionPolicy)}.
     *
     * @return the policy, named {@code partial-results}
     */
    static CompletionPolicy partialResults() {
        return CompletionPolicies.PARTIAL_RESULTS;
    }

    /**
     * Partial results at the deadline: {@code base} decides everything, except that the group's timeout
     * (when it is cancelled with {@link CancellationReason#TIMEOUT}) ends the group quietly: the tasks that
     * finished keep their results, the others are {@link Task.State#CANCELLED} with reason {@code timeout},
     * and {@code join()} returns normally (it throws a {@link TaskGroupTimeoutException} only when there are
     * failures to report). The caller tells what happened from {@code group.cancellationReason()} (
     * {@code timeout} when the deadline passed) and from each task's {@link Task#state()}.
     *
     * @param base the policy for everything else
     * @return the policy, named {@code partial-results}
     * @throws NullPointerException if {@code base} is {@code null}
     */
    static CompletionPolicy partialResults(CompletionPolicy base) {
        return new CompletionPolicies.PartialResults(Objects.requireNonNull(base, "base"));
    }

    /**
     * Cancels the rest when a task returns a value that matches: the group then succeeds ({@code join()}
     * returns normally, the rest is cancelled with reason {@link CancellationReason#POLICY}, failures are not
     * reported). Until then, failures do not cancel anything and are collected: if no value matches,
     * {@code join()} reports them, as under {@link TaskGroupPolicy#SUPERVISE}. The predicate runs as a
     * tracker call (see the contract above): what it throws fails the group.
     *
     * @param match the test of each successful task's value (which may be {@code null})
     * @return the policy, named {@code cancel-on-result}
     * @throws NullPointerException if {@code match} is {@code null}
     */
    static CompletionPolicy cancelOnResult(Predicate<@Nullable Object> match) {
        return new CompletionPolicies.OnResult(Objects.requireNonNull(match, "match"));
    }

    /**
     * Cancels the rest when a task fails with a failure that matches (reason
     * {@link CancellationReason#SIBLING_FAILURE}); {@code join()} throws a {@link TaskGroupException} with
     * every failure. Other failures do not cancel anything and are collected, as under
     * {@link TaskGroupPolicy#SUPERVISE}: a fail-fast for some failures only. The predicate runs as a tracker
     * call (see the contract above): what it throws fails the group.
     *
     * @param match the test of each failed task's failure
     * @return the policy, named {@code cancel-on-failure}
     * @throws NullPointerException if {@code match} is {@code null}
     */
    static CompletionPolicy cancelOnFailure(Predicate<? super Throwable> match) {
        return new CompletionPolicies.OnFailure(Objects.requireNonNull(match, "match"));
    }
}
