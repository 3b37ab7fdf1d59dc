package io.github.taskgroup;

/**
 * Registers the factory's MBean when asked for. References no {@code javax.management} class: a runtime
 * without the {@code java.management} module (a jlink image) loads this class and {@link DefaultTaskGroupFactory}
 * and never loads {@link TaskGroupsMBean}, unless an application asks for JMX, which then fails clearly.
 */
final class JmxSupport {

    private JmxSupport() {}

    /** @return whether the boot layer has the {@code java.management} module */
    static boolean jmxModulePresent() {
        try {
            return ModuleLayer.boot().findModule("java.management").isPresent();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /**
     * @param factory the factory the MBean shows
     * @param cancelOperation whether the MBean has the {@code cancel(long)} operation
     * @return the registration; closing it unregisters the MBean (idempotent)
     * @throws IllegalStateException without {@code java.management}, or when the name is taken
     */
    static AutoCloseable register(DefaultTaskGroupFactory factory, boolean cancelOperation) {
        if (!jmxModulePresent()) {
            throw new IllegalStateException("TaskGroupFactory '" + factory.name()
                    + "' was built with jmx(true), but this runtime has no java.management module;"
                    + " add it to the image (jlink --add-modules java.management) or build without jmx(true)");
        }
        return TaskGroupsMBean.register(factory, cancelOperation);
    }
}
