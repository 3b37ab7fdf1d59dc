package io.github.taskgroup.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Reports an {@link InvalidTaskGroupPropertyException} as a start-up failure that names the property, its
 * value and the fix, instead of a stack trace of bean creation exceptions.
 */
// Before Spring Boot's own analyzers of the same exception types, which cannot say how to fix the value.
@Order(Ordered.HIGHEST_PRECEDENCE)
class InvalidTaskGroupPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidTaskGroupPropertyException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidTaskGroupPropertyException cause) {
        String description = "Invalid value '" + cause.getValue() + "' for configuration property '"
                + cause.getProperty() + "': " + cause.getReason() + ".";
        return new FailureAnalysis(description, cause.getAction(), cause);
    }
}
