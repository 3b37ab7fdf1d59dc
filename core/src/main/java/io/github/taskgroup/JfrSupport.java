package io.github.taskgroup;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether the factory gets the built-in JFR listener. References no {@code jdk.jfr} class: a runtime
 * without the {@code jdk.jfr} module (a jlink image) loads this class, finds no module, and never loads
 * {@link JfrListener} or the event classes.
 */
final class JfrSupport {

    private static final System.Logger LOG = System.getLogger(JfrSupport.class.getName());

    private JfrSupport() {}

    /** @return whether the boot layer has the {@code jdk.jfr} module */
    static boolean jfrModulePresent() {
        try {
            return ModuleLayer.boot().findModule("jdk.jfr").isPresent();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /**
     * @param listeners the listeners added to the builder
     * @param jfrEvents whether the builder asks for JFR events
     * @return the listeners, with the JFR listener last (innermost, so its task spans are the tasks' own run
     *         time) when asked for and available
     */
    static List<TaskGroupListener> withJfrListener(List<TaskGroupListener> listeners, boolean jfrEvents) {
        TaskGroupListener jfr = jfrEvents ? listenerOrNull(jfrModulePresent()) : null;
        if (jfr == null) {
            return listeners;
        }
        List<TaskGroupListener> all = new ArrayList<>(listeners.size() + 1);
        all.addAll(listeners);
        all.add(jfr);
        return all;
    }

    /**
     * The seam for tests: {@code false} is what a runtime without {@code jdk.jfr} takes.
     *
     * @param jfrModulePresent whether {@code jdk.jfr} is there
     * @return the JFR listener, or {@code null} without JFR
     */
    static TaskGroupListener listenerOrNull(boolean jfrModulePresent) {
        if (!jfrModulePresent) {
            return null;
        }
        try {
            return JfrListener.create();
        } catch (LinkageError e) {
            LOG.log(System.Logger.Level.DEBUG, "JFR events are off: the jdk.jfr classes cannot be linked", e);
            return null;
        }
    }
}
