package io.github.taskgroup.web.client;

import io.github.taskgroup.CurrentTaskGroup;
import io.github.taskgroup.TaskGroup;
import java.util.Objects;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import reactor.core.publisher.Mono;

/**
 * Adds the remaining time of the calling task group to every exchange of a {@code WebClient} (see
 * {@link DeadlinePropagation} for the rule and {@link DeadlinePropagationInterceptor} for what happens with no
 * group, a deadline, a header the caller set, or a deadline that has passed: the exchange then fails with
 * {@link io.github.taskgroup.TaskGroupTimeoutException} and nothing is sent).
 *
 * <p><b>Which group.</b> A {@code WebClient} runs its filters when the exchange is <em>subscribed</em>, not when
 * the request is built. The group is:
 *
 * <ol>
 *   <li>the {@link CurrentTaskGroup#get() current group} of the thread that subscribes: a task that calls
 *       {@code .block()}, {@code .toFuture()} or {@code .subscribe()} is that thread, so a call made from inside a
 *       task carries the task's group;
 *   <li>otherwise, a {@link TaskGroup} in the Reactor context under the key {@code TaskGroup.class}, for a
 *       pipeline subscribed elsewhere (a WebFlux handler's returned {@code Mono}, subscribed by the framework
 *       on an event-loop thread where no group is current):
 *       {@code webClient.get().uri(u).retrieve().bodyToMono(String.class).contextWrite(Context.of(TaskGroup.class, group))}.
 * </ol>
 *
 * Each subscription (each retry, for example) computes the time left anew.
 *
 * <p>Spring Boot's {@code WebClient.Builder} gets it without code (the starter's {@code WebClientCustomizer}); a
 * client built by hand adds it with {@code WebClient.builder().filter(new DeadlinePropagationFilter(rule))}.
 */
public final class DeadlinePropagationFilter implements ExchangeFilterFunction {

    private final DeadlinePropagation propagation;

    /** @param propagation the rule */
    public DeadlinePropagationFilter(DeadlinePropagation propagation) {
        this.propagation = Objects.requireNonNull(propagation, "propagation");
    }

    @Override
    public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
        // On the subscribing thread: the current group first, then the Reactor context.
        TaskGroup current = CurrentTaskGroup.get().orElse(null);
        return Mono.deferContextual((context) -> {
            @Nullable TaskGroup group = current != null ? current : context.getOrDefault(TaskGroup.class, null);
            OptionalLong remaining;
            try {
                remaining = this.propagation.remainingMillis(group, request.method() + " " + request.url());
            } catch (RuntimeException expired) {
                return Mono.error(expired);
            }
            if (remaining.isEmpty()) {
                return next.exchange(request);
            }
            String name = this.propagation.headerName();
            String value = DeadlinePropagation.merge(request.headers().getFirst(name), remaining.getAsLong());
            return next.exchange(ClientRequest.from(request)
                    .headers((headers) -> headers.set(name, value))
                    .build());
        });
    }
}
