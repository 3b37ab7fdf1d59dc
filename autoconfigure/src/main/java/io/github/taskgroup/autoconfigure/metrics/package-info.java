/**
 * Auto-configuration of the task group meters on the application's MeterRegistry.
 */
@NullMarked
package io.github.taskgroup.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
