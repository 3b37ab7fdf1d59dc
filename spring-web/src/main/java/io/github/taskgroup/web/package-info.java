/**
 * Request-scoped task groups for Spring web applications: the group of one request, the registry of live request groups and their shutdown.
 */
@NullMarked
package io.github.taskgroup.web;

import org.jspecify.annotations.NullMarked;
