package io.github.taskgroup.micrometer;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.micrometer.TaskGroupObservationDocumentation.HighCardinalityKeyNames;
import io.github.taskgroup.micrometer.TaskGroupObservationDocumentation.LowCardinalityKeyNames;
import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The default naming of group observations: name {@code taskgroup.group}, contextual name
 * {@code taskgroup <group name>}, low-cardinality key values {@code group} (the bounded
 * {@link TaskGroupObservationContext#getGroupTag() group tag}), {@code policy}, {@code outcome}, {@code reason},
 * and the high-cardinality {@code group.id} and one per {@linkplain TaskGroup#attributes() attribute} of the
 * group, under the attribute's key (a request group that received a deadline has
 * {@code taskgroup.received-timeout-ms} and {@code taskgroup.received-timeout-outcome}). An attribute named
 * {@code group.id} does not replace the id.
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
        TaskGroup group = context.getGroup();
        KeyValue id = HighCardinalityKeyNames.GROUP_ID.withValue(Long.toString(group.id()));
        Map<String, String> attributes = group.attributes();
        if (attributes.isEmpty()) {
            return KeyValues.of(id);
        }
        List<KeyValue> values = new ArrayList<>(attributes.size() + 1);
        attributes.forEach((key, value) -> {
            if (!key.equals(id.getKey())) {
                values.add(KeyValue.of(key, value));
            }
        });
        values.add(id);
        return KeyValues.of(values);
    }
}
