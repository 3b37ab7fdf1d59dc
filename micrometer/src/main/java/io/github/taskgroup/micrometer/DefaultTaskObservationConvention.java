package io.github.taskgroup.micrometer;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.Task;
import io.github.taskgroup.micrometer.TaskGroupObservationDocumentation.HighCardinalityKeyNames;
import io.github.taskgroup.micrometer.TaskGroupObservationDocumentation.LowCardinalityKeyNames;
import io.micrometer.common.KeyValues;

/**
 * The default naming of task observations: name {@code taskgroup.task}, contextual name
 * {@code task <task name>}, low-cardinality key values {@code group} (the bounded
 * {@link TaskObservationContext#getGroupTag() group tag}), {@code outcome}, {@code reason}, and the
 * high-cardinality {@code task} (its name) and {@code group.id}.
 */
public class DefaultTaskObservationConvention implements TaskObservationConvention {

    /** The shared instance. */
    public static final DefaultTaskObservationConvention INSTANCE = new DefaultTaskObservationConvention();

    /** The observation's name. */
    public static final String NAME = "taskgroup.task";

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public String getContextualName(TaskObservationContext context) {
        return "task " + context.getTask().name();
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(TaskObservationContext context) {
        Task<?> task = context.getTask();
        CancellationReason reason = task.cancellationReason();
        return KeyValues.of(
                LowCardinalityKeyNames.GROUP.withValue(context.getGroupTag()),
                LowCardinalityKeyNames.OUTCOME.withValue(outcome(task.state())),
                LowCardinalityKeyNames.REASON.withValue(
                        (reason != null) ? reason.value() : DefaultTaskGroupObservationConvention.NONE));
    }

    @Override
    public KeyValues getHighCardinalityKeyValues(TaskObservationContext context) {
        Task<?> task = context.getTask();
        return KeyValues.of(
                HighCardinalityKeyNames.TASK.withValue(task.name()),
                HighCardinalityKeyNames.GROUP_ID.withValue(
                        Long.toString(task.group().id())));
    }

    private static String outcome(Task.State state) {
        return switch (state) {
            case SUCCEEDED -> "succeeded";
            case FAILED -> "failed";
            case CANCELLED -> "cancelled";
            default -> DefaultTaskGroupObservationConvention.UNKNOWN;
        };
    }
}
