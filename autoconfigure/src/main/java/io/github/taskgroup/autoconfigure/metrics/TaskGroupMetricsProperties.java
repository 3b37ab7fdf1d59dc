package io.github.taskgroup.autoconfigure.metrics;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of the task group meters ({@code taskgroup.metrics.*}).
 */
@ConfigurationProperties("taskgroup.metrics")
public class TaskGroupMetricsProperties {

    /** Whether task groups record meters on the application's MeterRegistry. */
    private boolean enabled = true;

    /**
     * How many distinct group names get a 'group' tag of their own; the meters of further names are tagged
     * 'other' (and one warning is logged), so that group names built from data cannot flood the registry.
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
}
