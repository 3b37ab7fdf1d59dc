package io.github.taskgroup.autoconfigure;

/**
 * Thrown while the task group beans are built when a {@code taskgroup.*} property has a value that cannot
 * work. It carries what a person needs to fix it, and {@link InvalidTaskGroupPropertyFailureAnalyzer} turns
 * it into the start-up failure report.
 */
public class InvalidTaskGroupPropertyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String property;

    private final transient Object value;

    private final String reason;

    private final String action;

    /**
     * @param property the full property name, for example {@code taskgroup.groups.orders.timeout}
     * @param value the offending value
     * @param reason why it is invalid, a sentence fragment such as "it must be positive"
     * @param action what to do about it, a full sentence
     */
    public InvalidTaskGroupPropertyException(String property, Object value, String reason, String action) {
        super("Invalid value '" + value + "' for property '" + property + "': " + reason);
        this.property = property;
        this.value = value;
        this.reason = reason;
        this.action = action;
    }

    /** @return the full property name */
    public String getProperty() {
        return this.property;
    }

    /** @return the offending value */
    public Object getValue() {
        return this.value;
    }

    /** @return why the value is invalid */
    public String getReason() {
        return this.reason;
    }

    /** @return how to fix it */
    public String getAction() {
        return this.action;
    }
}
