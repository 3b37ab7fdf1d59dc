package io.github.taskgroup.autoconfigure.context;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Which context travels from the thread that forks a task to the thread that runs it. Each switch is read by
 * a condition of {@link TaskGroupContextAutoConfiguration}; this class documents them for the configuration
 * metadata and binds them, so that a mistyped value fails start-up.
 */
@ConfigurationProperties("taskgroup.context")
public class TaskGroupContextProperties {

    /** Whether context propagates into tasks at all. */
    private boolean enabled = true;

    /** Whether the SLF4J MDC propagates into tasks. */
    private boolean mdc = true;

    /** Whether Spring Security's SecurityContext propagates into tasks. */
    private boolean security = true;

    /** Whether the request attributes of RequestContextHolder propagate into tasks. */
    private boolean requestAttributes = true;

    /** Whether the current Micrometer observation (and so the tracing span) propagates into tasks. */
    private boolean observation = true;

    /** Whether the application's TaskDecorator beans decorate every task. */
    private boolean taskDecorators = true;

    public boolean isEnabled() {
        return this.enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public boolean isMdc() {
        return this.mdc;
    }

    public void setMdc(boolean mdc) {
        this.mdc = mdc;
    }

    public boolean isSecurity() {
        return this.security;
    }

    public void setSecurity(boolean security) {
        this.security = security;
    }

    public boolean isRequestAttributes() {
        return this.requestAttributes;
    }

    public void setRequestAttributes(boolean requestAttributes) {
        this.requestAttributes = requestAttributes;
    }

    public boolean isObservation() {
        return this.observation;
    }

    public void setObservation(boolean observation) {
        this.observation = observation;
    }

    public boolean isTaskDecorators() {
        return this.taskDecorators;
    }

    public void setTaskDecorators(boolean taskDecorators) {
        this.taskDecorators = taskDecorators;
    }
}
