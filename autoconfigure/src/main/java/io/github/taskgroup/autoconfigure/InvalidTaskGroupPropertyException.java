package io.github.taskgroup.autoconfigure;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Thrown while the task group beans are built when a {@code taskgroup.*} property has a value that cannot
 * work. It is Spring Boot's {@link InvalidConfigurationPropertyValueException} with one thing more, the action
 * that fixes it; {@link InvalidTaskGroupPropertyFailureAnalyzer} turns it into the start-up failure report.
 */
public class InvalidTaskGroupPropertyException extends InvalidConfigurationPropertyValueException {

    private static final long serialVersionUID = 1L;

    private final String action;

    /**
     * @param property the full property name, for example {@code taskgroup.groups.orders.timeout}
     * @param value the offending value
     * @param reason why it is invalid, a sentence fragment such as "it must be positive"
     * @param action what to do about it, a full sentence
     */
    public InvalidTaskGroupPropertyException(String property, @Nullable Object value, String reason, String action) {
        super(property, value, reason);
        this.action = action;
    }

    /** @return the full property name, as {@link #getName()} */
    public String getProperty() {
        return getName();
    }

    @Override
    public String getMessage() {
        return "Invalid value '" + getValue() + "' for property '" + getName() + "': " + getReason();
    }

    /** @return how to fix it */
    public String getAction() {
        return this.action;
    }
}
