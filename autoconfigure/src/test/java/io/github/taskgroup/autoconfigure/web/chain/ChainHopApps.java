package io.github.taskgroup.autoconfigure.web.chain;

import io.github.taskgroup.CancellationReason;
import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupListener;
import java.time.Duration;
import java.time.Instant;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * One hop of a chain A -> B -> C: an application per hop, each on its own port. {@code /hop} forks one task into
 * the request group. A hop with a next one ({@code chain.next}) calls the next hop's {@code /hop} from that task
 * ("call"), with a client from Spring Boot's builder: a {@code RestClient} on Spring MVC, a {@code WebClient}
 * {@code block()}ed in the task on WebFlux. The last hop's task ("work") waits on a latch nobody counts down
 * ({@code work=block}) or answers at once. Each hop answers {@code <hop>:header=<received>;left=<ms>} followed by
 * the next hop's answer after a {@code |}.
 */
final class ChainHopApps {

    private ChainHopApps() {}

    /** The ends of a hop's tasks and the requests it received. */
    static final class HopRecorder implements TaskGroupListener {

        record Ended(
                String task, Task.State state, @Nullable CancellationReason reason) {}

        final Queue<String> started = new ConcurrentLinkedQueue<>();
        final Queue<Ended> ended = new ConcurrentLinkedQueue<>();
        final AtomicInteger arrivals = new AtomicInteger();

        @Override
        public void taskStarted(Task<?> task) {
            this.started.add(task.name());
        }

        @Override
        public void taskFinished(Task<?> task, long runNanos) {
            this.ended.add(new Ended(task.name(), task.state(), task.cancellationReason()));
        }

        void clear() {
            this.started.clear();
            this.ended.clear();
        }
    }

    /** The part of a hop that does not depend on the stack. */
    static final class Hop {

        final String name;
        final @Nullable String next;
        final HopRecorder recorder;

        Hop(String name, String next, HopRecorder recorder) {
            this.name = name;
            this.next = next.isBlank() ? null : next;
            this.recorder = recorder;
        }

        /** @return this hop's part of the answer: the header it received and its group's time left */
        String arrived(TaskGroup group, @Nullable String header) {
            this.recorder.arrivals.incrementAndGet();
            long left = group.deadline()
                    .map((deadline) -> Duration.between(Instant.now(), deadline).toMillis())
                    .orElse(-1L);
            return this.name + ":header=" + header + ";left=" + left;
        }

        String work(String work) throws InterruptedException {
            if (work.equals("block")) {
                new CountDownLatch(1).await(); // until the request group is cancelled
            }
            return "";
        }
    }

    /** The beans every hop has, whatever its stack. */
    @Configuration(proxyBeanMethods = false)
    static class HopBeans {

        @Bean
        HopRecorder hopRecorder() {
            return new HopRecorder();
        }

        @Bean
        Hop hop(@Value("${chain.hop}") String name, @Value("${chain.next:}") String next, HopRecorder recorder) {
            return new Hop(name, next, recorder);
        }
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(HopBeans.class)
    static class ServletHop {

        @RestController
        static class Handler {

            private final Hop hop;
            private final @Nullable RestClient client;

            Handler(Hop hop, RestClient.Builder builder) {
                this.hop = hop;
                this.client = (hop.next != null) ? builder.baseUrl(hop.next).build() : null;
            }

            @GetMapping("/hop")
            String hop(
                    TaskGroup group,
                    @RequestHeader(name = "X-Request-Timeout-Ms", required = false) String header,
                    @RequestParam(defaultValue = "none") String work)
                    throws InterruptedException {
                String mine = this.hop.arrived(group, header);
                RestClient client = this.client;
                Task<String> task = (client == null)
                        ? group.fork("work", () -> this.hop.work(work))
                        : group.fork(
                                "call",
                                () -> "|"
                                        + client.get()
                                                .uri("/hop?work={work}", work)
                                                .retrieve()
                                                .body(String.class));
                group.join();
                return mine + task.get();
            }
        }
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(HopBeans.class)
    static class ReactiveHop {

        @RestController
        static class Handler {

            private final Hop hop;
            private final @Nullable WebClient client;

            Handler(Hop hop, WebClient.Builder builder) {
                this.hop = hop;
                this.client = (hop.next != null) ? builder.baseUrl(hop.next).build() : null;
            }

            @GetMapping("/hop")
            Mono<String> hop(
                    TaskGroup group,
                    @RequestHeader(name = "X-Request-Timeout-Ms", required = false) String header,
                    @RequestParam(defaultValue = "none") String work) {
                String mine = this.hop.arrived(group, header);
                WebClient client = this.client;
                Task<String> task = (client == null)
                        ? group.fork("work", () -> this.hop.work(work))
                        : group.fork(
                                "call",
                                () -> "|"
                                        + client.get()
                                                .uri("/hop?work={work}", work)
                                                .retrieve()
                                                .bodyToMono(String.class)
                                                .block());
                return Mono.fromCallable(() -> {
                            group.join(); // off the event loop
                            return mine + task.get();
                        })
                        .subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic());
            }
        }
    }
}
