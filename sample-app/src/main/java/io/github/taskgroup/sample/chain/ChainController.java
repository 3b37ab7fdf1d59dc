package io.github.taskgroup.sample.chain;

import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.sample.product.DownstreamClient;
import io.github.taskgroup.web.RequestTaskGroupOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * One hop of the demo chain. Each hop's request group has a 2 s timeout; the deadline header that
 * taskgroup adds to the call to the next hop carries what is left of it, and the next hop's request group
 * adopts it when it is shorter. The last hop works for {@code workMs} in a task of its request group: when
 * the client at the front hangs up, every hop's group is cancelled in turn (each aborts its call to the
 * next, which closes the connection the next hop watches), and the work stops.
 */
@RestController
class ChainController {

    private static final Logger log = LoggerFactory.getLogger(ChainController.class);

    private final ChainProperties chain;
    private final RestClient next;
    private final String deadlineHeader;

    ChainController(
            ChainProperties chain,
            RestClient.Builder builder,
            @Value("${taskgroup.propagation.header-name:X-Request-Timeout-Ms}") String deadlineHeader) {
        this.chain = chain;
        // Boot's builder: the deadline header is added by taskgroup's customizer; the JDK client's factory
        // aborts the call when the task's thread is interrupted
        this.next = chain.next() == null
                ? null
                : builder.baseUrl(chain.next().toString())
                        .requestFactory(DownstreamClient.interruptibleRequestFactory())
                        .build();
        this.deadlineHeader = deadlineHeader;
    }

    @GetMapping("/api/chain")
    @RequestTaskGroupOptions(timeout = "2s")
    ChainAnswer hop(
            @RequestParam(defaultValue = "300") long workMs,
            @RequestHeader(name = "${taskgroup.propagation.header-name:X-Request-Timeout-Ms}", required = false)
                    String receivedHeader,
            TaskGroup group)
            throws InterruptedException {
        Long receivedTimeoutMs = parse(receivedHeader);
        Long deadlineInMs = group.deadline()
                .map(deadline -> Duration.between(Instant.now(), deadline).toMillis())
                .orElse(null);
        log.info(
                "chain {}: received {}={}, request group deadline in {} ms",
                chain.hop(),
                deadlineHeader,
                receivedTimeoutMs,
                deadlineInMs);
        if (next != null) {
            Task<ChainAnswer> call = group.fork(
                    "call " + chain.next().getPort(),
                    () -> next.get()
                            .uri("/api/chain?workMs={workMs}", workMs)
                            .retrieve()
                            .body(ChainAnswer.class));
            group.join();
            return new ChainAnswer(chain.hop(), receivedTimeoutMs, deadlineInMs, null, call.get());
        }
        Task<Long> work = group.fork("work", () -> work(workMs));
        group.join();
        return new ChainAnswer(chain.hop(), receivedTimeoutMs, deadlineInMs, work.get(), null);
    }

    /** The work at the back of the chain: interruptible, as work in a task should be. */
    private long work(long workMs) throws InterruptedException {
        long start = System.nanoTime();
        try {
            Thread.sleep(workMs);
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        } catch (InterruptedException ex) {
            log.info(
                    "chain {}: work stopped after {} ms: its request group was cancelled",
                    chain.hop(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            throw ex;
        }
    }

    /** @return the header's value as a number, or {@code null}: a malformed one is only shown, never a 400 */
    private static Long parse(String header) {
        try {
            return header == null ? null : Long.valueOf(header.trim());
        } catch (NumberFormatException ex) {
            return null;
        }
    }
}
