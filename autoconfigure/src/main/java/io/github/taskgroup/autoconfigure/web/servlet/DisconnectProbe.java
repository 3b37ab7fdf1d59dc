package io.github.taskgroup.autoconfigure.web.servlet;

import jakarta.servlet.http.HttpServletRequest;

import org.jspecify.annotations.Nullable;

/**
 * Detects that the client of an in-flight request is gone, for servlet containers, which do not say so
 * (neither Tomcat nor Jetty signals a disconnect before a write fails). One scheduler thread checks the
 * connections of all in-flight requests that have an open task group, every
 * {@code taskgroup.web.detection.interval}: {@link #beginTick()} once per tick, then
 * {@link Watch#clientGone(boolean)} for each of the probe's watches.
 */
public interface DisconnectProbe {

    /** @return the probe's name for logs ({@code tomcat}, {@code proc}) */
    String name();

    /**
     * Prepares to watch the connection of {@code request}; called on a thread that works on the request when
     * its group opens.
     *
     * @param request the request
     * @return a watch, or {@code null} if this probe cannot watch this request
     */
    @Nullable
    Watch watch(HttpServletRequest request);

    /** Called by the scheduler thread once per tick in which the probe has watches, before checking them. */
    default void beginTick() {
    }

    /** Watches one request's connection. Called by the scheduler thread only, never concurrently. */
    interface Watch {

        /**
         * @param requestThreadInHandler whether a container thread is inside the request's handler right now
         *        (it holds the connection but does not read from it)
         * @return whether the client is gone
         */
        boolean clientGone(boolean requestThreadInHandler);

        /** @return the probe that made this watch */
        DisconnectProbe probe();
    }

    /** The probe that watches nothing ({@code taskgroup.web.detection.strategy=none}). */
    DisconnectProbe NONE = new DisconnectProbe() {

        @Override
        public String name() {
            return "none";
        }

        @Override
        public Watch watch(HttpServletRequest request) {
            return null;
        }
    };
}
