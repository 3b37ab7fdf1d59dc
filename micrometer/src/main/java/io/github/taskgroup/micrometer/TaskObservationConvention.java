package io.github.taskgroup.micrometer;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names a {@code taskgroup.task} observation and its key values. Define a bean of this type to replace
 * {@link DefaultTaskObservationConvention} (extend it to add key values). Low-cardinality key values may
 * become meter tags: take the group's from {@link TaskObservationContext#getGroupTag()}, which is bounded.
 */
public interface TaskObservationConvention extends ObservationConvention<TaskObservationContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof TaskObservationContext;
    }
}
