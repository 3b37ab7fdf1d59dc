package io.github.taskgroup.autoconfigure;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executor;

import org.springframework.beans.factory.ListableBeanFactory;

/**
 * Checks of {@code taskgroup.*} values. Each failure names the property and the fix, through
 * {@link InvalidTaskGroupPropertyException}, so that start-up stops with a clear report rather than with the
 * core's {@link IllegalArgumentException} deep in a bean creation stack.
 */
final class Validation {

    private Validation() {
    }

    static Duration positive(String property, Duration value) {
        if (value != null && (value.isZero() || value.isNegative())) {
            throw new InvalidTaskGroupPropertyException(property, value, "it must be positive",
                    "Set '" + property + "' to a positive duration such as '5s', or remove it to have no timeout.");
        }
        return value;
    }

    static Duration notNegative(String property, Duration value) {
        if (value == null || value.isNegative()) {
            throw new InvalidTaskGroupPropertyException(property, value, "it must be zero or positive",
                    "Set '" + property + "' to a duration such as '30s', or to '0s' not to wait.");
        }
        return value;
    }

    static Integer maxConcurrency(String property, Integer value) {
        if (value != null && value < 1) {
            throw new InvalidTaskGroupPropertyException(property, value, "it must be at least 1",
                    "Set '" + property + "' to 1 or more, or remove it to let any number of tasks run at once.");
        }
        return value;
    }

    static int atLeast(String property, int value, int minimum) {
        if (value < minimum) {
            throw new InvalidTaskGroupPropertyException(property, value, "it must be at least " + minimum,
                    "Set '" + property + "' to " + minimum + " or more.");
        }
        return value;
    }

    static Executor executorBean(ListableBeanFactory beanFactory, String property, String name) {
        if (!beanFactory.containsBean(name) || !beanFactory.isTypeMatch(name, Executor.class)) {
            String[] executors = beanFactory.getBeanNamesForType(Executor.class, false, false);
            throw new InvalidTaskGroupPropertyException(property, name,
                    beanFactory.containsBean(name) ? "bean '" + name + "' is not a java.util.concurrent.Executor"
                            : "there is no bean named '" + name + "'",
                    "Set '" + property + "' to the name of an Executor bean (the context has: "
                            + (executors.length == 0 ? "none" : String.join(", ", Arrays.asList(executors)))
                            + "), or define a bean named '" + name + "'.");
        }
        return beanFactory.getBean(name, Executor.class);
    }
}
