package io.github.taskgroup.autoconfigure;

import io.github.taskgroup.autoconfigure.TaskGroupProperties.Executor.Mode;
import java.util.Locale;
import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.thread.Threading;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when the effective {@code taskgroup.executor.mode} is this condition's mode. The property is bound as
 * {@link TaskGroupProperties} binds it (an empty value, say from an empty environment variable, counts as unset);
 * unset, the mode follows Spring Boot's threading ({@code spring.threads.virtual.enabled} on JDK 21+). One
 * condition rather than a pair of property and threading conditions, so that "empty" and "missing" agree.
 */
abstract class OnExecutorModeCondition extends SpringBootCondition {

    static final String MODE = "taskgroup.executor.mode";

    private final Mode mode;

    OnExecutorModeCondition(Mode mode) {
        this.mode = mode;
    }

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        ConditionMessage.Builder message = ConditionMessage.forCondition("TaskGroup executor mode " + name(this.mode));
        Environment environment = context.getEnvironment();
        Mode configured;
        try {
            configured = Binder.get(environment).bind(MODE, Mode.class).orElse(null);
        } catch (BindException ex) {
            // TaskGroupProperties fails start-up with the property's name and the allowed values.
            return ConditionOutcome.noMatch(message.because("'" + MODE + "' has an invalid value"));
        }
        Mode effective = (configured != null) ? configured : defaultMode(environment);
        String reason = (configured != null)
                ? "'" + MODE + "' is " + name(configured)
                : "'" + MODE + "' is not set and Spring Boot runs on " + name(effective) + " threads";
        return new ConditionOutcome(effective == this.mode, message.because(reason));
    }

    private static Mode defaultMode(Environment environment) {
        return Threading.VIRTUAL.isActive(environment) ? Mode.VIRTUAL : Mode.PLATFORM;
    }

    private static String name(Mode mode) {
        return mode.name().toLowerCase(Locale.ROOT);
    }

    static final class Virtual extends OnExecutorModeCondition {
        Virtual() {
            super(Mode.VIRTUAL);
        }
    }

    static final class Platform extends OnExecutorModeCondition {
        Platform() {
            super(Mode.PLATFORM);
        }
    }

    static final class Bean extends OnExecutorModeCondition {
        Bean() {
            super(Mode.BEAN);
        }
    }
}
