package io.github.taskgroup.web.servlet;

import jakarta.servlet.http.HttpServletRequest;
import java.nio.channels.SelectableChannel;
import org.jspecify.annotations.Nullable;

/**
 * Detects that the client of an in-flight request is gone, for servlet containers, which do not say so
 * (neither Tomcat nor Jetty signals a disconnect before a write fails). One scheduler thread
 * ({@link DisconnectProbeScheduler}) watches the connections of all in-flight requests that have an open task
 * group: it waits for the {@linkplain Watch#channel() channel} of a watch to become readable, or, for a watch
 * without one, checks every {@code taskgroup.web.detection.interval}. Before a round of checks it calls
 * {@link #beginTick()} once, then {@link Watch#clientGone(boolean)} for each watch to check.
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
    default void beginTick() {}

    /** Watches one request's connection. Called by the scheduler thread only, never concurrently. */
    interface Watch {

        /**
         * @param requestThreadInHandler whether a container thread is inside the request's handler right now
         *        (it holds the connection but does not read from it)
         * @return whether the client is gone
         */
        boolean clientGone(boolean requestThreadInHandler);

        /**
         * The connection's channel, for the scheduler to wait on: it registers it, for reading, with a selector
         * of its own and never reads or writes it. A FIN or RST makes it readable; so does data (a pipelined
         * request), which is why readiness is only a reason to call {@link #clientGone(boolean)}.
         *
         * @return the connection's channel (non-blocking), or {@code null} if this watch must be polled
         */
        default @Nullable SelectableChannel channel() {
            return null;
        }

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
        public @Nullable Watch watch(HttpServletRequest request) {
            return null;
        }
    };
}
