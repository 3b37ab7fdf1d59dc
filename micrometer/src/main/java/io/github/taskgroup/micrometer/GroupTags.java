package io.github.taskgroup.micrometer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The one rule that bounds the values of the {@code group} tag, for the meters of
 * {@link TaskGroupMetricsListener} and the low-cardinality {@code group} key value of the observations of
 * {@link TaskGroupObservationListener} alike: the first {@code maxGroupNames} distinct group names are tags of
 * their own, and every further name is tagged {@value TaskGroupMeters#OTHER_GROUPS}. Group names built from data
 * (an id, a URL) would otherwise create a new series per value in every backend.
 *
 * <p>Each tag maps to a value made once from it (the meters of that tag, or the tag itself) and cached, so that a
 * known name costs one map read on the hot path. Once the limit is reached no further name is stored, and one
 * warning is logged.
 *
 * @param <V> what a tag maps to
 */
final class GroupTags<V> {

    private final int maxGroupNames;

    private final Function<String, V> valueOfTag;

    private final System.Logger logger;

    private final String tagged;

    private final Map<String, V> byName = new ConcurrentHashMap<>();

    /** Set once {@link #maxGroupNames} names have a tag of their own; never reset. */
    private volatile boolean full;

    /**
     * @param maxGroupNames how many distinct group names get a tag of their own (at least 1)
     * @param valueOfTag makes the value of a tag, once per tag
     * @param logger where the warning goes: the logger of the class whose tags these are, so that it can be
     * silenced there
     * @param tagged what the warning says is tagged {@value TaskGroupMeters#OTHER_GROUPS}, such as "the meters"
     */
    GroupTags(int maxGroupNames, Function<String, V> valueOfTag, System.Logger logger, String tagged) {
        if (maxGroupNames < 1) {
            throw new IllegalArgumentException("maxGroupNames must be at least 1, was " + maxGroupNames);
        }
        this.maxGroupNames = maxGroupNames;
        this.valueOfTag = valueOfTag;
        this.logger = logger;
        this.tagged = tagged;
    }

    /** @return the value of the tag of this group name: its own while names are left, else the shared one */
    V get(String groupName) {
        V value = this.byName.get(groupName);
        if (value != null) {
            return value;
        }
        if (this.full) {
            return other();
        }
        return register(groupName);
    }

    private synchronized V register(String groupName) {
        V value = this.byName.get(groupName);
        if (value != null) {
            return value;
        }
        if (this.byName.size() >= this.maxGroupNames) {
            this.full = true;
            this.logger.log(
                    System.Logger.Level.WARNING,
                    "More than " + this.maxGroupNames
                            + " distinct task group names: " + this.tagged + " of group '" + groupName
                            + "' and of every further new name are tagged " + TaskGroupMeters.GROUP + "="
                            + TaskGroupMeters.OTHER_GROUPS + ". Raise taskgroup.metrics.max-group-names if these names "
                            + "are bounded, or open groups with fixed names.");
            return other();
        }
        value = this.valueOfTag.apply(groupName);
        this.byName.put(groupName, value);
        return value;
    }

    private V other() {
        // A group literally named "other" shares this value: one set of gauges per tag value.
        return this.byName.computeIfAbsent(TaskGroupMeters.OTHER_GROUPS, this.valueOfTag);
    }
}
