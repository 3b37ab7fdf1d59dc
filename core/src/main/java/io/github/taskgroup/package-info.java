/**
 * Structured concurrency for Java: task groups that own their tasks, and the factory that opens them.
 */
@NullMarked
package io.github.taskgroup;

import org.jspecify.annotations.NullMarked;
