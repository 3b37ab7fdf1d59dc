package io.github.taskgroup;

/** Run by {@link TaskGroupsMBeanTest} in a JVM started with {@code --limit-modules java.base}: no JMX. */
public final class JmxAbsentMain {

    private JmxAbsentMain() {}

    public static void main(String[] args) throws Exception {
        System.out.println("java.management present: " + JmxSupport.jmxModulePresent());
        try (TaskGroupFactory factory =
                TaskGroupFactory.builder().name("no-jmx").build()) {
            int result = factory.run("no-jmx", group -> {
                Task<Integer> a = group.fork(() -> 1);
                Task<Integer> b = group.fork(() -> 2);
                group.join();
                return a.get() + b.get();
            });
            System.out.println("result: " + result);
            System.out.println("dump: "
                    + factory.dump(TaskGroupFactory.DumpFormat.TEXT, true).split("\n")[1]);
        }
        try {
            TaskGroupFactory.builder().name("no-jmx").jmx(true).build();
            System.out.println("jmx: built");
        } catch (IllegalStateException e) {
            System.out.println("jmx: " + e.getMessage());
        }
    }
}
