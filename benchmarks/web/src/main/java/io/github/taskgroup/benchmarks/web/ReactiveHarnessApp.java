package io.github.taskgroup.benchmarks.web;

import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.autoconfigure.web.TaskRecorder;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** The WebFlux application of {@link WebPerformanceHarness}'s HTTP/2 modes (Reactor Netty). */
@SpringBootConfiguration
@EnableAutoConfiguration
class ReactiveHarnessApp {

    @Bean
    TaskRecorder taskRecorder() {
        return new TaskRecorder();
    }

    @Bean
    WebPerformanceHarness.AbortClock abortClock() {
        return new WebPerformanceHarness.AbortClock();
    }

    @RestController
    static class Handlers {

        private final TaskRecorder recorder;

        Handlers(TaskRecorder recorder) {
            this.recorder = recorder;
        }

        /** {@code n} tasks that sleep until interrupted; the group is joined off the event loop. */
        @GetMapping("/blocking")
        Mono<String> blocking(TaskGroup group, @RequestParam int n) {
            for (int i = 0; i < n; i++) {
                group.fork(() -> {
                    this.recorder.activeTaskThreads.add(Thread.currentThread());
                    try {
                        Thread.sleep(600_000); // the workload: sleeps until interrupted
                        return "slow";
                    } finally {
                        this.recorder.activeTaskThreads.remove(Thread.currentThread());
                    }
                });
            }
            return Mono.fromCallable(() -> {
                        group.join();
                        return "done";
                    })
                    .subscribeOn(Schedulers.boundedElastic());
        }
    }
}
