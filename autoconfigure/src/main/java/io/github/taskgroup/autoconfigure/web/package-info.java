/**
 * What the servlet and reactive auto-configurations of request-scoped task groups share: their properties and common beans.
 */
@NullMarked
package io.github.taskgroup.autoconfigure.web;

import org.jspecify.annotations.NullMarked;
