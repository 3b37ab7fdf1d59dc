/**
 * Auto-configuration of the task group observations (spans) on the application's ObservationRegistry.
 */
@NullMarked
package io.github.taskgroup.autoconfigure.observation;

import org.jspecify.annotations.NullMarked;
