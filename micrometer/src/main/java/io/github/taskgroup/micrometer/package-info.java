/**
 * Micrometer meters and observations of task groups and tasks, as task group listeners (no Spring).
 */
@NullMarked
package io.github.taskgroup.micrometer;

import org.jspecify.annotations.NullMarked;
