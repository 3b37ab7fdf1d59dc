package io.github.taskgroup;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import org.jspecify.annotations.Nullable;

/**
 * The executor behind {@link TaskGroupExecutors#virtualThreadStarter()}: a new virtual thread per task, and
 * nothing else. A task of a group that renames its threads gets a thread that is born with the task's name
 * (through a factory its group keeps for that name), so the task's run neither renames its thread nor gives
 * the old name back: the thread is the task's alone and ends with it. That saves two {@code Thread.setName}
 * calls per task, each a lock on the thread and a volatile write.
 */
final class VirtualThreadStarter implements Executor {

    /** The starter, or null on a JDK without virtual threads (before 21). */
    static final @Nullable VirtualThreadStarter INSTANCE = create();

    // Both final and set before the starter is published: read by any forking thread without a lock.
    private final ThreadFactory unnamed; // Thread.ofVirtual().factory(), or one that names <prefix>N
    private final MethodHandle named; // (String) -> ThreadFactory: Thread.ofVirtual().name(name).factory()
    private final MethodHandle numbered; // (String, long) -> ThreadFactory: ...name(prefix, start).factory()

    private VirtualThreadStarter(ThreadFactory unnamed, MethodHandle named, MethodHandle numbered) {
        this.unnamed = unnamed;
        this.named = named;
        this.numbered = numbered;
    }

    private static @Nullable VirtualThreadStarter create() {
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Class<?> builder = Class.forName("java.lang.Thread$Builder");
            Class<?> ofVirtual = Class.forName("java.lang.Thread$Builder$OfVirtual");
            MethodHandle newBuilder = lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(ofVirtual));
            MethodHandle name = lookup.findVirtual(ofVirtual, "name", MethodType.methodType(ofVirtual, String.class));
            MethodHandle nameFrom =
                    lookup.findVirtual(ofVirtual, "name", MethodType.methodType(ofVirtual, String.class, long.class));
            MethodHandle factory = lookup.findVirtual(builder, "factory", MethodType.methodType(ThreadFactory.class))
                    .asType(MethodType.methodType(ThreadFactory.class, ofVirtual));
            MethodHandle named = MethodHandles.filterReturnValue(
                    MethodHandles.collectArguments(name, 0, newBuilder), factory); // (String) -> ThreadFactory
            MethodHandle numbered = MethodHandles.filterReturnValue(
                    MethodHandles.collectArguments(nameFrom, 0, newBuilder), factory); // (String, long) -> ...
            ThreadFactory unnamed = (ThreadFactory) factory.invoke(newBuilder.invoke());
            return new VirtualThreadStarter(unnamed, named, numbered);
        } catch (Throwable noVirtualThreads) { // ReflectiveOperationException before JDK 21
            return null;
        }
    }

    /**
     * @param prefix the name of a thread that is not born with a task's name is this prefix and a number,
     *     counting from 1
     * @return a starter that differs from this one only in the names of those threads
     */
    VirtualThreadStarter numberingOthers(String prefix) {
        ThreadFactory numberedThreads;
        try {
            numberedThreads = (ThreadFactory) numbered.invokeExact(prefix, 1L);
        } catch (Throwable unexpected) { // the JDK's builder does not throw for a non-null prefix
            throw new IllegalStateException("Could not make a factory of virtual threads named " + prefix, unexpected);
        }
        return new VirtualThreadStarter(numberedThreads, named, numbered);
    }

    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        ThreadFactory factory = command instanceof DefaultTask<?> task ? task.threadFactory(this) : unnamed;
        factory.newThread(command).start();
    }

    /** @return the factory of threads not born with a task's name: unnamed (the JDK's default) or numbered */
    ThreadFactory unnamed() {
        return unnamed;
    }

    /** @return a factory whose threads are all named {@code name} (one string, shared by them) */
    ThreadFactory named(String name) {
        try {
            return (ThreadFactory) named.invokeExact(name);
        } catch (Throwable unexpected) { // the JDK's builder does not throw for a non-null name
            throw new IllegalStateException("Could not make a factory of virtual threads named " + name, unexpected);
        }
    }
}
