/**
 * Reactor adapters for task groups (no Spring): {@link io.github.taskgroup.reactor.TaskGroupMono}.
 */
@NullMarked
package io.github.taskgroup.reactor;

import org.jspecify.annotations.NullMarked;
