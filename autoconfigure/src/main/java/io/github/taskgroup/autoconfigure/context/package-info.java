/**
 * Auto-configuration of the propagation of context (thread locals, task decorators) into tasks.
 */
@NullMarked
package io.github.taskgroup.autoconfigure.context;

import org.jspecify.annotations.NullMarked;
