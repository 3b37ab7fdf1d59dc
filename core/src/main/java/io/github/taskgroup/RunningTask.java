package io.github.taskgroup;

import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Which group's task the current thread is running, so that a group opened by a task becomes a child of
 * the task's group.
 *
 * <p>On JDK 25 and later this is a {@code ScopedValue} binding, found at run time (the library is compiled
 * for Java 17): unlike a {@code ThreadLocal}, it does not give every fresh virtual thread its own
 * thread-local map, which would cost a task more memory than the rest of its bookkeeping. Before JDK 25
 * (where scoped values are final), it is a {@code ThreadLocal}, set and restored around the task.
 *
 * <p>A parked virtual thread keeps its frames in the heap, so every frame between the thread's entry and
 * the task's code costs memory for as long as the task waits. That is why the carrier's {@code run} is
 * reached through a lambda-metafactory class ({@link #RUN_BOUND}) rather than a method handle, whose
 * invocation adds frames of its own until it is compiled, and why the body it runs is the task itself.
 */
final class RunningTask {

    private static final ThreadLocal<DefaultTaskGroup> FALLBACK = new ThreadLocal<>();

    private static final @Nullable Object SCOPED_VALUE; // a java.lang.ScopedValue<DefaultTaskGroup>, or null
    private static final @Nullable MethodHandle WHERE; // (ScopedValue, Object) -> ScopedValue.Carrier

    /** {@code (carrier, body) -> carrier.run(body)} on JDK 25+, {@code null} before: see {@link #carrier}. */
    private static final @Nullable BiConsumer<Object, Runnable> RUN_BOUND;

    private static final @Nullable MethodHandle IS_BOUND; // (ScopedValue) -> boolean
    private static final @Nullable MethodHandle GET; // (ScopedValue) -> Object

    static {
        Object scopedValue = null;
        MethodHandle where = null;
        BiConsumer<Object, Runnable> runBound = null;
        MethodHandle isBound = null;
        MethodHandle get = null;
        if (Runtime.version().feature() >= 25) {
            try {
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                Class<?> type = Class.forName("java.lang.ScopedValue");
                Class<?> carrier = Class.forName("java.lang.ScopedValue$Carrier");
                scopedValue = lookup.findStatic(type, "newInstance", MethodType.methodType(type))
                        .invoke();
                where = lookup.findStatic(type, "where", MethodType.methodType(carrier, type, Object.class))
                        .asType(MethodType.methodType(Object.class, Object.class, Object.class));
                MethodHandle run =
                        lookup.findVirtual(carrier, "run", MethodType.methodType(void.class, Runnable.class));
                runBound = binder(run, carrier);
                // not orElse(null): JDK 25's final API rejects a null default
                isBound = lookup.findVirtual(type, "isBound", MethodType.methodType(boolean.class))
                        .asType(MethodType.methodType(boolean.class, Object.class));
                get = lookup.findVirtual(type, "get", MethodType.methodType(Object.class))
                        .asType(MethodType.methodType(Object.class, Object.class));
            } catch (Throwable e) {
                scopedValue = null; // not usable here: fall back to the thread-local
                runBound = null;
            }
        }
        SCOPED_VALUE = scopedValue;
        WHERE = where;
        RUN_BOUND = runBound;
        IS_BOUND = isBound;
        GET = get;
    }

    private RunningTask() {}

    @SuppressWarnings("unchecked")
    static BiConsumer<Object, Runnable> binder(MethodHandle run, Class<?> carrier) throws Throwable {
        MethodType erased = MethodType.methodType(void.class, Object.class, Object.class);
        return (BiConsumer<Object, Runnable>) LambdaMetafactory.metafactory(
                        MethodHandles.lookup(),
                        "accept",
                        MethodType.methodType(BiConsumer.class),
                        erased,
                        run,
                        MethodType.methodType(void.class, carrier, Runnable.class))
                .getTarget()
                .invoke();
    }

    /**
     * @return the binding of {@code group} for its tasks, to hand to {@link #RUN_BOUND} (JDK 25+ only): one
     *         {@code ScopedValue.Carrier} per group, made by its first task, not one per task
     */
    private static Object carrier(DefaultTaskGroup group) {
        Object carrier = group.taskBinding;
        if (carrier == null) {
            try {
                carrier = (Object) WHERE.invokeExact(SCOPED_VALUE, (Object) group);
            } catch (Throwable e) {
                throw new IllegalStateException("Could not bind the task's group", e);
            }
            group.taskBinding = carrier;
        }
        return carrier;
    }

    /** Runs {@code body} as a task of {@code group}; the binding ends with it. */
    static void runIn(DefaultTaskGroup group, Runnable body) {
        BiConsumer<Object, Runnable> runBound = RUN_BOUND;
        if (runBound != null) {
            runBound.accept(carrier(group), body);
            return;
        }
        DefaultTaskGroup previous = FALLBACK.get();
        FALLBACK.set(group);
        try {
            body.run();
        } finally {
            if (previous == null) {
                FALLBACK.remove();
            } else {
                FALLBACK.set(previous);
            }
        }
    }

    /** @return the group of the task the current thread runs, or {@code null} */
    static @Nullable DefaultTaskGroup group() {
        if (SCOPED_VALUE != null) {
            try {
                return (boolean) IS_BOUND.invokeExact(SCOPED_VALUE)
                        ? (DefaultTaskGroup) (Object) GET.invokeExact(SCOPED_VALUE)
                        : null;
            } catch (Throwable e) {
                throw new IllegalStateException("Could not read the task's group", e);
            }
        }
        return FALLBACK.get();
    }

    /** @return whether tasks are bound with a scoped value (JDK 25+) rather than a thread-local */
    static boolean usesScopedValue() {
        return SCOPED_VALUE != null;
    }
}
