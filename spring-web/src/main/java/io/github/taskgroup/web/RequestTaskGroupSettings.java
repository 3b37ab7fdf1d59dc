package io.github.taskgroup.web;

import io.github.taskgroup.TaskGroupOptions;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a request-scoped group is opened with: its options, and whether a client that disconnects cancels it.
 * Every part may be unset ({@code null} for {@code cancelOnDisconnect}, unset options in
 * {@link TaskGroupOptions}); {@link #orElse} fills the unset parts from a fallback.
 *
 * @param options the group's options; unset options fall back to the factory's named options and defaults
 * @param cancelOnDisconnect whether a client that disconnects cancels the group; {@code null}: unset (yes)
 */
public record RequestTaskGroupSettings(
        TaskGroupOptions options, @Nullable Boolean cancelOnDisconnect) {

    /** Nothing set. */
    public static final RequestTaskGroupSettings NONE = new RequestTaskGroupSettings(TaskGroupOptions.defaults(), null);

    public RequestTaskGroupSettings {
        Objects.requireNonNull(options, "options");
    }

    /**
     * @param fallback where unset parts come from
     * @return these settings, with their unset parts taken from {@code fallback} (attribute by attribute)
     */
    public RequestTaskGroupSettings orElse(RequestTaskGroupSettings fallback) {
        if (fallback == NONE) {
            return this;
        }
        if (this == NONE) {
            return fallback;
        }
        return new RequestTaskGroupSettings(
                this.options.orElse(fallback.options),
                (this.cancelOnDisconnect != null) ? this.cancelOnDisconnect : fallback.cancelOnDisconnect);
    }

    /** @return whether a client that disconnects cancels the group: unless set to {@code false} */
    public boolean cancelsOnDisconnect() {
        return !Boolean.FALSE.equals(this.cancelOnDisconnect);
    }
}
