package io.github.taskgroup.web.servlet;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** Watches a request with the first of its probes that can ({@code taskgroup.web.detection.strategy=auto}). */
final class FirstMatchDisconnectProbe implements DisconnectProbe {

    private final List<DisconnectProbe> probes;

    FirstMatchDisconnectProbe(List<DisconnectProbe> probes) {
        this.probes = List.copyOf(probes);
    }

    @Override
    public String name() {
        return this.probes.stream().map(DisconnectProbe::name).collect(Collectors.joining(",", "auto[", "]"));
    }

    @Override
    public @Nullable Watch watch(HttpServletRequest request) {
        for (DisconnectProbe probe : this.probes) {
            Watch watch = probe.watch(request);
            if (watch != null) {
                return watch;
            }
        }
        return null;
    }
}
