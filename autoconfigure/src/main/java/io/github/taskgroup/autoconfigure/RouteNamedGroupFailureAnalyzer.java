package io.github.taskgroup.autoconfigure;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/**
 * Explains the start-up failure of a group named after a route written unescaped in a {@code .properties}
 * file: in {@code taskgroup.groups.[GET /slow].timeout=3s} the space ends the key, so Spring Boot sees the key
 * {@code taskgroup.groups.[GET} with the value {@code /slow].timeout=3s} and reports only that it cannot
 * convert a String into group options.
 */
// Before Spring Boot's own analyzers of the same exception types, which cannot say how to fix the value.
@Order(Ordered.HIGHEST_PRECEDENCE)
class RouteNamedGroupFailureAnalyzer extends AbstractFailureAnalyzer<BindException> {

    private static final ConfigurationPropertyName GROUPS = ConfigurationPropertyName.of("taskgroup.groups");

    private static final String PREFIX = "taskgroup.groups.[";

    private final Environment environment;

    RouteNamedGroupFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    protected @Nullable FailureAnalysis analyze(Throwable rootFailure, BindException cause) {
        if (!GROUPS.isAncestorOf(cause.getName()) || !(this.environment instanceof ConfigurableEnvironment env)) {
            return null;
        }
        // The binder reports only the adapted name ('taskgroup.groups.get'): find the key as it was written.
        for (PropertySource<?> source : env.getPropertySources()) {
            if (source instanceof EnumerablePropertySource<?> enumerable) {
                for (String key : enumerable.getPropertyNames()) {
                    FailureAnalysis analysis = analyze(key, enumerable.getProperty(key), source.getName(), cause);
                    if (analysis != null) {
                        return analysis;
                    }
                }
            }
        }
        return null;
    }

    private static @Nullable FailureAnalysis analyze(
            String key, @Nullable Object property, String sourceName, BindException cause) {
        // The tell-tale of a split key: an opening bracket in the key, its closing bracket in the value.
        if (!key.startsWith(PREFIX) || key.indexOf(']') >= 0 || property == null) {
            return null;
        }
        String value = property.toString();
        int close = value.indexOf("].");
        if (close < 0) {
            return null;
        }
        String groupName = key.substring(PREFIX.length()) + " " + value.substring(0, close);
        String rest = value.substring(close + 2);
        int equals = rest.indexOf('=');
        String option = (equals < 0) ? rest : rest.substring(0, equals);
        String optionValue = (equals < 0) ? "..." : rest.substring(equals + 1);
        String n = System.lineSeparator();
        String description = "The property '" + key + "' in '" + sourceName + "' has the value '" + value
                + "': in a .properties file a space ends the key, so the group name '" + groupName
                + "' was cut at its space.";
        String action = "Escape the space in a .properties file:" + n + n + "    " + key + "\\ " + value + n + n
                + "or write it in application.yml, with the bracketed key quoted:" + n + n + "    taskgroup:" + n
                + "      groups:" + n + "        \"[" + groupName + "]\":" + n + "          " + option + ": "
                + optionValue;
        return new FailureAnalysis(description, action, cause);
    }
}
