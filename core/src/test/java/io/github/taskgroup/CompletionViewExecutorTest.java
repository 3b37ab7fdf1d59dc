package io.github.taskgroup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/**
 * Where completion views complete when their source ended on an internal thread: never a new platform thread
 * per step, which is what {@code CompletableFuture} itself would do on a machine with one or two cores.
 */
@DisplayName("The executor of completion views")
class CompletionViewExecutorTest {

    @Test
    void withACommonPoolOfTwoOrMoreThreadsItIsTheCommonPool() {
        assertThat(CompletionView.asyncExecutor(2)).isSameAs(ForkJoinPool.commonPool());
    }

    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    void withASmallCommonPoolOnJdk17ItReusesTheThreadsOfOneSharedPool() throws Exception {
        Executor executor = CompletionView.asyncExecutor(1);
        assertThat(executor).isSameAs(CompletionView.asyncExecutor(0));
        Set<Thread> threads = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            threads.add(threadThatRuns(executor));
        }
        // One after the other, an idle thread is taken again; a thread per step would give 100.
        assertThat(threads).hasSizeLessThan(50);
        assertThat(threads).allSatisfy(thread -> {
            assertThat(thread.getName()).startsWith("taskgroup-completion-");
            assertThat(thread.isDaemon()).isTrue();
        });
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void withASmallCommonPoolOnJdk21OrLaterEachStepGetsAVirtualThread() throws Exception {
        Thread thread = threadThatRuns(CompletionView.asyncExecutor(1));
        assertThat(TaskGroupExecutors.isVirtual(thread)).isTrue();
    }

    @Test
    void aViewTellsDependentsWithoutAnExecutorToUseIt() throws Exception {
        try (TaskGroupFactory factory = TaskGroupFactory.builder().build();
                TaskGroup group = factory.open("view-executor")) {
            CompletableFuture<Void> view = group.completion();
            assertThat(view.defaultExecutor().getClass())
                    .isSameAs(CompletionView.asyncExecutor(ForkJoinPool.getCommonPoolParallelism())
                            .getClass());
            AtomicReference<Thread> dependentThread = new AtomicReference<>();
            CompletableFuture<Void> dependent = view.thenRunAsync(() -> dependentThread.set(Thread.currentThread()));
            group.fork(() -> "done");
            group.join();
            dependent.get(10, TimeUnit.SECONDS);
            assertThat(dependentThread.get().getName()).doesNotStartWith("Thread-");
        }
    }

    @Test
    void aTaskCancelledWhilePendingCompletesItsViewOffTheCancellingThread() throws Exception {
        try (TaskGroupFactory factory = TaskGroupFactory.builder().build();
                TaskGroup group = factory.open(
                        "pending-view",
                        TaskGroupOptions.builder().maxConcurrency(1).build())) {
            CountDownLatch release = new CountDownLatch(1);
            group.fork(() -> {
                release.await();
                return 1;
            });
            Task<Integer> pending = group.fork(() -> 2);
            AtomicReference<Thread> completedOn = new AtomicReference<>();
            CompletableFuture<Integer> dependent =
                    pending.completion().whenComplete((v, e) -> completedOn.set(Thread.currentThread()));
            assertThat(pending.cancel()).isTrue();
            release.countDown();
            assertThat(dependent).failsWithin(Duration.ofSeconds(10));
            assertThat(completedOn.get()).isNotSameAs(Thread.currentThread());
            assertThat(completedOn.get().getName()).doesNotStartWith("Thread-");
            group.join();
        }
    }

    private static Thread threadThatRuns(Executor executor) throws InterruptedException {
        AtomicReference<Thread> ran = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        executor.execute(() -> {
            ran.set(Thread.currentThread());
            done.countDown();
        });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        return ran.get();
    }
}
