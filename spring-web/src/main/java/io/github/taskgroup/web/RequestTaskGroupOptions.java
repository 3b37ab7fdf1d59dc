package io.github.taskgroup.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Options of the request-scoped task group of a handler method, or of every handler method of a controller
 * class. An annotation on the method replaces the one on its class as a whole (as with
 * {@code @Transactional}): attributes are not merged between the two.
 *
 * <pre>{@code
 * @GetMapping("/products/{id}")
 * @RequestTaskGroupOptions(timeout = "2s", maxConcurrency = 4)
 * Page product(TaskGroup group, @PathVariable String id) { ... }
 * }</pre>
 *
 * <p>String attributes are written as in a Spring Boot property ({@code 2s}, {@code 500ms}, {@code PT2S},
 * {@code fail-fast}) and may hold {@code ${...}} placeholders, resolved against the environment when
 * {@link RequestTaskGroupSettingsResolver} is a bean. Options configured by name for the request group (with
 * Spring Boot, {@code taskgroup.groups.[GET /products/{id}].*}) win over the annotation, attribute by
 * attribute, so that operators can override the code. An invalid value fails start-up (when the resolver is a
 * bean) naming the handler method; see {@link InvalidRequestTaskGroupOptionsException}.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface RequestTaskGroupOptions {

    /** The value of {@link #maxConcurrency()} that means "unset". */
    int UNSET = Integer.MIN_VALUE;

    /**
     * @return how long the group may stay open before it is cancelled (reason {@code timeout}), such as
     *         {@code 2s}, {@code 500ms} or {@code PT2S}; empty: unset
     */
    String timeout() default "";

    /** @return how many tasks of the group may run at once, at least 1; {@link #UNSET} (the default): unset */
    int maxConcurrency() default UNSET;

    /**
     * @return the group's policy: {@code fail-fast}, {@code supervise} or {@code first-success} (case and
     *         {@code -}/{@code _} do not matter); empty: unset
     */
    String policy() default "";

    /** @return the name of the {@code java.util.concurrent.Executor} bean that runs the tasks; empty: unset */
    String executor() default "";

    /**
     * @return whether a client that disconnects cancels the group (reason {@code request-aborted}); with
     *         {@code false} the disconnect is only counted, and the tasks run on until the request ends, its
     *         deadline expires or the application shuts down
     */
    boolean cancelOnDisconnect() default true;
}
