package io.github.taskgroup.micrometer;

import io.github.taskgroup.Task;
import io.micrometer.observation.Observation;

/**
 * The context of a {@code taskgroup.task} observation: the task (its group, state and cancellation reason).
 * Its parent is the observation of the task's group.
 */
public class TaskObservationContext extends Observation.Context {

    private final Task<?> task;

    /** @param task the observed task */
    public TaskObservationContext(Task<?> task) {
        this.task = task;
    }

    /** @return the observed task */
    public Task<?> getTask() {
        return this.task;
    }
}
