package io.github.taskgroup.micrometer;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observations of task groups and tasks, with their key names.
 */
public enum TaskGroupObservationDocumentation implements ObservationDocumentation {

    /**
     * A task group, from open to close. Besides the keys listed here, the default convention adds one
     * high-cardinality key value per {@linkplain io.github.taskgroup.TaskGroup#attributes() attribute} of the
     * group, under the attribute's key.
     */
    GROUP {
        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultTaskGroupObservationConvention.class;
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return new KeyName[] {
                LowCardinalityKeyNames.GROUP,
                LowCardinalityKeyNames.POLICY,
                LowCardinalityKeyNames.OUTCOME,
                LowCardinalityKeyNames.REASON
            };
        }

        @Override
        public KeyName[] getHighCardinalityKeyNames() {
            return new KeyName[] {HighCardinalityKeyNames.GROUP_ID};
        }
    },

    /** A task, while it runs on its thread (tasks that never started are not observed). */
    TASK {
        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultTaskObservationConvention.class;
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return new KeyName[] {
                LowCardinalityKeyNames.GROUP, LowCardinalityKeyNames.OUTCOME, LowCardinalityKeyNames.REASON
            };
        }

        @Override
        public KeyName[] getHighCardinalityKeyNames() {
            return new KeyName[] {HighCardinalityKeyNames.TASK, HighCardinalityKeyNames.GROUP_ID};
        }
    };

    /** Key names with bounded values, for metrics and span tags. */
    public enum LowCardinalityKeyNames implements KeyName {

        /**
         * The group's name, or {@code other} past {@code maxGroupNames} distinct names (the rule of the
         * {@code group} tag of {@link TaskGroupMeters}).
         */
        GROUP("group"),

        /** The group's policy: {@code fail-fast}, {@code supervise}, {@code first-success}. */
        POLICY("policy"),

        /**
         * How it ended: for a group {@code succeeded}, {@code failed}, {@code cancelled}, {@code timeout}; for a
         * task {@code succeeded}, {@code failed}, {@code cancelled}; {@code unknown} while it runs.
         */
        OUTCOME("outcome"),

        /** Why it was cancelled, a {@link io.github.taskgroup.CancellationReason#value()}, or {@code none}. */
        REASON("reason");

        private final String name;

        LowCardinalityKeyNames(String name) {
            this.name = name;
        }

        @Override
        public String asString() {
            return this.name;
        }
    }

    /** Key names with unbounded values, for spans only. */
    public enum HighCardinalityKeyNames implements KeyName {

        /** The group's id, as in the {@code taskgroups} Actuator endpoint. */
        GROUP_ID("group.id"),

        /** The task's name. */
        TASK("task");

        private final String name;

        HighCardinalityKeyNames(String name) {
            this.name = name;
        }

        @Override
        public String asString() {
            return this.name;
        }
    }
}
