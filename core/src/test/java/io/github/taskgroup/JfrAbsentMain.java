package io.github.taskgroup;

/** Run by {@link JfrEventsTest} in a JVM started with {@code --limit-modules java.base}: no {@code jdk.jfr}. */
public final class JfrAbsentMain {

    private JfrAbsentMain() {}

    public static void main(String[] args) throws Exception {
        System.out.println("jdk.jfr present: " + JfrSupport.jfrModulePresent());
        try (TaskGroupFactory factory = TaskGroupFactory.builder().build()) {
            int result = factory.run("no-jfr", group -> {
                Task<Integer> a = group.fork(() -> 1);
                Task<Integer> b = group.fork(() -> 2);
                group.join();
                return a.get() + b.get();
            });
            System.out.println("result: " + result);
        }
    }
}
