/**
 * Auto-configuration of request-scoped task groups for Spring MVC on a servlet container.
 */
@NullMarked
package io.github.taskgroup.autoconfigure.web.servlet;

import org.jspecify.annotations.NullMarked;
