package io.github.taskgroup;

import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/** The completion policies that ship with the library, written on the {@link CompletionPolicy} SPI. */
final class CompletionPolicies {

    static final CompletionPolicy PARTIAL_RESULTS = new PartialResults(TaskGroupPolicy.SUPERVISE);

    private CompletionPolicies() {}

    /** The trackers of the built-ins: stateless, shared by every group, so a group costs no allocation. */
    static CompletionPolicy.Tracker builtIn(TaskGroupPolicy policy) {
        return switch (policy) {
            case FAIL_FAST -> FailFast.TRACKER;
            case SUPERVISE -> Supervise.TRACKER;
            case FIRST_SUCCESS -> FirstSuccess.TRACKER;
        };
    }

    private static final class FailFast implements CompletionPolicy.Tracker {
        static final FailFast TRACKER = new FailFast();

        @Override
        public CompletionPolicy.Decision onTaskEnded(Task<?> task) {
            return task.state() == Task.State.FAILED
                    ? CompletionPolicy.Decision.fail(CancellationReason.SIBLING_FAILURE)
                    : CompletionPolicy.Decision.CONTINUE;
        }
    }

    private static final class Supervise implements CompletionPolicy.Tracker {
        static final Supervise TRACKER = new Supervise();

        @Override
        public CompletionPolicy.Decision onTaskEnded(Task<?> task) {
            return CompletionPolicy.Decision.CONTINUE;
        }
    }

    private static final class FirstSuccess implements CompletionPolicy.Tracker {
        static final FirstSuccess TRACKER = new FirstSuccess();

        @Override
        public CompletionPolicy.Decision onTaskEnded(Task<?> task) {
            return task.state() == Task.State.SUCCEEDED
                    ? CompletionPolicy.Decision.succeed(CancellationReason.FIRST_SUCCESS)
                    : CompletionPolicy.Decision.CONTINUE;
        }
    }

    /** {@link CompletionPolicy#quorum}. */
    static final class Quorum implements CompletionPolicy {
        private final int required;

        Quorum(int required) {
            this.required = required;
        }

        @Override
        public String value() {
            return "quorum";
        }

        @Override
        public Tracker newTracker(Context context) {
            return new QuorumTracker(required, context);
        }

        @Override
        public String toString() {
            return "quorum(" + required + ")";
        }
    }

    private static final class QuorumTracker implements CompletionPolicy.Tracker {
        private final int required;
        private final CompletionPolicy.Context context;
        private int succeeded; // the tracker's calls are serialized: plain fields
        private int unsuccessful;
        private boolean decided;

        QuorumTracker(int required, CompletionPolicy.Context context) {
            this.required = required;
            this.context = context;
        }

        @Override
        public CompletionPolicy.Decision onTaskEnded(Task<?> task) {
            if (task.state() == Task.State.SUCCEEDED) {
                succeeded++;
                if (!decided && succeeded >= required) {
                    decided = true;
                    return CompletionPolicy.Decision.succeed(CancellationReason.POLICY);
                }
                return CompletionPolicy.Decision.CONTINUE;
            }
            unsuccessful++;
            if (context.joining() && succeeded + context.unfinishedTasks() < required) {
                return unreachable();
            }
            return CompletionPolicy.Decision.CONTINUE;
        }

        @Override
        public CompletionPolicy.Decision onJoin() {
            return succeeded + context.unfinishedTasks() < required
                    ? unreachable()
                    : CompletionPolicy.Decision.CONTINUE;
        }

        @Override
        public CompletionPolicy.Decision onAllEnded() {
            return succeeded < required ? unreachable() : CompletionPolicy.Decision.CONTINUE;
        }

        private CompletionPolicy.Decision unreachable() {
            if (decided || context.taskGroup().cancellationReason().isPresent()) {
                return CompletionPolicy.Decision.CONTINUE; // decided, or cancelled by something else: it reports
            }
            decided = true;
            return CompletionPolicy.Decision.fail(
                    CancellationReason.SIBLING_FAILURE,
                    new IllegalStateException("Quorum of " + required + " not reached in task group '"
                            + context.taskGroup().name() + "': " + succeeded + " succeeded, " + unsuccessful
                            + " failed or were cancelled, " + context.unfinishedTasks() + " unfinished"));
        }
    }

    /** {@link CompletionPolicy#partialResults(CompletionPolicy)}. */
    static final class PartialResults implements CompletionPolicy {
        private final CompletionPolicy base;

        PartialResults(CompletionPolicy base) {
            this.base = base;
        }

        @Override
        public String value() {
            return "partial-results";
        }

        @Override
        public Tracker newTracker(Context context) {
            Tracker inner = base.newTracker(context);
            if (inner == null) {
                throw new NullPointerException("policy " + base + " made a null tracker");
            }
            return new Tracker() {
                @Override
                public Decision onTaskEnded(Task<?> task) {
                    return inner.onTaskEnded(task);
                }

                @Override
                public boolean onDeadline() {
                    inner.onDeadline(); // told, but it does not make the deadline loud
                    return false;
                }

                @Override
                public Decision onJoin() {
                    return inner.onJoin();
                }

                @Override
                public Decision onAllEnded() {
                    return inner.onAllEnded();
                }
            };
        }

        @Override
        public String toString() {
            return "partialResults(" + base + ")";
        }
    }

    /** {@link CompletionPolicy#cancelOnResult}. */
    static final class OnResult implements CompletionPolicy {
        private final Predicate<@Nullable Object> match;

        OnResult(Predicate<@Nullable Object> match) {
            this.match = match;
        }

        @Override
        public String value() {
            return "cancel-on-result";
        }

        @Override
        public Tracker newTracker(Context context) {
            return task -> task.state() == Task.State.SUCCEEDED && match.test(task.get())
                    ? Decision.succeed(CancellationReason.POLICY)
                    : Decision.CONTINUE;
        }
    }

    /** {@link CompletionPolicy#cancelOnFailure}. */
    static final class OnFailure implements CompletionPolicy {
        private final Predicate<? super Throwable> match;

        OnFailure(Predicate<? super Throwable> match) {
            this.match = match;
        }

        @Override
        public String value() {
            return "cancel-on-failure";
        }

        @Override
        public Tracker newTracker(Context context) {
            return task -> {
                Throwable failure = task.exception();
                return failure != null && match.test(failure)
                        ? Decision.fail(CancellationReason.SIBLING_FAILURE)
                        : Decision.CONTINUE;
            };
        }
    }
}
