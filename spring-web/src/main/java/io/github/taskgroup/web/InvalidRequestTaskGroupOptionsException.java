package io.github.taskgroup.web;

import org.jspecify.annotations.Nullable;

/**
 * An attribute of {@link RequestTaskGroupOptions} has a value that cannot work: a duration that does not parse
 * or is not positive, a concurrency below 1, an unknown policy, or an executor bean that does not exist. It
 * names the handler method, so that start-up fails with a message that says where to look.
 */
public class InvalidRequestTaskGroupOptionsException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final String handler;

    private final String attribute;

    private final @Nullable Object value;

    private final String reason;

    /**
     * @param handler the handler method, as {@code com.example.Controller#method(Type, ...)}
     * @param attribute the attribute, such as {@code timeout}
     * @param value its value as written
     * @param reason why it is invalid, a sentence fragment
     * @param cause what failed, if anything
     */
    public InvalidRequestTaskGroupOptionsException(
            String handler, String attribute, @Nullable Object value, String reason, @Nullable Throwable cause) {
        super(
                "Invalid @RequestTaskGroupOptions(" + attribute + " = \"" + value + "\") on handler method " + handler
                        + ": " + reason,
                cause);
        this.handler = handler;
        this.attribute = attribute;
        this.value = value;
        this.reason = reason;
    }

    /** @return the handler method, as {@code com.example.Controller#method(Type, ...)} */
    public String getHandler() {
        return this.handler;
    }

    /** @return the attribute of {@link RequestTaskGroupOptions} */
    public String getAttribute() {
        return this.attribute;
    }

    /** @return its value as written */
    public @Nullable Object getValue() {
        return this.value;
    }

    /** @return why it is invalid */
    public String getReason() {
        return this.reason;
    }
}
