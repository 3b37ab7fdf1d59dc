package io.github.taskgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/**
 * {@link ScopedValuePropagator}: the forking thread's bindings are the task's, on platform and virtual
 * threads, nested groups included; nothing stays on a pooled thread; bad input fails at {@code of}. The
 * tests are compiled for Java 17, so they reach {@code java.lang.ScopedValue} by reflection.
 */
class ScopedValuePropagatorTest {

    @Nested
    @EnabledForJreRange(max = JRE.JAVA_24)
    class BeforeJdk25 {

        @Test
        void isNotSupportedAndSaysWhy() {
            assertThat(ScopedValuePropagator.isSupported()).isFalse();
            assertThatThrownBy(() -> ScopedValuePropagator.of(new Object()))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("JDK 25 or later")
                    .hasMessageContaining(Runtime.version().toString());
        }
    }

    @Nested
    @EnabledForJreRange(min = JRE.JAVA_25)
    class OnJdk25 {

        final Object requestId = Scoped.newInstance();
        final Object tenant = Scoped.newInstance();

        @Test
        void isSupported() {
            assertThat(ScopedValuePropagator.isSupported()).isTrue();
        }

        @RepeatedTest(20)
        void tasksSeeTheForkingThreadsBindingsOnAPool() throws Exception {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try (TaskGroupFactory factory = factory(pool, requestId, tenant)) {
                List<String> seen = Scoped.where(
                        requestId,
                        "r-42",
                        () -> Scoped.where(tenant, "acme", () -> {
                            try (TaskGroup group = factory.open("scoped")) {
                                Task<String> a = group.fork(() -> Scoped.get(requestId) + "/" + Scoped.get(tenant));
                                Task<String> b =
                                        group.fork(() -> Thread.currentThread().getName());
                                group.join();
                                assertThat(b.get())
                                        .isNotEqualTo(Thread.currentThread().getName());
                                return List.of(a.get());
                            }
                        }));
                assertThat(seen).containsExactly("r-42/acme");
            } finally {
                shutdown(pool);
            }
        }

        @Test
        void tasksOnVirtualThreadsAndInNestedGroupsSeeThemToo() throws Exception {
            try (TaskGroupFactory factory = TaskGroupFactory.builder()
                    .executor(TaskGroupExecutors.virtualThreadStarter())
                    .contextPropagator(ScopedValuePropagator.of(requestId))
                    .build()) {
                String seen = Scoped.where(requestId, "outer", () -> {
                    try (TaskGroup group = factory.open("outer")) {
                        Task<String> nested = group.fork(() -> {
                            // a group opened by a task forks from the task's thread, which has the binding
                            try (TaskGroup inner = factory.open("inner")) {
                                Task<String> leaf = inner.fork(() -> (String) Scoped.get(requestId));
                                inner.join();
                                return leaf.get() + "@"
                                        + Thread.currentThread().toString().startsWith("VirtualThread");
                            }
                        });
                        group.join();
                        return nested.get();
                    }
                });
                assertThat(seen).isEqualTo("outer@true");
            }
        }

        @Test
        void aValueUnboundAtForkIsUnboundInTheTaskAndNothingStaysOnThePooledThread() throws Exception {
            ExecutorService single = Executors.newSingleThreadExecutor();
            try (TaskGroupFactory factory = factory(single, requestId, tenant)) {
                String bound = Scoped.where(requestId, "first", () -> {
                    try (TaskGroup group = factory.open("first")) {
                        Task<String> task = group.fork(() -> Scoped.get(requestId) + "," + Scoped.isBound(tenant));
                        group.join();
                        return task.get();
                    }
                });
                assertThat(bound).isEqualTo("first,false");
                // the same (only) pool thread, forked from a thread with no binding
                try (TaskGroup group = factory.open("second")) {
                    Task<Boolean> task = group.fork(() -> Scoped.isBound(requestId));
                    group.join();
                    assertThat(task.get()).isFalse();
                }
            } finally {
                shutdown(single);
            }
        }

        @Test
        void wrapReturnsTheTaskItselfWhenNothingIsBoundAndBindsANullValue() throws Exception {
            ScopedValuePropagator propagator = ScopedValuePropagator.of(requestId);
            Runnable task = () -> {};
            assertThat(propagator.wrap(task)).isSameAs(task);
            Boolean boundToNull = Scoped.where(requestId, null, () -> {
                Object[] seen = new Object[2];
                Runnable wrapped = propagator.wrap(() -> {
                    seen[0] = Scoped.isBound(requestId);
                    seen[1] = Scoped.get(requestId);
                });
                Thread thread = new Thread(wrapped);
                thread.start();
                thread.join();
                return seen[0] == Boolean.TRUE && seen[1] == null;
            });
            assertThat(boundToNull).isTrue();
        }

        @Test
        void badInputFailsAtOfWithASpecificMessage() {
            assertThatThrownBy(() -> ScopedValuePropagator.of())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("at least one ScopedValue");
            assertThatThrownBy(() -> ScopedValuePropagator.of(requestId, null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("scopedValues[1] is null");
            assertThatThrownBy(() -> ScopedValuePropagator.of((Object[]) null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("scopedValues");
            assertThatThrownBy(() -> ScopedValuePropagator.of(requestId, "REQUEST_ID"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("scopedValues[1] is a java.lang.String, not a java.lang.ScopedValue");
            assertThatThrownBy(() -> ScopedValuePropagator.of(requestId, tenant, requestId))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("scopedValues[2] is given twice");
            assertThat(ScopedValuePropagator.of(requestId, tenant).scopedValues())
                    .containsExactly(requestId, tenant);
        }

        TaskGroupFactory factory(ExecutorService executor, Object... scopedValues) {
            return TaskGroupFactory.builder()
                    .executor(executor)
                    .contextPropagator(ScopedValuePropagator.of(scopedValues))
                    .build();
        }
    }

    static void shutdown(ExecutorService executor) throws InterruptedException {
        executor.shutdown();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** {@code java.lang.ScopedValue} through method handles: the tests compile for Java 17. */
    static final class Scoped {

        private static final MethodHandle NEW_INSTANCE;
        private static final MethodHandle WHERE;
        private static final MethodHandle CALL;
        private static final MethodHandle GET;
        private static final MethodHandle IS_BOUND;

        static {
            if (Runtime.version().feature() >= 25) {
                try {
                    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                    Class<?> type = Class.forName("java.lang.ScopedValue");
                    Class<?> carrier = Class.forName("java.lang.ScopedValue$Carrier");
                    Class<?> op = Class.forName("java.lang.ScopedValue$CallableOp");
                    NEW_INSTANCE = lookup.findStatic(type, "newInstance", MethodType.methodType(type));
                    WHERE = lookup.findStatic(type, "where", MethodType.methodType(carrier, type, Object.class));
                    CALL = lookup.findVirtual(carrier, "call", MethodType.methodType(Object.class, op));
                    GET = lookup.findVirtual(type, "get", MethodType.methodType(Object.class));
                    IS_BOUND = lookup.findVirtual(type, "isBound", MethodType.methodType(boolean.class));
                } catch (ReflectiveOperationException e) {
                    throw new ExceptionInInitializerError(e);
                }
            } else {
                NEW_INSTANCE = WHERE = CALL = GET = IS_BOUND = null;
            }
        }

        static Object newInstance() {
            try {
                return NEW_INSTANCE.invoke();
            } catch (Throwable e) {
                throw new AssertionError(e);
            }
        }

        /** {@code ScopedValue.where(key, value).call(body)}. */
        @SuppressWarnings("unchecked")
        static <T> T where(Object key, Object value, Callable<T> body) throws Exception {
            Object op = java.lang.reflect.Proxy.newProxyInstance(
                    Scoped.class.getClassLoader(),
                    new Class<?>[] {CALL.type().parameterType(1)},
                    (proxy, method, args) -> method.getName().equals("call") ? body.call() : null);
            try {
                return (T) CALL.invoke(WHERE.invoke(key, value), op);
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new AssertionError(e);
            }
        }

        static Object get(Object key) {
            try {
                return GET.invoke(key);
            } catch (Throwable e) {
                throw new AssertionError(e);
            }
        }

        static boolean isBound(Object key) {
            try {
                return (boolean) IS_BOUND.invoke(key);
            } catch (Throwable e) {
                throw new AssertionError(e);
            }
        }
    }
}
