package io.github.taskgroup.micrometer;

import io.github.taskgroup.TaskGroup;
import io.micrometer.observation.Observation;
import org.jspecify.annotations.Nullable;

/**
 * The context of a {@code taskgroup.group} observation: the group, its bounded {@code group} tag, and once it is
 * closed, its outcome.
 */
public class TaskGroupObservationContext extends Observation.Context {

    private final TaskGroup group;

    private final String groupTag;

    private volatile TaskGroup.@Nullable Outcome outcome;

    /**
     * @param group the observed group
     * @param groupTag the value of the low-cardinality {@code group} key: the group's name, or
     * {@value TaskGroupMeters#OTHER_GROUPS} past the limit of distinct names
     */
    public TaskGroupObservationContext(TaskGroup group, String groupTag) {
        this.group = group;
        this.groupTag = groupTag;
    }

    /** @return the observed group */
    public TaskGroup getGroup() {
        return this.group;
    }

    /**
     * The value for the low-cardinality {@code group} key: the group's name while fewer than
     * {@code maxGroupNames} distinct names have been seen, else {@value TaskGroupMeters#OTHER_GROUPS}, by the
     * rule that tags the meters of {@link TaskGroupMetricsListener}. A convention should use it, not
     * {@code getGroup().name()}, for any key that may become a meter tag.
     * @return the bounded {@code group} tag of the group
     */
    public String getGroupTag() {
        return this.groupTag;
    }

    /** @return how the group ended, or {@code null} while it is open */
    public TaskGroup.@Nullable Outcome getOutcome() {
        return this.outcome;
    }

    /** @param outcome how the group ended */
    public void setOutcome(TaskGroup.Outcome outcome) {
        this.outcome = outcome;
    }
}
