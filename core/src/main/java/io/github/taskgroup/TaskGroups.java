package io.github.taskgroup;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * One-line helpers for the common shapes of concurrent work: every result ({@code all}), the first success
 * ({@code race}), a collection mapped with a concurrency limit ({@code map}), and two or three typed results
 * combined ({@code all} with a combiner).
 *
 * <pre>{@code
 * Page page = TaskGroups.all(factory, "page", () -> prices.fetch(id), () -> stocks.fetch(id), Page::new);
 * List<User> users = TaskGroups.map(factory, "users", ids, 8, users::fetch);
 * Quote quote = TaskGroups.race(factory, "quote", List.of(() -> east.quote(), () -> west.quote()));
 * }</pre>
 *
 * <p>Each call is {@link TaskGroupFactory#run(String, TaskGroupOptions, TaskGroupBody)} with one task per
 * callable: it opens a group named {@code name} on the calling thread, forks, waits for every task and
 * closes the group before it returns or throws, so that nothing outlives the call. The group is a group like
 * any other:
 *
 * <ul>
 *   <li><b>Nesting.</b> Called inside a task, or by the owner of an open group, it opens a child of that
 *       group: it is cancelled with it and never outlives its deadline.</li>
 *   <li><b>Options.</b> The helper sets the policy (and, for {@code map}, the concurrency limit); the
 *       timeout and the executor come, as for {@code factory.open(name)}, from the options registered for
 *       {@code name} and the factory's defaults. For a deadline of one call, run it inside a group that has
 *       one: the nested group inherits it.</li>
 * </ul>
 *
 * <p>Failures, cancellation and interruption are those of {@code run}, and every method says which:
 *
 * <ul>
 *   <li>Task failures are reported in a {@link TaskGroupException} (unchecked), never wrapped otherwise; a
 *       checked exception of a task stays inside it. {@link TaskGroupException#rethrowIfSingle(Class)} turns
 *       the report back into the task's own exception when it is the only one.</li>
 *   <li>An expired deadline (the group's or an enclosing group's) throws {@link TaskGroupTimeoutException}.
 *   </li>
 *   <li>If the calling thread is interrupted while it waits, the group is cancelled (reason
 *       {@link CancellationReason#PARENT}), every task is awaited, and {@link InterruptedException} is
 *       thrown (a {@link TaskGroupException}, with the interrupt status set, if a task failed genuinely).</li>
 *   <li>If the group is cancelled from outside (an enclosing group, shutdown, an aborted request) before
 *       the result is complete, {@link CancellationException} is thrown, unless a task failed genuinely.</li>
 * </ul>
 *
 * <p>The helpers use only the public {@link TaskGroupFactory} methods, so they work with any factory.
 * Arguments are checked before any group opens: a {@code null} argument throws
 * {@link NullPointerException} naming it.
 */
public final class TaskGroups {

    private static final TaskGroupOptions FAIL_FAST =
            TaskGroupOptions.builder().policy(TaskGroupPolicy.FAIL_FAST).build();
    private static final TaskGroupOptions FIRST_SUCCESS =
            TaskGroupOptions.builder().policy(TaskGroupPolicy.FIRST_SUCCESS).build();

    private TaskGroups() {}

    /**
     * A function that maps one item and may throw, for {@link #map}.
     *
     * @param <E> the type of the items
     * @param <R> the type of the results
     */
    @FunctionalInterface
    public interface Mapper<E extends @Nullable Object, R extends @Nullable Object> {

        /**
         * @param item the item
         * @return its result
         * @throws Exception any failure; it fails the task that maps {@code item}
         */
        R apply(E item) throws Exception;
    }

    /**
     * Combines three results, for {@link #all(TaskGroupFactory, String, Callable, Callable, Callable,
     * Function3)}.
     *
     * @param <A> the type of the first result
     * @param <B> the type of the second result
     * @param <C> the type of the third result
     * @param <R> the type of the combination
     */
    @FunctionalInterface
    public interface Function3<
            A extends @Nullable Object,
            B extends @Nullable Object,
            C extends @Nullable Object,
            R extends @Nullable Object> {

        /**
         * @param a the first result
         * @param b the second result
         * @param c the third result
         * @return their combination
         */
        R apply(A a, B b, C c);
    }

    /**
     * Runs every task concurrently and returns their results in the order of {@code tasks}, fail-fast: the
     * first genuine failure cancels the other tasks (running ones are interrupted, the others never
     * start).
     *
     * @param factory opens the group
     * @param name the group's name; also selects the options registered for it
     * @param tasks the tasks, forked in iteration order; an empty collection returns an empty list at once,
     *        without opening a group
     * @param <T> the type of the results
     * @return the results, in the order of {@code tasks}, unmodifiable (it holds {@code null} where a task
     *         returned {@code null})
     * @throws InterruptedException if the calling thread was interrupted while waiting (the tasks were
     *         cancelled and awaited) and no task failed genuinely
     * @throws TaskGroupException with every genuine failure; a {@link TaskGroupTimeoutException} if the
     *         deadline of the group, or of an enclosing group, expired
     * @throws CancellationException if the group was cancelled from outside before every task succeeded,
     *         and no task failed genuinely
     * @throws NullPointerException if an argument, or an element of {@code tasks}, is {@code null}
     * @throws IllegalStateException if the factory is shut down and the call is not nested in a live group
     */
    public static <T extends @Nullable Object> List<T> all(
            TaskGroupFactory factory, String name, Collection<? extends Callable<? extends T>> tasks)
            throws InterruptedException {
        checkFactoryAndName(factory, name);
        List<Callable<? extends T>> callables = checkedTasks(tasks);
        if (callables.isEmpty()) {
            return List.of();
        }
        return forkAll(factory, name, FAIL_FAST, callables);
    }

    /**
     * Runs two tasks concurrently, fail-fast, and combines their results: {@link #all(TaskGroupFactory,
     * String, Collection)} for two tasks of different types.
     *
     * @param factory opens the group
     * @param name the group's name
     * @param a the first task
     * @param b the second task
     * @param combiner combines the two results; it runs on the calling thread once both tasks succeeded
     *        and the group is closed, and what it throws propagates as it is
     * @param <A> the type of the first result
     * @param <B> the type of the second result
     * @param <R> the type of the combination
     * @return what {@code combiner} returned
     * @throws InterruptedException as {@link #all(TaskGroupFactory, String, Collection)}
     * @throws TaskGroupException as {@link #all(TaskGroupFactory, String, Collection)}
     * @throws CancellationException as {@link #all(TaskGroupFactory, String, Collection)}
     * @throws NullPointerException if an argument is {@code null}
     */
    @SuppressWarnings("unchecked")
    public static <A extends @Nullable Object, B extends @Nullable Object, R extends @Nullable Object> R all(
            TaskGroupFactory factory,
            String name,
            Callable<? extends A> a,
            Callable<? extends B> b,
            BiFunction<? super A, ? super B, ? extends R> combiner)
            throws InterruptedException {
        checkFactoryAndName(factory, name);
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        Objects.requireNonNull(combiner, "combiner");
        List<Object> results = forkAll(factory, name, FAIL_FAST, List.<Callable<?>>of(a, b));
        return combiner.apply((A) results.get(0), (B) results.get(1));
    }

    /**
     * Runs three tasks concurrently, fail-fast, and combines their results: {@link #all(TaskGroupFactory,
     * String, Collection)} for three tasks of different types.
     *
     * @param factory opens the group
     * @param name the group's name
     * @param a the first task
     * @param b the second task
     * @param c the third task
     * @param combiner combines the three results; it runs on the calling thread once every task succeeded
     *        and the group is closed, and what it throws propagates as it is
     * @param <A> the type of the first result
     * @param <B> the type of the second result
     * @param <C> the type of the third result
     * @param <R> the type of the combination
     * @return what {@code combiner} returned
     * @throws InterruptedException as {@link #all(TaskGroupFactory, String, Collection)}
     * @throws TaskGroupException as {@link #all(TaskGroupFactory, String, Collection)}
     * @throws CancellationException as {@link #all(TaskGroupFactory, String, Collection)}
     * @throws NullPointerException if an argument is {@code null}
     */
    @SuppressWarnings("unchecked")
    public static <
                    A extends @Nullable Object,
                    B extends @Nullable Object,
                    C extends @Nullable Object,
                    R extends @Nullable Object>
            R all(
                    TaskGroupFactory factory,
                    String name,
                    Callable<? extends A> a,
                    Callable<? extends B> b,
                    Callable<? extends C> c,
                    Function3<? super A, ? super B, ? super C, ? extends R> combiner)
                    throws InterruptedException {
        checkFactoryAndName(factory, name);
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        Objects.requireNonNull(c, "c");
        Objects.requireNonNull(combiner, "combiner");
        List<Object> results = forkAll(factory, name, FAIL_FAST, List.<Callable<?>>of(a, b, c));
        return combiner.apply((A) results.get(0), (B) results.get(1), (C) results.get(2));
    }

    /**
     * Maps every item concurrently, at most {@code maxConcurrency} at a time, and returns the results in
     * the order of {@code items}, fail-fast: the first genuine failure cancels the other tasks (running
     * ones are interrupted, waiting ones never start).
     *
     * <p>Every item is forked at once, as a task that waits without a thread until a permit is free
     * (permits are granted in the order of {@code items}).
     *
     * @param factory opens the group
     * @param name the group's name; also selects the options registered for it, except the concurrency
     *        limit, which is {@code maxConcurrency}
     * @param items the items, iterated once; an empty collection returns an empty list at once, without
     *        opening a group. Elements are passed to {@code mapper} as they are, {@code null} included.
     * @param maxConcurrency how many items are mapped at once, at most
     * @param mapper maps one item, in a task of the group
     * @param <E> the type of the items
     * @param <R> the type of the results
     * @return the results, in the order of {@code items}, unmodifiable (it holds {@code null} where
     *         {@code mapper} returned {@code null})
     * @throws InterruptedException as {@link #all(TaskGroupFactory, String, Collection)}
     * @throws TaskGroupException as {@link #all(TaskGroupFactory, String, Collection)}
     * @throws CancellationException as {@link #all(TaskGroupFactory, String, Collection)}
     * @throws NullPointerException if {@code factory}, {@code name}, {@code items} or {@code mapper} is
     *         {@code null}
     * @throws IllegalArgumentException if {@code maxConcurrency} is less than 1
     */
    public static <E extends @Nullable Object, R extends @Nullable Object> List<R> map(
            TaskGroupFactory factory,
            String name,
            Collection<? extends E> items,
            int maxConcurrency,
            Mapper<? super E, ? extends R> mapper)
            throws InterruptedException {
        checkFactoryAndName(factory, name);
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(mapper, "mapper");
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("maxConcurrency must be at least 1, but was " + maxConcurrency);
        }
        List<Callable<? extends R>> callables = new ArrayList<>(items.size());
        for (E item : items) {
            callables.add(() -> mapper.apply(item));
        }
        if (callables.isEmpty()) {
            return List.of();
        }
        TaskGroupOptions options = TaskGroupOptions.builder()
                .policy(TaskGroupPolicy.FAIL_FAST)
                .maxConcurrency(maxConcurrency)
                .build();
        return forkAll(factory, name, options, callables);
    }

    /**
     * Runs every task concurrently and returns the result of the first one that returns a value; that
     * success cancels the others (reason {@link CancellationReason#FIRST_SUCCESS}), which are awaited
     * before {@code race} returns. A task that fails does not end the race: the failures of the losers are
     * not reported.
     *
     * @param factory opens the group
     * @param name the group's name; also selects the options registered for it
     * @param tasks the competitors, forked in iteration order
     * @param <T> the type of the result
     * @return the result of the first task that returned one (possibly {@code null})
     * @throws InterruptedException if the calling thread was interrupted while waiting (the tasks were
     *         cancelled and awaited); if a task had failed and none had won, {@link TaskGroupException}
     *         instead, with the interrupt status set
     * @throws TaskGroupException if every task failed, with every failure; a
     *         {@link TaskGroupTimeoutException} if the deadline of the group, or of an enclosing group,
     *         expired before a task succeeded
     * @throws CancellationException if the group was cancelled from outside before a task succeeded
     * @throws NullPointerException if an argument, or an element of {@code tasks}, is {@code null}
     * @throws IllegalArgumentException if {@code tasks} is empty: nobody could win
     */
    public static <T extends @Nullable Object> T race(
            TaskGroupFactory factory, String name, Collection<? extends Callable<? extends T>> tasks)
            throws InterruptedException {
        checkFactoryAndName(factory, name);
        List<Callable<? extends T>> callables = checkedTasks(tasks);
        if (callables.isEmpty()) {
            throw new IllegalArgumentException("tasks is empty: a race needs at least one task");
        }
        AtomicReference<Winner<T>> winner = new AtomicReference<>();
        return factory.run(name, FIRST_SUCCESS, group -> {
            for (Callable<? extends T> callable : callables) {
                group.fork(() -> {
                    T value = callable.call();
                    winner.compareAndSet(null, new Winner<>(value));
                    return value;
                });
            }
            group.join();
            Winner<T> first = winner.get();
            if (first == null) { // join returned normally: the group was cancelled quietly from outside
                throw new CancellationException("Task group '" + name + "' was cancelled before a task succeeded");
            }
            return first.value;
        });
    }

    // ---------------------------------------------------------------- internals

    /** The first value returned in a race, boxed so that a {@code null} result can win. */
    private static final class Winner<T extends @Nullable Object> {
        final T value;

        Winner(T value) {
            this.value = value;
        }
    }

    private static void checkFactoryAndName(TaskGroupFactory factory, String name) {
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(name, "name");
    }

    private static <T extends @Nullable Object> List<Callable<? extends T>> checkedTasks(
            Collection<? extends Callable<? extends T>> tasks) {
        Objects.requireNonNull(tasks, "tasks");
        List<Callable<? extends T>> callables = new ArrayList<>(tasks.size());
        for (Callable<? extends T> task : tasks) {
            if (task == null) {
                throw new NullPointerException("tasks[" + callables.size() + "] is null");
            }
            callables.add(task);
        }
        return callables;
    }

    /**
     * Forks every callable into a new group, joins, and returns the results in order. A task that did not
     * succeed though join() returned normally was cancelled quietly from outside: its get() throws
     * CancellationException, an echo that run() lets through as it is.
     */
    private static <T extends @Nullable Object> List<T> forkAll(
            TaskGroupFactory factory,
            String name,
            TaskGroupOptions options,
            List<? extends Callable<? extends T>> tasks)
            throws InterruptedException {
        return factory.run(name, options, group -> {
            List<Task<? extends T>> forked = new ArrayList<>(tasks.size());
            for (Callable<? extends T> callable : tasks) {
                forked.add(group.fork(callable));
            }
            group.join();
            List<T> results = new ArrayList<>(forked.size());
            for (Task<? extends T> task : forked) {
                results.add(task.get());
            }
            return Collections.unmodifiableList(results);
        });
    }
}
