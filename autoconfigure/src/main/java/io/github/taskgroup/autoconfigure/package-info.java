/**
 * Spring Boot auto-configuration of the task group factory, its executor, its properties and its graceful shutdown.
 */
@NullMarked
package io.github.taskgroup.autoconfigure;

import org.jspecify.annotations.NullMarked;
