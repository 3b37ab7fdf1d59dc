package io.github.taskgroup.autoconfigure.web.reactive;

import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.autoconfigure.web.AbstractHttp2StreamResetTests;
import io.github.taskgroup.autoconfigure.web.TaskRecorder;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** The endpoints of {@link AbstractHttp2StreamResetTests} on WebFlux. */
@RestController
class Http2ReactiveHandlers {

    private final TaskRecorder recorder;

    Http2ReactiveHandlers(TaskRecorder recorder) {
        this.recorder = recorder;
    }

    private static int port(ServerHttpRequest request) {
        InetSocketAddress remote = request.getRemoteAddress();
        return (remote != null) ? remote.getPort() : -1;
    }

    private static Mono<String> joined(TaskGroup group, String result) {
        return Mono.fromCallable(() -> {
                    group.join();
                    return result;
                })
                .subscribeOn(Schedulers.boundedElastic());
    }

    @GetMapping("/h2/port")
    String port2(ServerHttpRequest request) {
        return Integer.toString(port(request));
    }

    @GetMapping("/h2/slow")
    Mono<String> slow(TaskGroup group, ServerHttpRequest request, @RequestParam int n, @RequestParam String style) {
        AbstractHttp2StreamResetTests.slowPorts.add(port(request));
        CompletableFuture<String> done = new CompletableFuture<>();
        AtomicInteger left = new AtomicInteger(n);
        for (int i = 0; i < n; i++) {
            group.fork("slow-" + i, () -> {
                this.recorder.activeTaskThreads.add(Thread.currentThread());
                try {
                    Thread.sleep(60_000); // the workload: sleeps until interrupted
                } finally {
                    this.recorder.activeTaskThreads.remove(Thread.currentThread());
                }
                if (left.decrementAndGet() == 0) {
                    done.complete("done");
                }
                return "slow";
            });
        }
        return style.equals("async") ? Mono.fromFuture(done, true) : joined(group, "done");
    }

    @GetMapping("/h2/gated")
    Mono<String> gated(TaskGroup group, ServerHttpRequest request, @RequestParam int n) {
        for (int i = 0; i < n; i++) {
            group.fork("gated-" + i, this.recorder::gated);
        }
        return joined(group, "gated " + port(request));
    }
}
