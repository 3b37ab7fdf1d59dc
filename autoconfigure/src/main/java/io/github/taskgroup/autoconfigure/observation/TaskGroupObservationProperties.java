package io.github.taskgroup.autoconfigure.observation;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of task group observations ({@code taskgroup.observation.*}).
 */
@ConfigurationProperties("taskgroup.observation")
public class TaskGroupObservationProperties {

    /**
     * Whether groups and tasks run inside Micrometer observations (taskgroup.group, taskgroup.task), and so
     * inside tracing spans, when the application has an ObservationRegistry.
     */
    private boolean enabled = true;

    public boolean isEnabled() {
        return this.enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }
}
