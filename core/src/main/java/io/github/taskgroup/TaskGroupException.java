package io.github.taskgroup;

import java.util.List;

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
    private final transient List<Throwable> failures;
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
}
