package io.github.taskgroup.reactor;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.util.context.ContextView;

/**
 * Reactor adapters for task groups: a {@link Mono} of a task or of a group's completion, built on
 * {@link Task#completion()} and {@link TaskGroup#completion()}, so that no thread waits for them; and a
 * {@link Publisher} forked into a group as a task, so that reactive and blocking work share one group, one
 * deadline and one failure rule.
 *
 * <pre>{@code
 * Task<Price> price = group.fork("price", () -> prices.fetch(id));          // blocking, on a virtual thread
 * Task<Stock> stock = TaskGroupMono.fork(group, "stock", stocks.find(id));  // a Mono, subscribed by a task
 * return TaskGroupMono.join(group).then(Mono.fromSupplier(() -> new Page(price.get(), stock.get())));
 * }</pre>
 *
 * <h2>Cancelling a subscription</h2>
 *
 * Cancelling the subscription of {@link #of(Task)} cancels the task, and that of {@link #join(TaskGroup)}
 * cancels the group, with reason {@link CancellationReason#EXPLICIT}, unless the subscriber's Reactor
 * {@link reactor.util.context.Context Context} decides otherwise: under the key {@link #ON_CANCEL}
 * ({@code CancellationReason.class}) it may hold a {@code Supplier<Optional<CancellationReason>>}, asked when
 * the subscription is cancelled: a reason cancels the group with it, empty leaves the task or group running.
 * Request-scoped groups of the WebFlux integration put one there: {@code request-aborted} when the client went
 * away, nothing on a route that opted out of cancel-on-disconnect (its tasks run on), {@code explicit}
 * otherwise. A task is cancelled with the decided reason ({@link Task#cancel(CancellationReason)}); a task whose
 * group was cancelled first keeps the group's reason.
 *
 * <p>Cancelling after the Mono completed does nothing. Signals are emitted on the thread that completes the
 * view (see {@link Task#completion()} and {@link TaskGroup#completion()}): a task's own thread, or
 * the view's {@code defaultExecutor()} for a group; use {@code publishOn} to move on.
 */
public final class TaskGroupMono {

    /**
     * The Reactor Context key under which a subscriber may say what cancelling its subscription does: a
     * {@code Supplier<Optional<CancellationReason>>} (see the class comment). It is
     * {@code CancellationReason.class}, so that a module can put a decision there without depending on this
     * one.
     */
    public static final Class<CancellationReason> ON_CANCEL = CancellationReason.class;

    private TaskGroupMono() {}

    /**
     * A Mono of the task's outcome: its value ({@code null}: empty), its failure as an error (the failure
     * itself, not wrapped), or, when the task was cancelled, a {@link java.util.concurrent.CancellationException}
     * whose cause is the group's first failure, as {@link Task#get()} has it. It waits for the task's final
     * state, like {@link Task#completion()}. Each subscription observes the same task; nothing runs again.
     *
     * <p>Cancelling the subscription cancels the task ({@link Task#cancel(CancellationReason)}, reason
     * {@code explicit}, or the one the subscriber's Context decides, such as {@code request-aborted}) unless
     * that Context says to leave it running (see {@link #ON_CANCEL}); the group and the other tasks go on.
     *
     * @param task a task
     * @param <T> the type of its result
     * @return a Mono of its outcome
     * @throws NullPointerException if {@code task} is null
     */
    public static <T> Mono<T> of(Task<T> task) {
        Objects.requireNonNull(task, "task");
        return Mono.create((sink) -> {
            sink.onCancel(() -> onCancel(sink.contextView(), task::cancel));
            emit(task.completion(), sink);
        });
    }

    /**
     * A Mono of the group's completion: a {@link TaskGroup#join()} that nobody waits in, started when it is
     * subscribed (subscribe once the tasks are forked: a group with no live task completes it at once). It
     * completes empty when {@code join()} would return normally (also after a quiet cancellation), or with the
     * error {@code join()} would throw: a {@link io.github.taskgroup.TaskGroupException} with the failures, a
     * {@link io.github.taskgroup.TaskGroupTimeoutException} when the deadline expired, a
     * {@link java.util.concurrent.CancellationException} when the group was cancelled from outside. It only
     * observes: the owner's {@code join()} or {@code close()} still reports each failure, once.
     *
     * <p>Cancelling the subscription cancels the group, reason {@code explicit} unless the subscriber's
     * Context decides (see {@link #ON_CANCEL}: {@code request-aborted} when a client went away).
     *
     * @param group a group
     * @return a Mono that completes when every task of the group is done
     * @throws NullPointerException if {@code group} is null
     */
    public static Mono<Void> join(TaskGroup group) {
        Objects.requireNonNull(group, "group");
        return Mono.create((sink) -> {
            sink.onCancel(() -> onCancel(sink.contextView(), group::cancel));
            emit(group.completion(), sink);
        });
    }

    /**
     * Forks a task that subscribes to {@code publisher} when it starts and whose result is the publisher's first
     * element ({@code Mono} semantics: the subscription is cancelled after it; an empty publisher gives
     * {@code null}). The publisher's error is the task's failure, which the group's policy handles like any
     * other (an {@code Error} or {@code Exception} as itself; any other {@code Throwable} wrapped in an
     * {@link UndeclaredThrowableException}). Cancelling the task (or its group, or its deadline) interrupts it,
     * which disposes the subscription; the task then ends cancelled, not failed.
     *
     * <p>The task holds its thread while it waits for the publisher (cheap on virtual threads). The
     * publisher is subscribed with an empty Context, on the task's thread.
     *
     * @param group the group to fork into
     * @param name the task's name
     * @param publisher the work, typically a {@code Mono}
     * @param <T> the type of its element
     * @return the task, as {@link TaskGroup#fork(String, java.util.concurrent.Callable)} returns it
     * @throws NullPointerException if an argument is null
     * @throws IllegalStateException if the group is closed
     */
    public static <T> Task<@Nullable T> fork(TaskGroup group, String name, Publisher<? extends T> publisher) {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(publisher, "publisher");
        return group.fork(name, () -> await(publisher));
    }

    private static <T> @Nullable T await(Publisher<? extends T> publisher) throws Exception {
        CompletableFuture<? extends T> first = Mono.from(publisher).toFuture();
        try {
            return first.get();
        } catch (ExecutionException ex) {
            Throwable failure = (ex.getCause() != null) ? ex.getCause() : ex;
            if (failure instanceof Exception exception) {
                throw exception;
            }
            if (failure instanceof Error error) {
                throw error;
            }
            throw new UndeclaredThrowableException(failure);
        } finally {
            first.cancel(true); // disposes the subscription if it is still live (interrupted: cancelled)
        }
    }

    private static <T> void emit(CompletableFuture<T> view, MonoSink<T> sink) {
        view.whenComplete((value, failure) -> {
            if (failure != null) {
                sink.error(unwrap(failure));
            } else if (value == null) {
                sink.success();
            } else {
                sink.success(value);
            }
        });
    }

    private static Throwable unwrap(Throwable failure) {
        return (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause() : failure;
    }

    private static void onCancel(ContextView context, Consumer<CancellationReason> cancel) {
        Object decider = context.getOrDefault(ON_CANCEL, null);
        CancellationReason reason = CancellationReason.EXPLICIT;
        if (decider instanceof Supplier<?> supplier) {
            Object decision = supplier.get();
            if (decision instanceof Optional<?> optional) {
                if (optional.isEmpty()) {
                    return;
                }
                if (optional.get() instanceof CancellationReason decided) {
                    reason = decided;
                }
            }
        }
        cancel.accept(reason);
    }
}
