package io.github.taskgroup.web.servlet;

import jakarta.servlet.http.HttpServletRequest;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.util.ClassUtils;

/**
 * The {@link DisconnectProbe}s this library ships, for a {@link DisconnectProbeScheduler}: Tomcat's own
 * connection check, a scan of {@code /proc/net/tcp} (any container on Linux), or both, first match wins.
 * Each is available only where it can work; {@link #auto()} picks what is.
 */
public final class DisconnectProbes {

    private static final ClassLoader LOADER = DisconnectProbes.class.getClassLoader();

    private static final boolean TOMCAT_PRESENT =
            ClassUtils.isPresent("org.apache.catalina.connector.RequestFacade", LOADER);

    private static final boolean JETTY_PRESENT =
            ClassUtils.isPresent("org.eclipse.jetty.ee11.servlet.ServletContextRequest", LOADER);

    private DisconnectProbes() {}

    /** @return every probe available here, first match wins; {@link DisconnectProbe#NONE} if there is none */
    public static DisconnectProbe auto() {
        List<DisconnectProbe> probes = new ArrayList<>(2);
        if (tomcatAvailable()) {
            probes.add(new TomcatDisconnectProbe());
        }
        if (ProcNetTcpDisconnectProbe.isAvailable()) {
            probes.add(proc());
        }
        return probes.isEmpty() ? DisconnectProbe.NONE : new FirstMatchDisconnectProbe(probes);
    }

    /** @return Tomcat's connection check, or {@code null} when Tomcat's classes are not usable here */
    public static @Nullable DisconnectProbe tomcat() {
        return tomcatAvailable() ? new TomcatDisconnectProbe() : null;
    }

    /** @return the {@code /proc/net/tcp} probe, or {@code null} when {@code /proc} cannot be read here */
    public static @Nullable DisconnectProbe proc() {
        return ProcNetTcpDisconnectProbe.isAvailable()
                ? new ProcNetTcpDisconnectProbe(DisconnectProbes::channel)
                : null;
    }

    static boolean jettyPresent() {
        return JETTY_PRESENT;
    }

    private static boolean tomcatAvailable() {
        return TOMCAT_PRESENT && TomcatDisconnectProbe.isAvailable();
    }

    /** The container's channel of a request's connection (Tomcat or Jetty NIO), for the probe to wait on. */
    private static @Nullable SocketChannel channel(HttpServletRequest request) {
        SocketChannel channel = null;
        if (tomcatAvailable()) {
            channel = TomcatDisconnectProbe.channel(request);
        }
        if (channel == null && JETTY_PRESENT) {
            channel = JettyRequests.channel(request);
        }
        return channel;
    }
}
