package io.github.taskgroup.web.servlet;

/** Lets the auto-configuration's tests see the scheduler's thread, which is not public API. */
public final class SchedulerThreads {

    private SchedulerThreads() {}

    /**
     * @param scheduler a scheduler
     * @return its thread, or {@code null} before its first watch
     */
    public static Thread of(DisconnectProbeScheduler scheduler) {
        return scheduler.thread();
    }
}
