package io.github.taskgroup.autoconfigure.metrics;

import io.github.taskgroup.autoconfigure.InvalidTaskGroupPropertyException;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of the task group meters ({@code taskgroup.metrics.*}).
 */
@ConfigurationProperties("taskgroup.metrics")
public class TaskGroupMetricsProperties {

    /** Whether task groups record meters on the application's MeterRegistry. */
    private boolean enabled = true;

    /**
     * How many distinct group names get a 'group' tag of their own, in the meters and in the observations' group
     * key; further names are tagged 'other' (and one warning is logged), so that group names built from data
     * cannot flood the registry.
     */
    private int maxGroupNames = 100;

    public boolean isEnabled() {
        return this.enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public int getMaxGroupNames() {
        return this.maxGroupNames;
    }

    public void setMaxGroupNames(int maxGroupNames) {
        this.maxGroupNames = maxGroupNames;
    }

    /**
     * The one check of {@code taskgroup.metrics.max-group-names}, for the meters and the observations alike.
     * @return the limit of distinct group names
     * @throws InvalidTaskGroupPropertyException if it is below 1
     */
    public int checkedMaxGroupNames() {
        if (this.maxGroupNames < 1) {
            throw new InvalidTaskGroupPropertyException(
                    "taskgroup.metrics.max-group-names",
                    this.maxGroupNames,
                    "it must be at least 1",
                    "Set 'taskgroup.metrics.max-group-names' to 1 or more (default 100).");
        }
        return this.maxGroupNames;
    }
}
