package io.github.taskgroup.benchmarks.web;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupListener;
import io.github.taskgroup.reactor.TaskGroupMono;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * The three hops of {@link ChainHarness}: one application per hop, each on its own port. {@code /hop} forks one
 * task into the request group: on a hop with a next one ({@code chain.next}), the task calls the next hop's
 * {@code /hop} with a client from Spring Boot's builder (a {@code RestClient} on Spring MVC, a {@code WebClient}
 * {@code block()}ed in the task on WebFlux, where Boot defines no {@code RestClient.Builder}); on the last hop the
 * task waits on a latch nobody counts down ({@code chain.work=block}) or answers at once ({@code none}).
 */
final class ChainApps {

    private ChainApps() {}

    /** What one hop saw, for the harness: its tasks' ends, the header it received, its deadline. */
    static final class HopRecorder implements TaskGroupListener {

        record Ended(String task, Task.State state, CancellationReason reason, long nanos, Instant at) {}

        final String hop;
        final ConcurrentLinkedQueue<Ended> ended = new ConcurrentLinkedQueue<>();
        final AtomicInteger forked = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger openGroups = new AtomicInteger();
        volatile String received;
        /** The headers of the first request this hop received: what each client sends. */
        volatile String firstHeaders;

        volatile Instant deadline;
        /** Milliseconds left before the group's deadline just before the task called the next hop. */
        volatile long leftBeforeCall = -1;

        HopRecorder(String hop) {
            this.hop = hop;
        }

        void clear() {
            this.ended.clear();
            this.started.set(0);
            this.received = null;
            this.deadline = null;
            this.leftBeforeCall = -1;
        }

        boolean quiet() {
            return this.forked.get() == this.finished.get() && this.openGroups.get() == 0;
        }

        @Override
        public void groupOpened(TaskGroup group) {
            this.openGroups.incrementAndGet();
        }

        @Override
        public void groupClosed(TaskGroup group, TaskGroup.Outcome outcome, long durationNanos) {
            this.openGroups.decrementAndGet();
        }

        @Override
        public void taskForked(Task<?> task) {
            this.forked.incrementAndGet();
        }

        @Override
        public void taskStarted(Task<?> task) {
            this.started.incrementAndGet();
        }

        @Override
        public void taskFinished(Task<?> task, long runNanos) {
            long nanos = System.nanoTime();
            this.ended.add(new Ended(task.name(), task.state(), task.cancellationReason(), nanos, Instant.now()));
            this.finished.incrementAndGet();
        }
    }

    /** The work of one hop's task, the same on both stacks but for the client that calls the next hop. */
    static final class Hop {

        final HopRecorder recorder;
        final String next;
        final String work;

        Hop(HopRecorder recorder, String next, String work) {
            this.recorder = recorder;
            this.next = (next == null || next.isBlank()) ? null : next;
            this.work = work;
        }

        /** On the handler's thread: what the hop received and its group's deadline. */
        void arrived(TaskGroup group, String header) {
            this.recorder.received = header;
            this.recorder.deadline = group.deadline().orElse(null);
        }

        /** Just before the call to the next hop, on the task's thread. */
        void beforeCall(TaskGroup group) {
            group.deadline()
                    .ifPresent((deadline) -> this.recorder.leftBeforeCall =
                            Duration.between(Instant.now(), deadline).toMillis());
        }

        /** The last hop's work: wait until interrupted, or answer at once. */
        String work() throws InterruptedException {
            if (this.work.equals("block")) {
                new CountDownLatch(1).await(); // until the request group is cancelled
            }
            return "c";
        }
    }

    /** The beans every hop has, whatever its stack. */
    @Configuration(proxyBeanMethods = false)
    static class HopBeans {

        @Bean
        HopRecorder hopRecorder(@Value("${chain.hop}") String hop) {
            return new HopRecorder(hop);
        }

        @Bean
        Hop hop(HopRecorder recorder, @Value("${chain.next:}") String next, @Value("${chain.work:block}") String work) {
            return new Hop(recorder, next, work);
        }
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(HopBeans.class)
    static class ServletHopApp {

        @RestController
        static class Handler {

            private final Hop hop;
            private final RestClient client;

            Handler(
                    Hop hop,
                    RestClient.Builder builder,
                    @Value("${chain.noop-interceptor:false}") boolean noopInterceptor) {
                this.hop = hop;
                if (noopInterceptor) {
                    builder =
                            builder.requestInterceptor((request, body, execution) -> execution.execute(request, body));
                }
                this.client = (hop.next != null) ? builder.baseUrl(hop.next).build() : null;
            }

            /** The header read from the request as it is: {@code @RequestHeader} would convert a value when present
             * only, a cost the reference chain (no header) would not pay. */
            @GetMapping("/hop")
            String hop(TaskGroup group, HttpServletRequest request) throws InterruptedException {
                this.hop.arrived(group, request.getHeader("X-Request-Timeout-Ms"));
                if (this.hop.recorder.firstHeaders == null) {
                    StringBuilder headers = new StringBuilder();
                    request.getHeaderNames()
                            .asIterator()
                            .forEachRemaining((name) -> headers.append(name)
                                    .append(": ")
                                    .append(request.getHeader(name))
                                    .append("; "));
                    this.hop.recorder.firstHeaders = headers.toString();
                }
                Task<String> task = group.fork((this.client != null) ? "call" : "work", () -> {
                    if (this.client == null) {
                        return this.hop.work();
                    }
                    this.hop.beforeCall(group);
                    return this.hop.recorder.hop
                            + this.client.get().uri("/hop").retrieve().body(String.class);
                });
                group.join();
                return task.get();
            }
        }
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(HopBeans.class)
    static class ReactiveHopApp {

        @RestController
        static class Handler {

            private final Hop hop;
            private final WebClient client;

            Handler(Hop hop, WebClient.Builder builder) {
                this.hop = hop;
                this.client = (hop.next != null) ? builder.baseUrl(hop.next).build() : null;
            }

            /** The task blocks (on the latch, or on the call); the handler's Mono waits for the group. */
            @GetMapping("/hop")
            Mono<String> hop(TaskGroup group, ServerHttpRequest request) {
                this.hop.arrived(group, request.getHeaders().getFirst("X-Request-Timeout-Ms"));
                Task<String> task = group.fork((this.client != null) ? "call" : "work", () -> {
                    if (this.client == null) {
                        return this.hop.work();
                    }
                    this.hop.beforeCall(group);
                    return this.hop.recorder.hop
                            + this.client
                                    .get()
                                    .uri("/hop")
                                    .retrieve()
                                    .bodyToMono(String.class)
                                    .block();
                });
                return TaskGroupMono.join(group).then(Mono.fromCallable(task::get));
            }
        }
    }
}
