/**
 * Request-scoped task groups for Spring MVC on a servlet container: the filter, interceptors and argument resolver, and the detection of client disconnects.
 */
@NullMarked
package io.github.taskgroup.web.servlet;

import org.jspecify.annotations.NullMarked;
