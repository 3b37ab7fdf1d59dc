package io.github.taskgroup.micrometer;

import io.github.taskgroup.TaskGroup;
import io.micrometer.observation.Observation;

/**
 * The context of a {@code taskgroup.group} observation: the group, and once it is closed, its outcome.
 */
public class TaskGroupObservationContext extends Observation.Context {

    private final TaskGroup group;

    private volatile TaskGroup.Outcome outcome;

    /** @param group the observed group */
    public TaskGroupObservationContext(TaskGroup group) {
        this.group = group;
    }

    /** @return the observed group */
    public TaskGroup getGroup() {
        return this.group;
    }

    /** @return how the group ended, or {@code null} while it is open */
    public TaskGroup.Outcome getOutcome() {
        return this.outcome;
    }

    /** @param outcome how the group ended */
    public void setOutcome(TaskGroup.Outcome outcome) {
        this.outcome = outcome;
    }
}
