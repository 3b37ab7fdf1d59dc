/**
 * Outgoing calls carry the remaining deadline of the calling task group: {@link
 * io.github.taskgroup.web.client.DeadlinePropagation} (the rule, and a helper for the JDK {@code HttpClient}),
 * {@link io.github.taskgroup.web.client.DeadlinePropagationInterceptor} ({@code RestClient}, {@code RestTemplate})
 * and {@link io.github.taskgroup.web.client.DeadlinePropagationFilter} ({@code WebClient}). Calls are aborted
 * when the calling task is cancelled: {@link io.github.taskgroup.web.client.HttpComponentsAbortOnCancel} (Apache
 * HttpClient 5) and {@link io.github.taskgroup.web.client.JettyAbortOnCancel} (Jetty client).
 */
@NullMarked
package io.github.taskgroup.web.client;

import org.jspecify.annotations.NullMarked;
