package io.github.taskgroup;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The genuine failures of a group's tasks (and of the body of {@link TaskGroupFactory#run}), reported to
 * the owner as one exception. Its cause is the first failure; every other failure is in {@link #failures()}
 * (in the order they happened) and none is attached elsewhere.
 *
 * <p>A group keeps a bounded record of failures ({@value #MAX_RECORDED_FAILURES}); past the bound, failures
 * are counted in {@link #omittedFailures()} but not kept, so that a long-lived group cannot run out of
 * memory.
 */
public class TaskGroupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** How many failures a group keeps until they are reported. */
    public static final int MAX_RECORDED_FAILURES = 100;

    private final String groupName;
    private final List<Throwable> failures; // an immutable list of Throwables: serializable
    private final int omittedFailures;

    /**
     * @param groupName the failed group's name
     * @param message the message
     * @param failures the failures, in order
     * @param omittedFailures how many more failures happened but were not kept
     */
    public TaskGroupException(String groupName, String message, List<Throwable> failures, int omittedFailures) {
        super(message, failures.isEmpty() ? null : failures.get(0));
        this.groupName = groupName;
        this.failures = List.copyOf(failures);
        this.omittedFailures = omittedFailures;
    }

    /** @return the name of the group that failed */
    public String groupName() {
        return groupName;
    }

    /** @return every recorded genuine failure, in the order they happened; the first is the cause */
    public List<Throwable> failures() {
        return failures;
    }

    /** @return how many failures happened beyond the {@value #MAX_RECORDED_FAILURES} that were kept */
    public int omittedFailures() {
        return omittedFailures;
    }

    /**
     * Throws the single failure of this report as its own type, so that the caller can throw the checked
     * exception its task threw instead of the report:
     *
     * <pre>{@code
     * try {
     *     return TaskGroups.map(factory, "files", paths, 4, Files::readString);
     * } catch (TaskGroupException e) {
     *     throw e.rethrowIfSingle(IOException.class); // the IOException itself, or else this report
     * }
     * }</pre>
     *
     * <p>The single failure is the only element of {@link #failures()}, when no failure was
     * {@linkplain #omittedFailures() omitted}. If it is not an instance of {@code type} but is itself a nested
     * group's report (a {@code TaskGroupException} that a task let through, as a helper of
     * {@link TaskGroups} called inside a task does), the search goes on in that report, by the same rules.
     * This method throws nothing and returns this report when there is no failure (a report of a deadline
     * alone), when there are several, when the single failure is of another type, and when the report (or
     * the nested report reached) is a {@link TaskGroupTimeoutException}: the expired deadline is part of the
     * news, and rethrowing the failure alone would hide it.
     *
     * <p>The failure is thrown as it is, with the stack trace of the task that threw it; this report, and the
     * stack of the thread that waited, are not attached to it.
     *
     * @param type the type to rethrow, typically the checked exception the tasks declare
     * @param <X> that type
     * @return this report, when the single failure was not rethrown, so that callers can write
     *         {@code throw e.rethrowIfSingle(X.class)}
     * @throws X the single failure, when it is an instance of {@code type}
     * @throws NullPointerException if {@code type} is {@code null}
     */
    public <X extends Throwable> TaskGroupException rethrowIfSingle(Class<X> type) throws X {
        Objects.requireNonNull(type, "type");
        TaskGroupException report = this;
        for (int depth = 0; depth < MAX_NESTED_REPORTS; depth++) {
            List<Throwable> recorded = report.failures();
            if (report instanceof TaskGroupTimeoutException || recorded.size() != 1 || report.omittedFailures() != 0) {
                return this;
            }
            Throwable single = recorded.get(0);
            if (type.isInstance(single)) {
                throw type.cast(single);
            }
            if (!(single instanceof TaskGroupException nested)) {
                return this;
            }
            report = nested;
        }
        return this;
    }

    /**
     * The recorded failures of a type, in order: those of {@link #failures()} that are instances of
     * {@code type}, with, in place of each nested group's report that is not, the failures of that type it
     * holds (found by the same rule). Omitted failures are not counted: they were never kept.
     *
     * @param type the type of the failures wanted
     * @param <T> that type
     * @return the failures of that type, in order; empty when there is none
     * @throws NullPointerException if {@code type} is {@code null}
     */
    public <T extends Throwable> List<T> failures(Class<T> type) {
        Objects.requireNonNull(type, "type");
        List<T> found = new ArrayList<>();
        collect(this, type, found, 0);
        return Collections.unmodifiableList(found);
    }

    private static <T extends Throwable> void collect(
            TaskGroupException report, Class<T> type, List<T> found, int depth) {
        List<Throwable> recorded = report.failures();
        if (depth >= MAX_NESTED_REPORTS) {
            return;
        }
        for (Throwable failure : recorded) {
            if (type.isInstance(failure)) {
                found.add(type.cast(failure));
            } else if (failure instanceof TaskGroupException nested) {
                collect(nested, type, found, depth + 1);
            }
        }
    }

    /** How deep the helpers look into nested reports. */
    private static final int MAX_NESTED_REPORTS = 64;
}
