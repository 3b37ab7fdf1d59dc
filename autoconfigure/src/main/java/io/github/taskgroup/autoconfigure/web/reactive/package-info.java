/**
 * Auto-configuration of request-scoped task groups for Spring WebFlux.
 */
@NullMarked
package io.github.taskgroup.autoconfigure.web.reactive;

import org.jspecify.annotations.NullMarked;
