package io.github.taskgroup;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Re-binds the application's {@code java.lang.ScopedValue}s around each task: whatever the forking thread
 * has bound to them at {@code fork} time, the task sees while it runs. Scoped values are final from JDK 25;
 * the library is compiled for Java 17, so they are passed as {@code Object} and checked at
 * {@link #of(Object...)}.
 *
 * <pre>{@code
 * static final ScopedValue<String> REQUEST_ID = ScopedValue.newInstance();
 *
 * TaskGroupFactory factory = TaskGroupFactory.builder()
 *         .contextPropagator(ScopedValuePropagator.of(REQUEST_ID))
 *         .build();
 * ScopedValue.where(REQUEST_ID, "r-42").run(() -> factory.run(group -> {
 *     group.fork(() -> REQUEST_ID.get()); // "r-42", on the task's own thread
 * }));
 * }</pre>
 *
 * <p>A value that is not bound on the forking thread is not bound in the task either (and a task whose
 * values are all unbound runs without any binding: {@link #wrap} returns it unchanged). The binding ends
 * with the task, as every binding made with {@code ScopedValue.where(...).run(...)} does: nothing stays on
 * a pooled thread. Rebinding copies references: a mutable value is shared between the forking thread and
 * its tasks, as it would be with an argument.
 *
 * <p>With the Spring Boot starter, declare the propagator as a bean of type {@link ContextPropagator}; every
 * such bean is added to the factory. Micrometer's context-propagation library does not carry scoped values
 * (its {@code ThreadLocalAccessor} needs a setter, which a scoped value has not), so this is the way to
 * carry them.
 *
 * <p>Failures: {@link #of} rejects at once what cannot work (no value, a null, a duplicate, an object
 * that is not a scoped value, a runtime before JDK 25). {@link #wrap} only reads the values, which cannot
 * fail.
 */
public final class ScopedValuePropagator implements ContextPropagator {

    private static final @Nullable Class<?> SCOPED_VALUE_TYPE;
    private static final @Nullable MethodHandle IS_BOUND; // (ScopedValue) -> boolean
    private static final @Nullable MethodHandle GET; // (ScopedValue) -> Object
    private static final @Nullable MethodHandle WHERE; // (ScopedValue, Object) -> Carrier
    private static final @Nullable MethodHandle CARRIER_WHERE; // (Carrier, ScopedValue, Object) -> Carrier
    private static final @Nullable BiConsumer<Object, Runnable> RUN; // (Carrier, Runnable) -> carrier.run(r)

    static {
        Class<?> type = null;
        MethodHandle isBound = null;
        MethodHandle get = null;
        MethodHandle where = null;
        MethodHandle carrierWhere = null;
        BiConsumer<Object, Runnable> run = null;
        if (Runtime.version().feature() >= 25) {
            try {
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                Class<?> scopedValue = Class.forName("java.lang.ScopedValue");
                Class<?> carrier = Class.forName("java.lang.ScopedValue$Carrier");
                MethodType toObject = MethodType.methodType(Object.class, Object.class, Object.class);
                isBound = lookup.findVirtual(scopedValue, "isBound", MethodType.methodType(boolean.class))
                        .asType(MethodType.methodType(boolean.class, Object.class));
                get = lookup.findVirtual(scopedValue, "get", MethodType.methodType(Object.class))
                        .asType(MethodType.methodType(Object.class, Object.class));
                where = lookup.findStatic(
                                scopedValue, "where", MethodType.methodType(carrier, scopedValue, Object.class))
                        .asType(toObject);
                carrierWhere = lookup.findVirtual(
                                carrier, "where", MethodType.methodType(carrier, scopedValue, Object.class))
                        .asType(MethodType.methodType(Object.class, Object.class, Object.class, Object.class));
                // the same frame-saving call as the library's own binding of a task to its group
                run = RunningTask.binder(
                        lookup.findVirtual(carrier, "run", MethodType.methodType(void.class, Runnable.class)), carrier);
                type = scopedValue;
            } catch (Throwable e) {
                type = null; // not usable on this runtime: of(...) says so
            }
        }
        SCOPED_VALUE_TYPE = type;
        IS_BOUND = isBound;
        GET = get;
        WHERE = where;
        CARRIER_WHERE = carrierWhere;
        RUN = run;
    }

    private final Object[] scopedValues;

    private ScopedValuePropagator(Object[] scopedValues) {
        this.scopedValues = scopedValues;
    }

    /**
     * @return whether this runtime has final scoped values (JDK 25 or later), that is whether
     *         {@link #of(Object...)} can succeed
     */
    public static boolean isSupported() {
        return SCOPED_VALUE_TYPE != null;
    }

    /**
     * A propagator of the given scoped values, each re-bound around every task to what the forking thread
     * has bound.
     *
     * @param scopedValues instances of {@code java.lang.ScopedValue}, at least one, no duplicates
     * @return the propagator, to register with {@code TaskGroupFactory.Builder.contextPropagator}
     * @throws UnsupportedOperationException on a runtime before JDK 25
     * @throws NullPointerException if the array or one of its elements is null
     * @throws IllegalArgumentException if no value is given, one is given twice, or one is not a
     *         {@code java.lang.ScopedValue}
     */
    public static ScopedValuePropagator of(Object... scopedValues) {
        Objects.requireNonNull(scopedValues, "scopedValues");
        Class<?> type = SCOPED_VALUE_TYPE;
        if (type == null) {
            throw new UnsupportedOperationException("ScopedValue propagation needs JDK 25 or later (final"
                    + " scoped values); this runtime is Java " + Runtime.version());
        }
        if (scopedValues.length == 0) {
            throw new IllegalArgumentException("ScopedValuePropagator.of needs at least one ScopedValue");
        }
        Map<Object, Boolean> seen = new IdentityHashMap<>();
        for (int i = 0; i < scopedValues.length; i++) {
            Object value = scopedValues[i];
            if (value == null) {
                throw new NullPointerException("scopedValues[" + i + "] is null");
            }
            if (!type.isInstance(value)) {
                throw new IllegalArgumentException(
                        "scopedValues[" + i + "] is a " + value.getClass().getName() + ", not a java.lang.ScopedValue");
            }
            if (seen.put(value, Boolean.TRUE) != null) {
                throw new IllegalArgumentException("scopedValues[" + i + "] is given twice: " + value);
            }
        }
        return new ScopedValuePropagator(scopedValues.clone());
    }

    /** @return the scoped values this propagator carries, in the order given */
    public List<Object> scopedValues() {
        return List.of(scopedValues);
    }

    /**
     * Reads the forking thread's bindings of the scoped values and returns a runnable that runs {@code task}
     * with the same bindings; {@code task} itself when none of them is bound.
     */
    @Override
    public Runnable wrap(Runnable task) {
        Object carrier = null;
        try {
            for (Object scopedValue : scopedValues) {
                if ((boolean) IS_BOUND.invokeExact(scopedValue)) {
                    Object value = (Object) GET.invokeExact(scopedValue);
                    carrier = carrier == null
                            ? (Object) WHERE.invokeExact(scopedValue, value)
                            : (Object) CARRIER_WHERE.invokeExact(carrier, scopedValue, value);
                }
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("Could not read the scoped values " + scopedValues(), e);
        }
        if (carrier == null) {
            return task;
        }
        Object bindings = carrier;
        BiConsumer<Object, Runnable> run = RUN;
        return () -> run.accept(bindings, task);
    }

    @Override
    public String toString() {
        return "ScopedValuePropagator" + scopedValues();
    }
}
