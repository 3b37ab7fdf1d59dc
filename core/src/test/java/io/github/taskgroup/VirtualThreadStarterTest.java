package io.github.taskgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/**
 * The whole contract on {@link TaskGroupExecutors#virtualThreadStarter()}, the default executor on JDK 21+,
 * whose threads are born with their task's name, plus what that naming promises.
 */
@DisplayName("TaskGroup on the virtual-thread starter")
@EnabledForJreRange(min = JRE.JAVA_21)
class VirtualThreadStarterTest extends TaskGroupContract {

    @Override
    ExecutorService newExecutor() {
        return new StarterService();
    }

    @Test
    void theStarterNamesAThreadAtBirthAndTheRunLeavesItSo() throws Exception {
        List<String> names = factory.run("checkout", g -> {
            Task<String> unnamed = g.fork(() -> Thread.currentThread().getName());
            Task<String> named = g.fork("stock", () -> Thread.currentThread().getName());
            return List.of(unnamed.get(), named.get());
        });
        // Exactly the label: a renamed thread would carry it after its own name only if it had one.
        assertThat(names).containsExactly("checkout", "checkout/stock");
    }

    @RepeatedTest(20)
    void aFanOutUnderOneNameFromSeveralThreadsKeepsEveryThreadsName() throws Exception {
        List<String> names = factory.run("fan", g -> {
            List<Task<List<String>>> forkers = new ArrayList<>();
            for (int f = 0; f < 4; f++) {
                String taskName = "fetch-" + (f % 2);
                forkers.add(g.fork(() -> {
                    List<Task<String>> fetches = new ArrayList<>();
                    for (int i = 0; i < 25; i++) {
                        fetches.add(
                                g.fork(taskName, () -> Thread.currentThread().getName()));
                    }
                    List<String> seen = new ArrayList<>();
                    for (Task<String> fetch : fetches) {
                        seen.add(fetch.get() + " for " + taskName);
                    }
                    return seen;
                }));
            }
            List<String> all = new ArrayList<>();
            for (Task<List<String>> forker : forkers) {
                all.addAll(forker.get());
            }
            return all;
        });
        // Racing forks share the group's one-entry cache of names: each thread still carries its own task's.
        assertThat(names).hasSize(100).allSatisfy(line -> {
            String[] parts = line.split(" for ");
            assertThat(parts[0]).isEqualTo("fan/" + parts[1]);
        });
    }

    @Test
    void withoutRenamingTheStartersThreadsHaveNoName() throws Exception {
        try (TaskGroupFactory plain = TaskGroupFactory.builder()
                .executor(TaskGroupExecutors.virtualThreadStarter())
                .renameThreads(false)
                .build()) {
            String name = plain.run(
                    "quiet",
                    g -> g.fork("stock", () -> Thread.currentThread().getName()).get());
            assertThat(name).isEmpty();
        }
    }

    @Test
    void otherRunnablesGetAnUnnamedVirtualThread() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(1);
        TaskGroupExecutors.virtualThreadStarter().execute(() -> {
            seen.add(Thread.currentThread().getName());
            seen.add(String.valueOf(TaskGroupExecutors.isVirtual(Thread.currentThread())));
            ran.countDown();
        });
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(seen).containsExactly("", "true");
    }

    @Test
    void aStarterWithAPrefixNumbersTheThreadsThatAreNotBornWithATasksName() throws Exception {
        Executor starter = TaskGroupExecutors.virtualThreadStarter("worker-");
        try (TaskGroupFactory quiet = TaskGroupFactory.builder()
                        .executor(starter)
                        .renameThreads(false)
                        .build();
                TaskGroupFactory renaming =
                        TaskGroupFactory.builder().executor(starter).build()) {
            List<String> names = quiet.run("quiet", g -> {
                Task<String> first =
                        g.fork("stock", () -> Thread.currentThread().getName());
                Task<String> second = g.fork(() -> Thread.currentThread().getName());
                return List.of(first.get(), second.get());
            });
            assertThat(names).containsExactly("worker-1", "worker-2");
            // Tasks of a renaming factory are still born with their own names, and take no number.
            String named = renaming.run(
                    "checkout",
                    g -> g.fork("stock", () -> Thread.currentThread().getName()).get());
            assertThat(named).isEqualTo("checkout/stock");
        }
        CountDownLatch ran = new CountDownLatch(1);
        List<String> other = new CopyOnWriteArrayList<>();
        starter.execute(() -> {
            other.add(Thread.currentThread().getName());
            ran.countDown();
        });
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(other).containsExactly("worker-3");
        assertThat(TaskGroupExecutors.virtualThreadStarter("worker-")).isNotSameAs(starter);
    }

    @Test
    void aDependentOnATasksOwnThreadKeepsTheNameTheThreadWasBornWithButNotTheGroup() throws Exception {
        CountDownLatch registered = new CountDownLatch(1);
        CountDownLatch ran = new CountDownLatch(1);
        List<String> seen = new CopyOnWriteArrayList<>();
        factory.run("orders", g -> {
            Task<String> pricing = g.fork("pricing", () -> {
                registered.await(); // the dependent is there before the task ends: it runs on this thread
                return "42";
            });
            pricing.completion().thenRun(() -> {
                seen.add(Thread.currentThread().getName());
                seen.add(String.valueOf(CurrentTaskGroup.get().isPresent()));
                ran.countDown();
            });
            registered.countDown();
            return pricing.get();
        });
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(seen).containsExactly("orders/pricing", "false");
    }

    @Test
    void aStarterNeedsAPrefix() {
        assertThatNullPointerException()
                .isThrownBy(() -> TaskGroupExecutors.virtualThreadStarter(null))
                .withMessage("threadNamePrefix");
    }

    /**
     * The starter as the contract's executor service. The starter keeps no registry of its threads: each ends
     * with its task, so "terminated" here means every task handed to it is done.
     */
    private static final class StarterService extends AbstractExecutorService {
        private final List<Runnable> handed = new CopyOnWriteArrayList<>();
        private volatile boolean shutdown;

        @Override
        public void execute(Runnable command) {
            if (shutdown) {
                throw new java.util.concurrent.RejectedExecutionException("shut down");
            }
            handed.add(command);
            TaskGroupExecutors.virtualThreadStarter().execute(command); // the task itself: named at birth
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown = true;
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown && handed.stream().allMatch(StarterService::done);
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            long deadline = System.nanoTime() + unit.toNanos(timeout);
            while (!isTerminated()) {
                if (System.nanoTime() - deadline > 0) {
                    return false;
                }
                Thread.onSpinWait();
                Thread.yield();
            }
            return true;
        }

        private static boolean done(Runnable command) {
            return !(command instanceof DefaultTask<?> task) || task.state().isDone();
        }
    }
}
