package io.github.taskgroup;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Opens {@link TaskGroup}s. One factory is shared by an application: it holds the executor, the group
 * defaults, the listeners and context propagators, and it knows every live group it opened.
 *
 * <pre>{@code
 * TaskGroupFactory factory = TaskGroupFactory.builder().build();   // virtual threads on JDK 21+
 * int total = factory.run("totals", group -> {
 *     Task<Integer> a = group.fork(() -> count("a"));
 *     Task<Integer> b = group.fork(() -> count("b"));
 *     group.join();
 *     return a.get() + b.get();
 * });
 * }</pre>
 */
public interface TaskGroupFactory extends AutoCloseable {

    /** @return a builder; with nothing set it builds a factory over {@link TaskGroupExecutors#defaultExecutor()} */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Opens a group owned by the calling thread, with the options registered for its name and the defaults.
     *
     * @param name the group's name (for metrics, logs and snapshots); also selects named options
     * @return the open group; close it, best with try-with-resources
     * @throws IllegalStateException if the factory is shut down and the group would not be nested in a live
     *         group (nested groups may still open while live groups drain)
     */
    default TaskGroup open(String name) {
        return open(name, TaskGroupOptions.defaults());
    }

    /**
     * Opens a group with explicit options, which win over named options and defaults. If the calling
     * thread runs a task of a live group, or owns a live group, the new group is its child.
     *
     * @param name the group's name
     * @param options the options
     * @return the open group
     * @throws IllegalStateException if the factory is shut down (see {@link #open(String)})
     */
    TaskGroup open(String name, TaskGroupOptions options);

    /**
     * Opens a group that has no parent and does not become the calling thread's
     * {@linkplain CurrentTaskGroup current group}, whatever the thread runs: for infrastructure that manages
     * the group's lifetime itself, across threads (a request-scoped group). Bind it with
     * {@link CurrentTaskGroup#bind(TaskGroup)} where the groups that code opens should become its children.
     *
     * @param name the group's name
     * @param options the options, which win over named options and defaults
     * @return the open group
     * @throws IllegalStateException if the factory is shut down
     */
    TaskGroup openRoot(String name, TaskGroupOptions options);

    /**
     * Runs {@code body} on the calling thread inside a new group, then waits for every task.
     *
     * @see #run(String, TaskGroupOptions, TaskGroupBody)
     * @param name the group's name
     * @param body the body
     * @param <R> the type of the result
     * @return what the body returned
     * @throws InterruptedException if the caller was interrupted and nothing failed genuinely
     * @throws TaskGroupException listing every genuine failure, the body's own included
     */
    default <R extends @Nullable Object> R run(String name, TaskGroupBody<R> body) throws InterruptedException {
        return run(name, TaskGroupOptions.defaults(), body);
    }

    /**
     * Runs {@code body} on the calling thread inside a new group, then waits for every task and closes the
     * group. If the body throws, its tasks are cancelled (reason {@link CancellationReason#SIBLING_FAILURE})
     * and awaited, and the body's exception is reported with the tasks' failures.
     *
     * @param name the group's name
     * @param options the group's options
     * @param body the body
     * @param <R> the type of the result
     * @return what the body returned, once every task finished
     * @throws InterruptedException if the caller was interrupted and nothing failed genuinely
     * @throws TaskGroupException listing every genuine failure, the body's own included; a
     *         {@link TaskGroupTimeoutException} when the deadline expired
     * @throws java.util.concurrent.CancellationException if the group was cancelled from outside (shutdown,
     *         aborted request, enclosing group) and nothing failed genuinely
     */
    <R extends @Nullable Object> R run(String name, TaskGroupOptions options, TaskGroupBody<R> body)
            throws InterruptedException;

    /** @return snapshots of the live groups that are not nested in another live group, each with its subtree */
    default List<TaskGroupSnapshot> liveGroups() {
        return liveGroups(false);
    }

    /**
     * @param withStackTraces whether to capture the stack of every running task's thread (costly)
     * @return snapshots of the live root groups, each with its subtree of tasks and nested groups
     */
    List<TaskGroupSnapshot> liveGroups(boolean withStackTraces);

    /**
     * @return the factory's name ({@link Builder#name(String)}, default {@code "default"}): it names the
     *         factory in dumps and in its JMX MBean
     */
    default String name() {
        return "default";
    }

    /**
     * Writes the live tree of groups and tasks: every live group (nested groups after their parent), its
     * policy, state, cancellation reason, age and deadline, its owner thread, and its live tasks with their
     * state, age and thread; with {@code stacks}, the stack of every owner thread and task thread. The
     * {@linkplain DumpFormat#JSON JSON} shape follows the JDK's {@code jcmd <pid> Thread.dump_to_file
     * -format=json} (a {@code threadDump} with {@code threadContainers}, one per group), so tools that read
     * one read the other; it is documented field by field in {@code docs/diagnostics.md} ("A live dump").
     *
     * <p>The tree is a snapshot taken while groups keep running: a task may finish or a group close while it
     * is taken, so it is consistent per group, not across groups. It neither blocks nor cancels anything;
     * capturing stacks briefly pauses each thread captured (as {@link Thread#getStackTrace()} does).
     *
     * @param out where to write; not closed or flushed
     * @param format JSON or text
     * @param stacks whether to include the stacks of owner and task threads (costly with many threads)
     * @throws IOException what {@code out} threw; what was written before stays written
     */
    default void dump(Appendable out, DumpFormat format, boolean stacks) throws IOException {
        // Other implementations (test doubles): from the snapshots alone, without thread ids and states.
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(format, "format");
        TaskGroupDump.of(name(), liveGroups(stacks)).write(out, format);
    }

    /**
     * The {@linkplain #dump(Appendable, DumpFormat, boolean) dump} as a string.
     *
     * @param format JSON or text
     * @param stacks whether to include the stacks of owner and task threads
     * @return the dump
     */
    default String dump(DumpFormat format, boolean stacks) {
        StringBuilder out = new StringBuilder();
        try {
            dump(out, format, stacks);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // a StringBuilder throws none
        }
        return out.toString();
    }

    /** The formats of {@link #dump(Appendable, DumpFormat, boolean)}. */
    enum DumpFormat {
        /** JSON shaped like the JDK's {@code Thread.dump_to_file -format=json}; see {@code docs/diagnostics.md}. */
        JSON,
        /** Indented text for people, one line per group and task, stacks under them like a thread dump. */
        TEXT
    }

    /**
     * @param id a group id
     * @return the live group with that id, nested or not
     */
    Optional<TaskGroup> find(long id);

    /**
     * Stops opening new root groups; live groups go on and may still open nested groups. Idempotent.
     */
    void shutdown();

    /** @return whether {@link #shutdown()} was called */
    boolean isShutdown();

    /**
     * Waits until every live group is closed.
     *
     * @param timeout how long to wait at most
     * @return {@code true} if no group is live
     * @throws InterruptedException if interrupted while waiting
     */
    boolean awaitTermination(Duration timeout) throws InterruptedException;

    /**
     * Cancels every live root group (and so their subtrees) for the given reason.
     *
     * @param reason why, typically {@link CancellationReason#SHUTDOWN}
     * @return how many groups this call cancelled
     */
    int cancelAll(CancellationReason reason);

    /**
     * Shuts the factory down: {@link #shutdown()}, {@link #cancelAll cancelAll(SHUTDOWN)}, then releases the
     * factory's own resources (its deadline timer, and the default executor if it created one). It does not
     * wait for tasks that ignore their interrupt; use {@link #awaitTermination} before for that.
     */
    @Override
    void close();

    /** Builds a {@link TaskGroupFactory}. */
    final class Builder {

        @Nullable
        Executor executor; // null: the default executor, owned by the factory

        TaskGroupOptions defaults = TaskGroupOptions.defaults();
        final Map<String, TaskGroupOptions> namedOptions = new LinkedHashMap<>();
        final Map<String, int[]> limits = new LinkedHashMap<>(); // name -> {maxConcurrency, maxQueued}
        final List<TaskGroupListener> listeners = new ArrayList<>();
        final List<ContextPropagator> propagators = new ArrayList<>();
        boolean renameThreads = true;
        boolean jfrEvents = true;
        String name = "default";
        boolean jmx;
        boolean jmxCancel;
        Duration stragglerThreshold = DEFAULT_STRAGGLER_THRESHOLD;

        /** The default of {@link #stragglerThreshold(Duration)}: one second. */
        public static final Duration DEFAULT_STRAGGLER_THRESHOLD = Duration.ofSeconds(1);

        Builder() {}

        /**
         * @param name the factory's name (default {@code "default"}), shown in dumps and used in the name of its
         *        JMX MBean, {@code io.github.taskgroup:type=TaskGroups,name=<name>} (quoted when it holds
         *        characters an {@code ObjectName} value cannot hold as is)
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is blank
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("TaskGroupFactory name must not be blank");
            }
            this.name = name;
            return this;
        }

        /**
         * @param jmx whether {@link #build()} registers an MBean named
         *        {@code io.github.taskgroup:type=TaskGroups,name=<factory name>} in the platform MBean server
         *        (default {@code false}), and {@link TaskGroupFactory#close()} unregisters it. It shows the
         *        summary (attributes {@code Name}, {@code Groups}, {@code RunningTasks}, {@code QueuedTasks})
         *        and the dump (operations {@code dumpJson(boolean stacks)} and {@code dumpText(boolean
         *        stacks)}) in {@code jconsole} or any JMX client. See {@code docs/diagnostics.md}.
         * @return this builder
         */
        public Builder jmx(boolean jmx) {
            this.jmx = jmx;
            return this;
        }

        /**
         * @param jmxCancel whether the MBean also has the operation {@code cancel(long groupId)}, which cancels
         *        a live group with reason {@link CancellationReason#EXPLICIT} (default {@code false}: without
         *        it, a JMX client can look but not act). Needs {@link #jmx(boolean) jmx(true)}.
         * @return this builder
         */
        public Builder jmxCancel(boolean jmxCancel) {
            this.jmxCancel = jmxCancel;
            return this;
        }

        /**
         * @param executor runs the tasks; the factory does not shut it down. Default: a
         *        {@linkplain TaskGroupExecutors#defaultExecutor() virtual thread per task} on JDK 21+,
         *        otherwise a cached pool of daemon threads, owned and shut down by the factory.
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * @param defaults options for every group, where neither {@code open} nor the named options set them
         * @return this builder
         */
        public Builder defaults(TaskGroupOptions defaults) {
            this.defaults = Objects.requireNonNull(defaults, "defaults");
            return this;
        }

        /**
         * Registers options that apply whenever a group with this name is opened.
         *
         * @param name the group name
         * @param options its options
         * @return this builder
         */
        public Builder group(String name, TaskGroupOptions options) {
            namedOptions.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(options, "options"));
            return this;
        }

        /**
         * Registers a limit shared by every group that uses it ({@link TaskGroupOptions.Builder#limit(String)}):
         * at most {@code maxConcurrency} of their tasks run at once, across groups, and at most
         * {@code maxQueued} more wait for a permit, in the order they asked for one; a fork beyond that is
         * refused ({@link TaskRejectedException}, reason {@code limit-full}). A task of a group that also has a
         * {@code maxConcurrency} asks this limit once it holds its group's permit (then it always gets a place
         * in the queue: its fork was admitted by its group's queue). Registering a name again replaces it.
         *
         * @param name the limit's name (also shown in rejection messages)
         * @param maxConcurrency how many tasks may hold a permit at once (at least 1)
         * @param maxQueued how many tasks may wait for one (at least 0; {@link Integer#MAX_VALUE}: unbounded)
         * @return this builder
         * @throws IllegalArgumentException if the name is blank or a bound is out of range
         */
        public Builder limit(String name, int maxConcurrency, int maxQueued) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("limit name must not be blank");
            }
            if (maxConcurrency < 1) {
                throw new IllegalArgumentException(
                        "maxConcurrency of limit '" + name + "' must be at least 1, but was " + maxConcurrency);
            }
            if (maxQueued < 0) {
                throw new IllegalArgumentException(
                        "maxQueued of limit '" + name + "' must be at least 0, but was " + maxQueued);
            }
            limits.put(name, new int[] {maxConcurrency, maxQueued});
            return this;
        }

        /**
         * Registers a shared limit with an unbounded queue. See {@link #limit(String, int, int)}.
         *
         * @param name the limit's name
         * @param maxConcurrency how many tasks may hold a permit at once (at least 1)
         * @return this builder
         */
        public Builder limit(String name, int maxConcurrency) {
            return limit(name, maxConcurrency, Integer.MAX_VALUE);
        }

        /**
         * @param listener receives group and task events; opening and starting events reach listeners in the
         *        order they were added, closing and finishing events in the reverse order (like nested scopes)
         * @return this builder
         */
        public Builder listener(TaskGroupListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * @param propagator carries context from forking thread to task thread; the first added is the
         *        outermost
         * @return this builder
         */
        public Builder contextPropagator(ContextPropagator propagator) {
            propagators.add(Objects.requireNonNull(propagator, "propagator"));
            return this;
        }

        /**
         * @param renameThreads whether a task's thread carries its group's name while it runs the task
         *        (default {@code true}), so that thread dumps, logs and JFR show whom it works for: {@code
         *        <group>/<task>} for a task forked with a name, the group's name alone for an unnamed one
         * @return this builder
         */
        public Builder renameThreads(boolean renameThreads) {
            this.renameThreads = renameThreads;
            return this;
        }

        /**
         * @param jfrEvents whether the factory emits the JFR events {@code io.github.taskgroup.GroupClosed} and
         *        {@code io.github.taskgroup.TaskFinished} (default {@code true}); they cost next to nothing
         *        while no recording enables them, and are absent on a runtime without the {@code jdk.jfr}
         *        module. See {@code docs/diagnostics.md}.
         * @return this builder
         */
        public Builder jfrEvents(boolean jfrEvents) {
            this.jfrEvents = jfrEvents;
            return this;
        }

        /**
         * How long a task may keep running after it was cancelled before it is reported as a straggler (a task
         * that ignores its interrupt). Each such task is reported once, while the application runs: a warning
         * logged by {@code io.github.taskgroup.StragglerWatch} with the group path, the task, the cancellation
         * reason, how long ago it was cancelled and its thread's stack; the listeners'
         * {@link TaskGroupListener#taskStraggling} (the Micrometer meters, the JFR event
         * {@code io.github.taskgroup.TaskStraggler}); and {@link TaskSnapshot#straggler()} in
         * {@link TaskGroupFactory#liveGroups()}. A report comes between one and two thresholds after the
         * cancellation: one timer tick checks all cancelled tasks at once. Nothing is scheduled while no running
         * task is cancelled. See {@code docs/diagnostics.md}.
         *
         * @param threshold a positive duration (default {@link #DEFAULT_STRAGGLER_THRESHOLD}, one second)
         * @return this builder
         * @throws NullPointerException if {@code threshold} is null
         * @throws IllegalArgumentException if it is zero or negative
         */
        public Builder stragglerThreshold(Duration threshold) {
            Objects.requireNonNull(threshold, "threshold");
            if (threshold.isZero() || threshold.isNegative()) {
                throw new IllegalArgumentException("The straggler threshold must be positive, got " + threshold);
            }
            this.stragglerThreshold = threshold;
            return this;
        }

        /**
         * @return the factory
         * @throws IllegalStateException if {@link #jmxCancel(boolean) jmxCancel} is set without
         *         {@link #jmx(boolean) jmx}; with {@code jmx}, if the runtime has no {@code java.management}
         *         module or another MBean already has this factory's name (give each factory its own
         *         {@linkplain #name(String) name})
         */
        public TaskGroupFactory build() {
            if (jmxCancel && !jmx) {
                throw new IllegalStateException(
                        "TaskGroupFactory.Builder.jmxCancel(true) needs jmx(true): the cancel operation belongs to"
                                + " the factory's MBean");
            }
            return new DefaultTaskGroupFactory(this);
        }
    }
}
