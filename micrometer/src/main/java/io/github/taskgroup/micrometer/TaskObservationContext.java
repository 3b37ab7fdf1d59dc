package io.github.taskgroup.micrometer;

import io.github.taskgroup.Task;
import io.micrometer.observation.Observation;

/**
 * The context of a {@code taskgroup.task} observation: the task (its group, state and cancellation reason) and
 * the bounded {@code group} tag of its group. Its parent is the observation of the task's group.
 */
public class TaskObservationContext extends Observation.Context {

    private final Task<?> task;

    private final String groupTag;

    /**
     * @param task the observed task
     * @param groupTag the value of the low-cardinality {@code group} key: the name of the task's group, or
     * {@value TaskGroupMeters#OTHER_GROUPS} past the limit of distinct names
     */
    public TaskObservationContext(Task<?> task, String groupTag) {
        this.task = task;
        this.groupTag = groupTag;
    }

    /** @return the observed task */
    public Task<?> getTask() {
        return this.task;
    }

    /**
     * The value for the low-cardinality {@code group} key, bounded like
     * {@link TaskGroupObservationContext#getGroupTag()}. A convention should use it, not
     * {@code getTask().group().name()}, for any key that may become a meter tag.
     * @return the bounded {@code group} tag of the task's group
     */
    public String getGroupTag() {
        return this.groupTag;
    }
}
