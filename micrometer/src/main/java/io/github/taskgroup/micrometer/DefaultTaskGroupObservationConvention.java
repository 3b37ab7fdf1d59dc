package io.github.taskgroup.micrometer;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.micrometer.TaskGroupObservationDocumentation.HighCardinalityKeyNames;
import io.github.taskgroup.micrometer.TaskGroupObservationDocumentation.LowCardinalityKeyNames;
import io.micrometer.common.KeyValues;

/**
 * The default naming of group observations: name {@code taskgroup.group}, contextual name
 * {@code taskgroup <group name>}, low-cardinality key values {@code group} (the bounded
 * {@link TaskGroupObservationContext#getGroupTag() group tag}), {@code policy}, {@code outcome}, {@code reason},
 * and the high-cardinality {@code group.id}.
 */
public class DefaultTaskGroupObservationConvention implements TaskGroupObservationConvention {

    /** The shared instance. */
    public static final DefaultTaskGroupObservationConvention INSTANCE = new DefaultTaskGroupObservationConvention();

    /** The observation's name. */
    public static final String NAME = "taskgroup.group";

    static final String UNKNOWN = "unknown";

    static final String NONE = "none";

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public String getContextualName(TaskGroupObservationContext context) {
        return "taskgroup " + context.getGroup().name();
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(TaskGroupObservationContext context) {
        TaskGroup group = context.getGroup();
        TaskGroup.Outcome outcome = context.getOutcome();
        return KeyValues.of(
                LowCardinalityKeyNames.GROUP.withValue(context.getGroupTag()),
                LowCardinalityKeyNames.POLICY.withValue(group.policy().value()),
                LowCardinalityKeyNames.OUTCOME.withValue((outcome != null) ? outcome.value() : UNKNOWN),
                LowCardinalityKeyNames.REASON.withValue(group.cancellationReason()
                        .map(CancellationReason::value)
                        .orElse(NONE)));
    }

    @Override
    public KeyValues getHighCardinalityKeyValues(TaskGroupObservationContext context) {
        return KeyValues.of(HighCardinalityKeyNames.GROUP_ID.withValue(
                Long.toString(context.getGroup().id())));
    }
}
