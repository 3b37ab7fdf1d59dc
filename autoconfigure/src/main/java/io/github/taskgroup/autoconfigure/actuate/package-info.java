/**
 * The {@code taskgroups} Actuator endpoint and its auto-configuration.
 */
@NullMarked
package io.github.taskgroup.autoconfigure.actuate;

import org.jspecify.annotations.NullMarked;
