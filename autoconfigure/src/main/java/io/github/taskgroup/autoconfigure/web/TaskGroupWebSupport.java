package io.github.taskgroup.autoconfigure.web;

import java.time.Duration;

import io.github.taskgroup.autoconfigure.InvalidTaskGroupPropertyException;
import io.github.taskgroup.autoconfigure.TaskGroupProperties;

/** Helpers shared by the servlet and reactive web configurations. */
public final class TaskGroupWebSupport {

    private TaskGroupWebSupport() {
    }

    /**
     * @param properties the web properties
     * @return the detection interval, checked
     * @throws InvalidTaskGroupPropertyException if it is not positive
     */
    public static Duration detectionInterval(TaskGroupWebProperties properties) {
        Duration interval = properties.getDetection().getInterval();
        if (interval == null || interval.isZero() || interval.isNegative()) {
            throw new InvalidTaskGroupPropertyException("taskgroup.web.detection.interval", interval,
                    "it must be positive", "Set 'taskgroup.web.detection.interval' to a positive duration such "
                            + "as 50ms, or set 'taskgroup.web.detection.strategy' to 'none'.");
        }
        return interval;
    }

    /**
     * @param properties the factory properties
     * @return how long shutdown lets open request groups finish before aborting them
     */
    public static Duration shutdownGracePeriod(TaskGroupProperties properties) {
        Duration period = properties.getShutdown().getAwaitTerminationPeriod();
        return (period != null && !period.isNegative()) ? period : Duration.ZERO;
    }
}
