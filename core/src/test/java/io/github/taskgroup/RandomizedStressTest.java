package io.github.taskgroup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/**
 * Randomized stress test of the engine: {@value #DEFAULT_TREES} random trees of groups per executor kind.
 *
 * <p>Each tree is built from a {@link Random} seeded with {@code BASE_SEED + i}: up to 3 levels of groups
 * (nested groups are opened inside tasks, with {@code open/join/close} or with {@code run}), at most
 * {@value #MAX_TASKS} tasks per tree, random policies, {@code maxConcurrency}, timeouts, executors that
 * reject some tasks, tasks that succeed, fail, block until cancelled (then end quietly, return, or fail
 * anyway), fork siblings, wait for siblings with {@code get()}, cancel siblings or their whole group, and a
 * task that interrupts the root owner. Blocking tasks only appear where a cancellation is guaranteed (a
 * timeout, an owner that cancels the group or that task, or such an ancestor), so every tree terminates
 * whatever the timing; the assertions are invariants that hold for every interleaving:
 * <ul>
 *   <li>{@code join()} (and {@code run()}) never returns while a task of the group still runs its code
 *       (counters maintained inside the task code), and every task handle is then done;</li>
 *   <li>at most {@code maxConcurrency} tasks of a group run at once, and with {@code maxConcurrency(1)}
 *       they start in fork order;</li>
 *   <li>every genuine failure a task (or a body) threw, or a rejection the executor made, is reported to
 *       the root owner exactly once, walking {@link TaskGroupException#failures()} through nested
 *       exceptions, and nothing else is reported (except the own-timeout {@link TaskGroupTimeoutException}
 *       of a nested group, which is a genuine failure of the task that ran it); the failures of the losers
 *       of a won first-success race are the only ones dropped;</li>
 *   <li>the root owner gets the right kind of outcome for the root's cancellation reason, and is never
 *       interrupted unless a task interrupted it;</li>
 *   <li>every task ends in a state consistent with what its code did, and {@code get()} agrees;</li>
 *   <li>a task never starts with a stray interrupt (an interrupt leaking from a previous task of a pooled
 *       thread);</li>
 *   <li>listener events balance: {@code forked = succeeded + failed + cancelled}, {@code started <= forked},
 *       one forked and one finished event per task, in that order, and opened = closed groups;</li>
 *   <li>no task thread is alive after the executor is shut down.</li>
 * </ul>
 * A tree that does not finish within {@value #HANG_SECONDS} s fails the test with a thread dump. Run one
 * seed with {@code -Dtaskgroup.stress.seed=<seed>}, or fewer trees with {@code -Dtaskgroup.stress.trees=N}.
 */
class RandomizedStressTest {

    static final long BASE_SEED = 0x7A5C_6E0B_0000L;
    static final int DEFAULT_TREES = 1000;
    static final int TREES = Integer.getInteger("taskgroup.stress.trees", DEFAULT_TREES);
    static final Long ONLY_SEED = Long.getLong("taskgroup.stress.seed");
    static final int MAX_TASKS = 50;
    static final int MAX_DEPTH = 3;
    static final long HANG_SECONDS = 30;
    static final int MAX_REPORTED_SEEDS = 5;
    /** Whether to check the order of each task's listener events (forked, started, finished), not only counts. */
    static final boolean CHECK_EVENT_ORDER =
            Boolean.parseBoolean(System.getProperty("taskgroup.stress.eventOrder", "true"));

    @Test
    void platformThreadPool() throws Exception {
        runTrees(ExecutorKind.PLATFORM, Features.BASIC);
    }

    /** As above, with every kind of tree (see {@link Features}). */
    @Test
    void platformThreadPoolAllFeatures() throws Exception {
        runTrees(ExecutorKind.PLATFORM, Features.ALL);
    }

    @Nested
    @EnabledForJreRange(min = JRE.JAVA_21)
    class VirtualThreads {

        @Test
        void virtualThreads() throws Exception {
            runTrees(ExecutorKind.VIRTUAL, Features.BASIC);
        }

        @Test
        void virtualThreadsAllFeatures() throws Exception {
            runTrees(ExecutorKind.VIRTUAL, Features.ALL);
        }
    }

    // ================================================================= driver

    enum ExecutorKind {
        PLATFORM,
        VIRTUAL
    }

    /**
     * What the trees may contain beyond the basics.
     *
     * @param bodyJoins whether some run() bodies call join() themselves and let its report propagate
     * @param ownerNestedInTasks whether run() bodies inside tasks may run a nested group on the owner thread
     *        (run() bodies of the root may always do so)
     */
    record Features(boolean bodyJoins, boolean ownerNestedInTasks) {
        static final Features BASIC = new Features(false, false);
        static final Features ALL = new Features(true, true);
    }

    private static void runTrees(ExecutorKind kind, Features features) throws Exception {
        long started = System.nanoTime();
        List<String> failures = new ArrayList<>();
        int failedTrees = 0;
        int trees = 0;
        long[] seeds = ONLY_SEED != null ? new long[] {ONLY_SEED} : null;
        int count = seeds != null ? 1 : TREES;
        for (int i = 0; i < count; i++) {
            long seed = seeds != null ? seeds[0] : BASE_SEED + i;
            TreeRun run = new TreeRun(seed, kind, features);
            List<String> violations = run.execute();
            trees++;
            if (!violations.isEmpty()) {
                failedTrees++;
                String report = "seed=" + seed + " (" + kind + ", re-run with -Dtaskgroup.stress.seed=" + seed
                        + "):\n  " + String.join("\n  ", violations) + "\n  tree: " + run.root.describe();
                System.err.println("RandomizedStressTest FAILED " + report);
                if (failures.size() < MAX_REPORTED_SEEDS) {
                    failures.add(report);
                }
                if (run.hung) {
                    break; // threads are stuck: the next trees would not tell us anything reliable
                }
            }
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        System.out.println("RandomizedStressTest " + kind + ": " + trees + " trees in " + millis + " ms, " + failedTrees
                + " failed");
        assertThat(failures)
                .as(
                        "%d of %d trees violated invariants (%s); first ones:\n%s",
                        failedTrees, trees, kind, String.join("\n", failures))
                .isEmpty();
    }

    // ================================================================= the random tree

    enum Kind {
        SUCCEED,
        FAIL,
        BLOCK,
        BLOCK_THEN_RETURN,
        BLOCK_THEN_FAIL,
        NESTED,
        SPAWN,
        GET_SIBLING,
        CANCEL_SIBLING,
        CANCEL_GROUP,
        INTERRUPT_OWNER
    }

    /** A context that the propagator carries from the forking thread to the task. */
    static final ThreadLocal<String> CONTEXT = new ThreadLocal<>();

    static final class StressFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StressFailure(String message) {
            super(message, null, true, false);
        }
    }

    static final class GroupSpec {
        final String name;
        final int depth;
        final GroupSpec parent;
        TaskGroupPolicy policy;
        int maxConcurrency; // 0: unlimited
        Duration timeout;
        boolean useRun;
        boolean bodyThrows;
        boolean bodyJoins;
        boolean ownerCancelsGroup;
        long ownerCancelDelayNanos;
        int rejectEvery; // 0: the group uses the tree's executor as it is
        boolean doomed; // a cancellation of this group is guaranteed to come
        GroupSpec ownerNested; // a group that the owner runs inside this group's body (run() groups only)
        boolean isOwnerNested;
        final List<TaskSpec> tasks = new ArrayList<>(); // forked by the owner, in this order
        final List<TaskSpec> spawned = new ArrayList<>(); // forked by SPAWN tasks
        final List<TaskSpec> ownerCancels = new ArrayList<>();

        // run time
        volatile TaskGroup group;
        volatile boolean opened;
        final AtomicInteger running = new AtomicInteger();
        final Queue<Throwable> thrown = new ConcurrentLinkedQueue<>(); // genuine failures of tasks and body
        final Queue<Integer> startOrder = new ConcurrentLinkedQueue<>();
        final Map<Runnable, RejectedExecutionException> rejections =
                Collections.synchronizedMap(new IdentityHashMap<>());
        volatile StressFailure bodyFailure;
        volatile CancellationReason reasonBeforeJoin; // the group's reason when the owner was about to join

        GroupSpec(String name, int depth, GroupSpec parent) {
            this.name = name;
            this.depth = depth;
            this.parent = parent;
        }

        List<TaskSpec> allTasks() {
            List<TaskSpec> all = new ArrayList<>(tasks);
            all.addAll(spawned);
            return all;
        }

        TaskGroupOptions options(Executor treeExecutor) {
            TaskGroupOptions.Builder builder =
                    TaskGroupOptions.builder().policy(policy).timeout(timeout);
            if (maxConcurrency > 0) {
                builder.maxConcurrency(maxConcurrency);
            }
            if (rejectEvery > 0) {
                AtomicInteger executions = new AtomicInteger();
                builder.executor(task -> {
                    if (executions.incrementAndGet() % rejectEvery == 0) {
                        RejectedExecutionException rejection =
                                new RejectedExecutionException("stress: rejected " + task);
                        rejections.put(task, rejection);
                        throw rejection;
                    }
                    treeExecutor.execute(task);
                });
            }
            return builder.build();
        }

        String describe() {
            StringBuilder text = new StringBuilder();
            text.append(name).append('{').append(policy.value());
            if (maxConcurrency > 0) {
                text.append(" max=").append(maxConcurrency);
            }
            if (timeout != null) {
                text.append(" timeout=").append(timeout.toMillis()).append("ms");
            }
            if (useRun) {
                text.append(" run").append(bodyJoins ? "+bodyJoins" : "").append(bodyThrows ? "+bodyThrows" : "");
            }
            if (ownerCancelsGroup) {
                text.append(" ownerCancels@")
                        .append(ownerCancelDelayNanos / 1000)
                        .append("us");
            }
            if (!ownerCancels.isEmpty()) {
                text.append(" ownerCancelsTasks=")
                        .append(ownerCancels.stream().map(t -> t.index).toList());
            }
            if (rejectEvery > 0) {
                text.append(" rejectEvery=").append(rejectEvery);
            }
            text.append(doomed ? " doomed" : "").append(':');
            for (TaskSpec task : allTasks()) {
                text.append(' ').append(task.describe());
            }
            if (ownerNested != null) {
                text.append(" owner:(").append(ownerNested.describe()).append(')');
            }
            return text.append('}').toString();
        }
    }

    static final class TaskSpec {
        final GroupSpec group;
        final int index;
        final Kind kind;
        final int workMicros;
        final boolean parkWork;
        GroupSpec nested;
        TaskSpec target; // GET_SIBLING, CANCEL_SIBLING
        TaskSpec spawner; // for a spawned task
        final List<TaskSpec> toSpawn = new ArrayList<>();

        // run time
        volatile Task<?> handle;
        volatile boolean started;
        volatile boolean returned;
        volatile Object value;
        volatile Throwable threw;

        TaskSpec(GroupSpec group, int index, Kind kind, int workMicros, boolean parkWork) {
            this.group = group;
            this.index = index;
            this.kind = kind;
            this.workMicros = workMicros;
            this.parkWork = parkWork;
        }

        boolean blocks() {
            return kind == Kind.BLOCK || kind == Kind.BLOCK_THEN_RETURN || kind == Kind.BLOCK_THEN_FAIL;
        }

        String describe() {
            String text = index + ":" + kind;
            if (nested != null) {
                text += "(" + nested.describe() + ")";
            }
            if (target != null) {
                text += "->" + target.index;
            }
            return text;
        }
    }

    static final class Generator {
        private final Random random;
        private int budget = MAX_TASKS;
        private int groups;
        private final Features features;

        Generator(long seed, Features features) {
            this.random = new Random(seed);
            this.features = features;
        }

        GroupSpec root() {
            return group(null, 1);
        }

        private static boolean timeoutDoomed(GroupSpec g) {
            return g != null && (g.timeout != null || timeoutDoomed(g.parent));
        }

        private GroupSpec group(GroupSpec parent, int depth) {
            return group(parent, depth, false);
        }

        private GroupSpec group(GroupSpec parent, int depth, boolean ownedByParentOwner) {
            GroupSpec g = new GroupSpec("g" + (groups++), depth, parent);
            g.isOwnerNested = ownedByParentOwner;
            int p = random.nextInt(10);
            g.policy = p < 6
                    ? TaskGroupPolicy.FAIL_FAST
                    : p < 8 ? TaskGroupPolicy.SUPERVISE : TaskGroupPolicy.FIRST_SUCCESS;
            g.maxConcurrency = random.nextInt(2) == 0 ? 0 : 1 + random.nextInt(4);
            g.timeout = random.nextInt(10) < 3 ? Duration.ofMillis(1 + random.nextInt(15)) : null;
            g.useRun = random.nextInt(10) < 3;
            g.bodyThrows = g.useRun && random.nextInt(10) == 0;
            g.bodyJoins = g.useRun && random.nextInt(3) == 0 && features.bodyJoins();
            g.ownerCancelsGroup = random.nextInt(10) == 0;
            g.ownerCancelDelayNanos = TimeUnit.MICROSECONDS.toNanos(random.nextInt(3000));
            g.rejectEvery = random.nextInt(20) == 0 ? 2 + random.nextInt(5) : 0;
            // A group run by its parent's owner cannot count on that owner cancelling the parent (it does so
            // only later), only on the deadlines above it.
            g.doomed = g.timeout != null
                    || g.ownerCancelsGroup
                    || (ownedByParentOwner ? timeoutDoomed(parent) : parent != null && parent.doomed);
            int wanted = depth == 1 ? 1 + random.nextInt(25) : 1 + random.nextInt(10);
            int n = Math.min(wanted, budget);
            budget -= n;
            boolean ownerCancelsSome = random.nextInt(8) == 0;
            for (int i = 0; i < n; i++) {
                TaskSpec task = task(g, i, depth, ownerCancelsSome);
                g.tasks.add(task);
            }
            if (g.useRun
                    && depth < MAX_DEPTH
                    && budget > 0
                    && random.nextInt(6) == 0
                    && (depth == 1 || features.ownerNestedInTasks())) {
                g.ownerNested = group(g, depth + 1, true);
            }
            return g;
        }

        private TaskSpec task(GroupSpec g, int index, int depth, boolean ownerCancelsSome) {
            boolean cancelledByOwner = ownerCancelsSome && random.nextInt(3) == 0;
            boolean mayBlock = g.doomed || cancelledByOwner;
            Kind kind;
            while (true) {
                int k = random.nextInt(100);
                kind = k < 30
                        ? Kind.SUCCEED
                        : k < 48
                                ? Kind.FAIL
                                : k < 56
                                        ? Kind.BLOCK
                                        : k < 60
                                                ? Kind.BLOCK_THEN_RETURN
                                                : k < 64
                                                        ? Kind.BLOCK_THEN_FAIL
                                                        : k < 76
                                                                ? Kind.NESTED
                                                                : k < 82
                                                                        ? Kind.SPAWN
                                                                        : k < 88
                                                                                ? Kind.GET_SIBLING
                                                                                : k < 93
                                                                                        ? Kind.CANCEL_SIBLING
                                                                                        : k < 96
                                                                                                ? Kind.CANCEL_GROUP
                                                                                                : Kind.INTERRUPT_OWNER;
                if ((kind == Kind.BLOCK || kind == Kind.BLOCK_THEN_RETURN || kind == Kind.BLOCK_THEN_FAIL)
                        && !mayBlock) {
                    continue;
                }
                if (kind == Kind.NESTED && (depth >= MAX_DEPTH || budget == 0)) {
                    continue;
                }
                if (kind == Kind.SPAWN && budget == 0) {
                    continue;
                }
                if ((kind == Kind.GET_SIBLING || kind == Kind.CANCEL_SIBLING) && index == 0) {
                    continue;
                }
                if (kind == Kind.INTERRUPT_OWNER && depth != 1) {
                    continue;
                }
                break;
            }
            boolean parkWork = random.nextBoolean();
            int work = random.nextInt(4) == 0 ? 0 : random.nextInt(parkWork ? 1500 : 300);
            TaskSpec task = new TaskSpec(g, index, kind, work, parkWork);
            if (cancelledByOwner) {
                g.ownerCancels.add(task);
            }
            switch (kind) {
                case NESTED -> task.nested = group(g, depth + 1);
                case SPAWN -> {
                    int n = Math.min(1 + random.nextInt(3), budget);
                    budget -= n;
                    for (int i = 0; i < n; i++) {
                        Kind leaf = random.nextInt(3) == 0 ? Kind.FAIL : Kind.SUCCEED;
                        TaskSpec child = new TaskSpec(
                                g, 1000 + g.spawned.size(), leaf, random.nextInt(500), random.nextBoolean());
                        child.spawner = task;
                        g.spawned.add(child);
                        task.toSpawn.add(child);
                    }
                }
                case GET_SIBLING, CANCEL_SIBLING -> task.target = g.tasks.get(random.nextInt(index));
                default -> {}
            }
            return task;
        }
    }

    // ================================================================= one tree

    static final class TreeRun {
        final long seed;
        final ExecutorKind kind;
        final GroupSpec root;
        final List<String> violations = Collections.synchronizedList(new ArrayList<>());
        final Queue<Thread> threads = new ConcurrentLinkedQueue<>();
        final CountingListener listener = new CountingListener(violations);
        volatile Thread rootOwner;
        volatile boolean ownerInterruptSent;
        volatile boolean hung;
        TaskGroupFactory factory;
        Executor executor;

        TreeRun(long seed, ExecutorKind kind, Features features) {
            this.seed = seed;
            this.kind = kind;
            this.root = new Generator(seed, features).root();
        }

        void violation(String what) {
            violations.add(what);
        }

        List<String> execute() throws Exception {
            ExecutorService service;
            if (kind == ExecutorKind.PLATFORM) {
                AtomicLong count = new AtomicLong();
                service = new ThreadPoolExecutor(
                        0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), runnable -> {
                            Thread thread = new Thread(runnable, "stress-" + seed + "-" + count.incrementAndGet());
                            thread.setDaemon(true);
                            threads.add(thread);
                            return thread;
                        });
                executor = service;
            } else {
                service = TaskGroupExecutors.virtualThreads();
                ExecutorService virtual = service;
                executor = task -> virtual.execute(() -> {
                    threads.add(Thread.currentThread());
                    task.run();
                });
            }
            factory = TaskGroupFactory.builder()
                    .executor(executor)
                    .listener(listener)
                    .contextPropagator(this::propagate)
                    .build();
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            AtomicReference<Throwable> crash = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            Thread owner = new Thread(
                    () -> {
                        try {
                            CONTEXT.set("owner of " + root.name);
                            Throwable thrown = runGroup(root);
                            outcome.set(thrown);
                            boolean interrupted = Thread.interrupted();
                            if (interrupted && !ownerInterruptSent) {
                                violation("the root owner was interrupted, and no task interrupted it");
                            }
                            if (ownerInterruptSent && !interrupted && !(thrown instanceof InterruptedException)) {
                                violation("a task interrupted the root owner, but the root threw " + describe(thrown)
                                        + " and the owner's interrupt status was lost");
                            }
                        } catch (Throwable e) {
                            crash.set(e);
                        } finally {
                            Thread.interrupted();
                            done.countDown();
                        }
                    },
                    "stress-owner-" + seed);
            rootOwner = owner;
            owner.setDaemon(true);
            owner.start();
            if (!done.await(HANG_SECONDS, TimeUnit.SECONDS)) {
                hung = true;
                violation("HANG: the tree did not finish within " + HANG_SECONDS + " s\n" + dump(owner));
                factory.cancelAll(CancellationReason.SHUTDOWN);
                service.shutdownNow();
                return violations;
            }
            if (crash.get() != null) {
                violation("the test harness crashed: " + stack(crash.get()));
            }
            checkRootOutcome(outcome.get());
            checkTasks(root);
            listener.check(factory);
            factory.close();
            service.shutdown();
            if (!service.awaitTermination(HANG_SECONDS, TimeUnit.SECONDS)) {
                violation("the executor did not terminate: task threads are still busy\n" + dump(owner));
                service.shutdownNow();
                return violations;
            }
            try {
                Awaitility.await()
                        .atMost(Duration.ofSeconds(HANG_SECONDS))
                        .pollInterval(Duration.ofMillis(1))
                        .until(() -> threads.stream().noneMatch(Thread::isAlive));
            } catch (Throwable e) {
                violation("task threads are still alive after the executor terminated: "
                        + threads.stream()
                                .filter(Thread::isAlive)
                                .map(Thread::getName)
                                .toList());
            }
            return violations;
        }

        /** The context propagator: captures CONTEXT at fork, installs it around the task, then restores. */
        Runnable propagate(Runnable task) {
            String captured = CONTEXT.get();
            return () -> {
                String previous = CONTEXT.get();
                if (previous != null) {
                    violation("a task thread carried context '" + previous + "' into the next task");
                }
                CONTEXT.set(captured);
                try {
                    task.run();
                } finally {
                    if (previous == null) {
                        CONTEXT.remove();
                    } else {
                        CONTEXT.set(previous);
                    }
                }
            };
        }

        // ------------------------------------------------------------- owners

        /**
         * Runs a group as its owner; returns what join() / run() threw (null when it returned normally).
         * Rethrows nothing: the caller (a task) rethrows when it is a task.
         */
        Throwable runGroup(GroupSpec g) {
            Throwable thrown = null;
            TaskGroupOptions options = g.options(executor);
            if (g.useRun) {
                try {
                    factory.run(g.name, options, group -> {
                        ownerBody(g, group);
                        if (g.bodyJoins) {
                            group.join(); // lets its report through: run() must not report it twice
                        }
                        if (g.bodyThrows) {
                            StressFailure failure = new StressFailure("body of " + g.name);
                            g.bodyFailure = failure;
                            g.thrown.add(failure);
                            throw failure;
                        }
                        return null;
                    });
                } catch (Throwable e) {
                    thrown = e;
                }
                checkQuiescent(g, "run()");
            } else {
                try (TaskGroup group = factory.open(g.name, options)) {
                    ownerBody(g, group);
                    try {
                        group.join();
                    } finally {
                        checkQuiescent(g, "join()");
                    }
                } catch (Throwable e) {
                    thrown = e;
                }
                checkQuiescent(g, "close()");
            }
            return thrown;
        }

        void ownerBody(GroupSpec g, TaskGroup group) throws Exception {
            g.group = group;
            g.opened = true;
            for (TaskSpec task : g.tasks) {
                task.handle = group.fork(task.kind + "-" + task.index, () -> runTask(task));
            }
            if (g.ownerNested != null) { // a child group of this one, owned by the same thread
                String context = CONTEXT.get();
                CONTEXT.set("owner of " + g.ownerNested.name);
                Throwable thrown;
                try {
                    thrown = runGroup(g.ownerNested);
                } finally {
                    CONTEXT.set(context);
                }
                if (thrown instanceof Exception e) {
                    throw e;
                }
                if (thrown instanceof Error e) {
                    throw e;
                }
            }
            for (TaskSpec task : g.ownerCancels) {
                task.handle.cancel();
            }
            if (g.ownerCancelsGroup) {
                work(g.ownerCancelDelayNanos, true);
                group.cancel();
                Task<Object> late = group.fork("late", () -> {
                    violation("a task forked into the cancelled group " + g.name + " ran");
                    return null;
                });
                if (late.state() != Task.State.CANCELLED) {
                    violation("a task forked into the cancelled group " + g.name + " is " + late.state());
                }
            }
            g.reasonBeforeJoin = group.cancellationReason().orElse(null);
        }

        void checkQuiescent(GroupSpec g, String what) {
            if (!g.opened) {
                return;
            }
            if (!what.equals("join()") && g.group.state() != TaskGroup.State.CLOSED) {
                violation(g.name + " is " + g.group.state() + " after " + what);
            }
            int running = g.running.get();
            if (running != 0) {
                violation(what + " of " + g.name + " returned while " + running + " of its tasks still ran");
            }
            for (TaskSpec task : g.allTasks()) {
                Task<?> handle = task.handle;
                if (handle != null && !handle.state().isDone()) {
                    violation(what + " of " + g.name + " returned while task " + task.describe() + " was "
                            + handle.state());
                }
            }
        }

        // ------------------------------------------------------------- tasks

        Object runTask(TaskSpec task) throws Exception {
            GroupSpec g = task.group;
            checkStrayInterrupt(task);
            String expectedContext =
                    task.index >= 1000 ? "task " + task.spawner.index + " of " + g.name : "owner of " + g.name;
            if (!expectedContext.equals(CONTEXT.get())) {
                violation("task " + task.describe() + " of " + g.name + " runs in context '" + CONTEXT.get()
                        + "' instead of '" + expectedContext + "'");
            }
            CONTEXT.set(
                    task.kind == Kind.NESTED ? "owner of " + task.nested.name : "task " + task.index + " of " + g.name);
            task.started = true;
            g.startOrder.add(task.index);
            int now = g.running.incrementAndGet();
            if (g.maxConcurrency > 0 && now > g.maxConcurrency) {
                violation(now + " tasks of " + g.name + " ran at once, with maxConcurrency " + g.maxConcurrency);
            }
            try {
                Object value = body(task);
                task.value = value;
                task.returned = true;
                return value;
            } catch (Throwable e) {
                task.threw = e;
                throw e;
            } finally {
                g.running.decrementAndGet();
            }
        }

        private void checkStrayInterrupt(TaskSpec task) {
            if (!Thread.currentThread().isInterrupted()) {
                return;
            }
            // Legitimate only when this task was cancelled (its interrupt then happens after its reason is set).
            Task<?> handle;
            while ((handle = task.handle) == null) {
                Thread.onSpinWait(); // the forking thread publishes the handle right after fork returns
            }
            if (handle.cancellationReason() == null) {
                violation("task " + task.describe() + " of " + task.group.name
                        + " started with a stray interrupt (leaked from a previous task of its thread?)");
            }
        }

        private Object body(TaskSpec task) throws Exception {
            GroupSpec g = task.group;
            switch (task.kind) {
                case SUCCEED -> {
                    work(TimeUnit.MICROSECONDS.toNanos(task.workMicros), task.parkWork);
                    return task.index;
                }
                case FAIL -> {
                    work(TimeUnit.MICROSECONDS.toNanos(task.workMicros), task.parkWork);
                    throw genuine(task);
                }
                case BLOCK -> {
                    new CountDownLatch(1).await(); // until cancelled
                    throw new AssertionError("unreachable");
                }
                case BLOCK_THEN_RETURN -> {
                    try {
                        new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                        return -task.index; // ignores the cancellation
                    }
                    throw new AssertionError("unreachable");
                }
                case BLOCK_THEN_FAIL -> {
                    try {
                        new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                        throw genuine(task); // a real failure after the cancellation: never lost
                    }
                    throw new AssertionError("unreachable");
                }
                case NESTED -> {
                    Throwable thrown = runGroup(task.nested);
                    if (thrown instanceof Exception e) {
                        throw e;
                    }
                    if (thrown instanceof Error e) {
                        throw e;
                    }
                    return task.index;
                }
                case SPAWN -> {
                    work(TimeUnit.MICROSECONDS.toNanos(task.workMicros), task.parkWork);
                    for (TaskSpec child : task.toSpawn) {
                        boolean cancelledBefore = g.group.cancellationReason().isPresent();
                        child.handle = g.group.fork("spawned-" + child.index, () -> runTask(child));
                        if (cancelledBefore && child.handle.state() != Task.State.CANCELLED) {
                            violation("spawned task " + child.index + " forked into the cancelled group " + g.name
                                    + " is " + child.handle.state());
                        }
                    }
                    return task.index;
                }
                case GET_SIBLING -> {
                    Task<?> target = task.target.handle; // forked before this task by the same owner
                    CancellationReason before = g.group.cancellationReason().orElse(null);
                    try {
                        return target.get();
                    } catch (CancellationException e) {
                        if (before == CancellationReason.SIBLING_FAILURE && e.getCause() == null) {
                            violation("get() of a task of " + g.name + ", cancelled after a failure, threw a"
                                    + " CancellationException without the failure as its cause");
                        }
                        return null;
                    } catch (CompletionException e) {
                        return null; // what the sibling did is checked elsewhere
                    }
                }
                case CANCEL_SIBLING -> {
                    work(TimeUnit.MICROSECONDS.toNanos(task.workMicros), task.parkWork);
                    task.target.handle.cancel();
                    return task.index;
                }
                case CANCEL_GROUP -> {
                    work(TimeUnit.MICROSECONDS.toNanos(task.workMicros), task.parkWork);
                    g.group.cancel();
                    return task.index;
                }
                case INTERRUPT_OWNER -> {
                    work(TimeUnit.MICROSECONDS.toNanos(task.workMicros), task.parkWork);
                    ownerInterruptSent = true;
                    rootOwner.interrupt();
                    return task.index;
                }
                default -> throw new AssertionError(task.kind);
            }
        }

        private static StressFailure genuine(TaskSpec task) {
            StressFailure failure = new StressFailure("task " + task.index + " of " + task.group.name);
            task.group.thrown.add(failure);
            return failure;
        }

        /** Simulated work: a short park (returns early on interrupt) or a short spin. */
        static void work(long nanos, boolean park) {
            if (nanos <= 0) {
                return;
            }
            if (park) {
                LockSupport.parkNanos(nanos);
            } else {
                long end = System.nanoTime() + nanos;
                while (System.nanoTime() - end < 0 && !Thread.currentThread().isInterrupted()) {
                    Thread.onSpinWait();
                }
            }
        }

        // ------------------------------------------------------------- checks after the tree

        void checkRootOutcome(Throwable thrown) {
            Map<Throwable, GroupSpec> expected = new IdentityHashMap<>(); // failure -> group that must report it
            expectedFailures(root, expected);
            Map<Throwable, Integer> seen = new IdentityHashMap<>();
            List<String> unexpected = new ArrayList<>();
            boolean nestedTimeouts = false;
            if (thrown instanceof TaskGroupException report) {
                nestedTimeouts = walk(report, root, expected, seen, unexpected);
            }
            for (Map.Entry<Throwable, GroupSpec> failure : expected.entrySet()) {
                int times = seen.getOrDefault(failure.getKey(), 0);
                if (times != 1) {
                    violation("genuine failure '" + failure.getKey().getMessage() + "' of " + failure.getValue().name
                            + " was reported " + times + " times (expected once); root threw " + describe(thrown));
                }
            }
            for (String what : unexpected) {
                violation("reported but not a genuine failure: " + what + "; root threw " + describe(thrown));
            }
            // The deadline may still expire after join() returned (until close()), so the reason read now is
            // only compared in the directions that such a late expiry cannot falsify.
            CancellationReason reason = root.group.cancellationReason().orElse(null);
            if (root.reasonBeforeJoin == CancellationReason.TIMEOUT
                    && !(thrown instanceof TaskGroupTimeoutException)
                    && !(thrown instanceof InterruptedException)) {
                violation("the root timed out before join() but join() threw " + describe(thrown));
            }
            boolean failures = !expected.isEmpty() || nestedTimeouts;
            if (failures) {
                if (!(thrown instanceof TaskGroupException)) {
                    violation("genuine failures happened but the root threw " + describe(thrown));
                }
                return;
            }
            if (thrown instanceof InterruptedException) {
                if (!ownerInterruptSent) {
                    violation("the root threw InterruptedException but nobody interrupted its owner");
                }
                return;
            }
            if (thrown instanceof TaskGroupTimeoutException timeout) {
                if (reason != CancellationReason.TIMEOUT || root.timeout == null) {
                    violation("the root threw " + describe(thrown) + " but its reason is " + reason);
                }
                if (!timeout.failures().isEmpty()) {
                    violation(
                            "the root's timeout exception lists failures that are not genuine: " + timeout.failures());
                }
                return;
            }
            if (thrown instanceof CancellationException
                    && root.ownerNested != null
                    && (reason == CancellationReason.EXPLICIT || reason == CancellationReason.FIRST_SUCCESS)) {
                // By design: the nested group the owner ran in the body was cancelled with the root (reason
                // PARENT), its join() threw CancellationException, and run() lets that echo of a quiet
                // cancellation propagate as the body threw it.
                return;
            }
            if (thrown != null) {
                violation("no genuine failure, root reason " + reason + ", but the root threw " + describe(thrown)
                        + "\n" + stack(thrown));
                return;
            }
            if (reason == CancellationReason.SIBLING_FAILURE) {
                violation("the root was cancelled by a failure but join() returned normally");
            } else if (reason == CancellationReason.PARENT && !ownerInterruptSent) {
                violation("the root was cancelled with reason PARENT but nobody interrupted its owner");
            }
        }

        /**
         * Failures the root owner must hear about, each with the group whose report must list it: every
         * genuine failure, except those of the losers of a won first-success race (and of their subtrees).
         */
        void expectedFailures(GroupSpec g, Map<Throwable, GroupSpec> out) {
            if (!g.opened) {
                return;
            }
            List<TaskSpec> all = g.allTasks();
            boolean won = g.policy == TaskGroupPolicy.FIRST_SUCCESS
                    && all.stream().anyMatch(t -> t.handle != null && t.handle.state() == Task.State.SUCCEEDED);
            if (won) { // the body's failures are still reported, those of the owner's nested group included
                if (g.bodyFailure != null) {
                    out.put(g.bodyFailure, g);
                }
                if (g.ownerNested != null) {
                    expectedFailures(g.ownerNested, out);
                }
                return;
            }
            for (Throwable failure : g.thrown) {
                out.put(failure, g);
            }
            synchronized (g.rejections) {
                for (Map.Entry<Runnable, RejectedExecutionException> rejection : g.rejections.entrySet()) {
                    Task<?> task = (Task<?>) rejection.getKey();
                    if (task.state() == Task.State.FAILED && task.exception() == rejection.getValue()) {
                        out.put(rejection.getValue(), g);
                    } else if (task.state() != Task.State.CANCELLED) {
                        violation("rejected task " + task + " of " + g.name + " neither failed with its rejection"
                                + " nor was cancelled");
                    }
                }
            }
            for (TaskSpec task : g.tasks) {
                if (task.nested != null) {
                    expectedFailures(task.nested, out);
                }
            }
            if (g.ownerNested != null) {
                expectedFailures(g.ownerNested, out);
            }
        }

        /**
         * Walks the report of group {@code g}: each failure must be a genuine failure of {@code g} itself, or
         * the report of one of its nested groups (walked in turn), or the own-timeout exception of a nested
         * group. Returns whether such a nested timeout was found.
         */
        private boolean walk(
                TaskGroupException report,
                GroupSpec g,
                Map<Throwable, GroupSpec> expected,
                Map<Throwable, Integer> seen,
                List<String> unexpected) {
            boolean timeouts = false;
            if (!report.groupName().equals(g.name)) {
                unexpected.add(describe(report) + " of group " + report.groupName() + " where the report of " + g.name
                        + " was expected");
            }
            if (report.omittedFailures() > 0) {
                unexpected.add(report.omittedFailures() + " omitted failures in " + describe(report));
            }
            if (report.getCause()
                    != (report.failures().isEmpty() ? null : report.failures().get(0))) {
                unexpected.add("the cause of " + describe(report) + " is not its first failure");
            }
            for (Throwable failure : report.failures()) {
                GroupSpec from = expected.get(failure);
                if (from != null) {
                    seen.merge(failure, 1, Integer::sum);
                    if (from != g) {
                        unexpected.add("failure '" + failure.getMessage() + "' of " + from.name + " in the report of "
                                + g.name);
                    }
                    continue;
                }
                GroupSpec child = null;
                if (failure instanceof TaskGroupException nested) {
                    for (TaskSpec task : g.tasks) {
                        if (task.nested != null && task.nested.name.equals(nested.groupName())) {
                            child = task.nested;
                        }
                    }
                    if (g.ownerNested != null && g.ownerNested.name.equals(nested.groupName())) {
                        child = g.ownerNested;
                    }
                }
                if (child == null) {
                    unexpected.add(describe(failure) + " in the report of " + g.name);
                    continue;
                }
                TaskGroupException nested = (TaskGroupException) failure;
                if (nested.failures().isEmpty() && nested.omittedFailures() == 0) {
                    // Only a nested group's own deadline is a genuine failure on its own.
                    if (!(nested instanceof TaskGroupTimeoutException timeout)
                            || timeout.timeout() == null
                            || child.timeout == null) {
                        unexpected.add("the empty " + describe(nested) + " of " + child.name);
                    }
                    timeouts = true;
                } else {
                    timeouts |= walk(nested, child, expected, seen, unexpected);
                }
            }
            return timeouts;
        }

        void checkTasks(GroupSpec g) {
            if (!g.opened) {
                return;
            }
            if (g.maxConcurrency == 1 && g.spawned.isEmpty()) {
                List<Integer> order = new ArrayList<>(g.startOrder);
                for (int i = 1; i < order.size(); i++) {
                    if (order.get(i) <= order.get(i - 1)) {
                        violation("tasks of " + g.name + " (maxConcurrency 1) started out of fork order: " + order);
                        break;
                    }
                }
            }
            for (TaskSpec task : g.allTasks()) {
                checkTask(task);
                if (task.nested != null) {
                    checkTasks(task.nested);
                }
            }
            if (g.ownerNested != null) {
                checkTasks(g.ownerNested);
            }
        }

        private void checkTask(TaskSpec task) {
            Task<?> handle = task.handle;
            if (handle == null) {
                return; // a SPAWN task that did not get to fork it
            }
            String who = "task " + task.describe() + " of " + task.group.name;
            Task.State state = handle.state();
            if (!state.isDone()) {
                violation(who + " is " + state + " after the root closed");
                return;
            }
            Throwable threw = task.threw;
            if (!task.started) {
                if (state == Task.State.SUCCEEDED
                        || (state == Task.State.FAILED
                                && !(handle.exception() instanceof RejectedExecutionException))) {
                    violation(who + " never ran but is " + state + " (" + handle.exception() + ")");
                }
            } else if (task.returned) {
                if (state != Task.State.SUCCEEDED && state != Task.State.CANCELLED) {
                    violation(who + " returned a value but is " + state);
                }
            } else if (threw instanceof StressFailure) {
                if (state != Task.State.FAILED || handle.exception() != threw) {
                    violation(who + " threw a genuine failure but is " + state + " with " + handle.exception());
                }
            } else if (threw != null) {
                if (state == Task.State.SUCCEEDED) {
                    violation(who + " threw " + threw + " but is SUCCEEDED");
                }
            } else {
                violation(who + " started but neither returned nor threw");
            }
            if (state == Task.State.CANCELLED && handle.cancellationReason() == null) {
                violation(who + " is CANCELLED without a cancellation reason");
            }
            try {
                Object value = handle.get();
                if (state != Task.State.SUCCEEDED || value != task.value) {
                    violation(who + " is " + state + " but get() returned " + value);
                }
            } catch (CompletionException e) {
                if (state != Task.State.FAILED || e.getCause() != handle.exception()) {
                    violation(who + " is " + state + " but get() threw " + e);
                }
            } catch (CancellationException e) {
                if (state != Task.State.CANCELLED) {
                    violation(who + " is " + state + " but get() threw " + e);
                }
            } catch (RuntimeException e) {
                violation(who + ": get() threw " + e);
            }
        }

        private static String describe(Throwable thrown) {
            if (thrown == null) {
                return "nothing";
            }
            return thrown.getClass().getSimpleName() + "(" + thrown.getMessage() + ")";
        }

        private static String stack(Throwable thrown) {
            java.io.StringWriter text = new java.io.StringWriter();
            thrown.printStackTrace(new java.io.PrintWriter(text));
            return text.toString();
        }

        private String dump(Thread owner) {
            StringBuilder text = new StringBuilder();
            try {
                text.append("live groups: ").append(factory.liveGroups(false)).append('\n');
            } catch (RuntimeException e) {
                text.append("live groups: ").append(e).append('\n');
            }
            List<Thread> all = new ArrayList<>(threads);
            all.add(owner);
            for (Thread thread : all) {
                if (!thread.isAlive()) {
                    continue;
                }
                text.append("  thread ")
                        .append(thread.getName())
                        .append(" ")
                        .append(thread.getState())
                        .append('\n');
                for (StackTraceElement frame : thread.getStackTrace()) {
                    text.append("      at ").append(frame).append('\n');
                }
            }
            return text.toString();
        }
    }

    // ================================================================= listener

    /** Counts events and checks their order per task: forked, then (started,) then finished, once each. */
    static final class CountingListener implements TaskGroupListener {
        private final List<String> violations;
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        final AtomicInteger forked = new AtomicInteger();
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger succeeded = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger cancelled = new AtomicInteger();
        private final Map<Task<?>, String> events = new ConcurrentHashMap<>();

        CountingListener(List<String> violations) {
            this.violations = violations;
        }

        private void event(Task<?> task, String event, Consumer<String> check) {
            String[] before = new String[1];
            events.compute(task, (key, previous) -> {
                before[0] = previous == null ? "" : previous;
                return before[0] + event;
            });
            if (CHECK_EVENT_ORDER) {
                check.accept(before[0]);
            }
        }

        @Override
        public void groupOpened(TaskGroup group) {
            opened.incrementAndGet();
        }

        @Override
        public void groupClosed(TaskGroup group, TaskGroup.Outcome outcome, long durationNanos) {
            closed.incrementAndGet();
        }

        @Override
        public void taskForked(Task<?> task) {
            forked.incrementAndGet();
            event(task, "F", before -> {
                if (!before.isEmpty()) {
                    violations.add("listener: taskForked(" + task + ") came after events '" + before + "'");
                }
            });
        }

        @Override
        public void taskStarted(Task<?> task) {
            started.incrementAndGet();
            event(task, "S", before -> {
                if (!before.equals("F")) {
                    violations.add("listener: taskStarted(" + task + ") came after events '" + before + "'");
                }
            });
        }

        @Override
        public void taskFinished(Task<?> task, long runNanos) {
            switch (task.state()) {
                case SUCCEEDED -> succeeded.incrementAndGet();
                case FAILED -> failed.incrementAndGet();
                case CANCELLED -> cancelled.incrementAndGet();
                default -> violations.add("listener: taskFinished(" + task + ") in state " + task.state());
            }
            event(task, "E", before -> {
                boolean ok = runNanos == NOT_STARTED ? before.equals("F") : before.equals("FS");
                if (!ok) {
                    violations.add("listener: taskFinished(" + task + ", " + runNanos + ") came after events '" + before
                            + "'");
                }
            });
        }

        void check(TaskGroupFactory factory) {
            int f = forked.get();
            int ends = succeeded.get() + failed.get() + cancelled.get();
            if (f != ends) {
                violations.add("listener: forked " + f + " != succeeded " + succeeded + " + failed " + failed
                        + " + cancelled " + cancelled);
            }
            if (started.get() > f) {
                violations.add("listener: started " + started + " > forked " + f);
            }
            if (opened.get() != closed.get()) {
                violations.add("listener: opened " + opened + " groups but closed " + closed);
            }
            events.forEach((task, seen) -> {
                if (CHECK_EVENT_ORDER
                        ? !seen.equals("FE") && !seen.equals("FSE")
                        : seen.chars()
                                        .sorted()
                                        .collect(
                                                StringBuilder::new,
                                                StringBuilder::appendCodePoint,
                                                StringBuilder::append)
                                        .toString()
                                        .replace("S", "")
                                        .equals("EF")
                                == false) {
                    violations.add("listener: events of " + task + " were '" + seen + "'");
                }
            });
            if (!factory.liveGroups().isEmpty()) {
                violations.add("live groups remain after the root closed: " + factory.liveGroups());
            }
        }
    }
}
