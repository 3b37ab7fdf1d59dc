package io.github.taskgroup;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Executors suited to task groups. The library is compiled for Java 17 and finds virtual threads at run
 * time, without preview features.
 */
public final class TaskGroupExecutors {

    // Each null on a JDK without virtual threads (before 21).
    private static final @Nullable MethodHandle NEW_VIRTUAL_THREAD_PER_TASK_EXECUTOR = findVirtualThreadExecutor();
    private static final @Nullable MethodHandle IS_VIRTUAL = findIsVirtual();

    private TaskGroupExecutors() {}

    /** @return whether this JDK has virtual threads (JDK 21 or later) */
    public static boolean virtualThreadsAvailable() {
        return NEW_VIRTUAL_THREAD_PER_TASK_EXECUTOR != null;
    }

    /**
     * @return a new executor that starts a virtual thread per task; shut it down when done
     * @throws UnsupportedOperationException on a JDK without virtual threads (before 21)
     */
    public static ExecutorService virtualThreads() {
        if (NEW_VIRTUAL_THREAD_PER_TASK_EXECUTOR == null) {
            throw new UnsupportedOperationException("Virtual threads need JDK 21 or later; this JVM is Java "
                    + Runtime.version().feature());
        }
        try {
            return (ExecutorService) NEW_VIRTUAL_THREAD_PER_TASK_EXECUTOR.invoke();
        } catch (Throwable e) {
            throw new IllegalStateException("Could not create a virtual-thread executor", e);
        }
    }

    /**
     * @param thread a thread
     * @return whether it is a virtual thread
     */
    public static boolean isVirtual(Thread thread) {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invoke(thread);
        } catch (Throwable e) {
            return false;
        }
    }

    /**
     * A new cached pool of daemon platform threads named {@code <prefix>N}: threads are created on demand,
     * reused, and retired after 60 idle seconds. It never rejects a task before it is shut down.
     *
     * @param prefix the thread name prefix
     * @return the pool; shut it down when done
     */
    public static ExecutorService platformThreads(String prefix) {
        AtomicLong count = new AtomicLong();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        return Executors.newCachedThreadPool(factory);
    }

    /**
     * An executor that starts a new virtual thread for every task, and nothing else: unlike
     * {@link #virtualThreads()} it keeps no registry of its threads (there is nothing to shut down), which
     * makes it the cheapest way to run a task on its own virtual thread. Task groups already wait for their
     * tasks, so the registry would only duplicate their bookkeeping. A task of a group that renames threads
     * (the default) gets a thread that already carries its name when it starts, which is cheaper than renaming
     * it; any other runnable gets an unnamed virtual thread.
     *
     * @return the executor (the same instance on every call)
     * @throws UnsupportedOperationException on a JDK without virtual threads (before 21)
     */
    public static Executor virtualThreadStarter() {
        VirtualThreadStarter starter = VirtualThreadStarter.INSTANCE;
        if (starter == null) {
            throw new UnsupportedOperationException("Virtual threads need JDK 21 or later; this JVM is Java "
                    + Runtime.version().feature());
        }
        return starter;
    }

    /**
     * Like {@link #virtualThreadStarter()}, except that a thread not born with a task's name is named
     * {@code <threadNamePrefix>N}, N counting from 1 for each executor this returns: the thread of a task whose
     * factory has {@link TaskGroupFactory.Builder#renameThreads(boolean) renameThreads(false)}, or of a
     * runnable that is not a task.
     *
     * @param threadNamePrefix the prefix of those threads' names
     * @return a new executor; there is nothing to shut down
     * @throws NullPointerException if the prefix is null
     * @throws UnsupportedOperationException on a JDK without virtual threads (before 21)
     */
    public static Executor virtualThreadStarter(String threadNamePrefix) {
        Objects.requireNonNull(threadNamePrefix, "threadNamePrefix");
        return ((VirtualThreadStarter) virtualThreadStarter()).numberingOthers(threadNamePrefix);
    }

    /**
     * @return {@link #virtualThreadStarter()} on JDK 21+, otherwise {@link #platformThreads(String)
     *         platformThreads("taskgroup-")} (an {@link ExecutorService}: shut it down when done)
     */
    public static Executor defaultExecutor() {
        return virtualThreadsAvailable() ? virtualThreadStarter() : platformThreads("taskgroup-");
    }

    private static @Nullable MethodHandle findVirtualThreadExecutor() {
        try {
            return MethodHandles.publicLookup()
                    .findStatic(
                            Executors.class,
                            "newVirtualThreadPerTaskExecutor",
                            MethodType.methodType(ExecutorService.class));
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    private static @Nullable MethodHandle findIsVirtual() {
        try {
            return MethodHandles.publicLookup()
                    .findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
