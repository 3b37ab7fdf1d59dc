package io.github.taskgroup.autoconfigure.web;

import io.github.taskgroup.web.InvalidRequestTaskGroupOptionsException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.util.ClassUtils;

/**
 * Reports an invalid {@code @RequestTaskGroupOptions} as a start-up failure that names the handler method, the
 * attribute, its value and the fix. It does nothing when {@code taskgroup-spring-web} is absent.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class InvalidRequestTaskGroupOptionsFailureAnalyzer implements FailureAnalyzer {

    private static final boolean PRESENT = ClassUtils.isPresent(
            "io.github.taskgroup.web.InvalidRequestTaskGroupOptionsException",
            InvalidRequestTaskGroupOptionsFailureAnalyzer.class.getClassLoader());

    @Override
    public @Nullable FailureAnalysis analyze(Throwable failure) {
        return PRESENT ? Analysis.analyze(failure) : null;
    }

    /** Loaded only when the exception's class is present. */
    private static final class Analysis {

        static @Nullable FailureAnalysis analyze(Throwable failure) {
            for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
                if (cause instanceof InvalidRequestTaskGroupOptionsException invalid) {
                    String description = "Invalid value '" + invalid.getValue() + "' for attribute '"
                            + invalid.getAttribute() + "' of @RequestTaskGroupOptions on handler method "
                            + invalid.getHandler() + ": " + invalid.getReason() + ".";
                    String action = "Fix the '" + invalid.getAttribute()
                            + "' attribute of @RequestTaskGroupOptions on " + invalid.getHandler()
                            + " (timeout: a positive duration such as '2s'; maxConcurrency: 1 or more; policy: "
                            + "fail-fast, supervise or first-success; executor: the name of an Executor bean), "
                            + "or override it with the taskgroup.groups.[<METHOD> <route>].* property.";
                    return new FailureAnalysis(description, action, invalid);
                }
            }
            return null;
        }
    }
}
