/**
 * Request-scoped task groups for Spring WebFlux: the web filter, the argument resolver and the watch of Reactor Netty connections.
 */
@NullMarked
package io.github.taskgroup.web.reactive;

import org.jspecify.annotations.NullMarked;
