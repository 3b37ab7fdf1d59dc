/**
 * Auto-configuration of deadline propagation: every {@code RestClient}, {@code RestTemplate} and {@code WebClient}
 * built from Spring Boot's builders sends the remaining time of the calling task group.
 */
@NullMarked
package io.github.taskgroup.autoconfigure.web.client;

import org.jspecify.annotations.NullMarked;
