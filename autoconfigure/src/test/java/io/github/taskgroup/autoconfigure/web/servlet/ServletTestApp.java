package io.github.taskgroup.autoconfigure.web.servlet;

import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.autoconfigure.web.TaskRecorder;
import io.github.taskgroup.web.RequestTaskGroupOptions;
import io.github.taskgroup.web.RequestTaskGroups;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.context.request.async.WebAsyncTask;

/** A servlet application with slow endpoints of every handler style. */
@SpringBootConfiguration
@EnableAutoConfiguration
public class ServletTestApp {

    @Bean
    TaskRecorder taskRecorder() {
        return new TaskRecorder();
    }

    /** The work of a slow task: it sleeps until interrupted (that is the workload, not a test wait). */
    static String slow(TaskRecorder recorder) throws InterruptedException {
        recorder.activeTaskThreads.add(Thread.currentThread());
        try {
            Thread.sleep(60_000);
            return "slow";
        } finally {
            recorder.activeTaskThreads.remove(Thread.currentThread());
        }
    }

    /** Handlers with {@code @RequestTaskGroupOptions}. */
    @RestController
    static class OptionsController {

        private final TaskRecorder recorder;

        OptionsController(TaskRecorder recorder) {
            this.recorder = recorder;
        }

        @GetMapping("/opts/timeout")
        @RequestTaskGroupOptions(timeout = "200ms")
        String timeout(TaskGroup group) throws InterruptedException {
            group.fork("slow", () -> slow(this.recorder));
            group.join(); // throws TaskGroupTimeoutException
            return "never";
        }

        /** Overridden by taskgroup.groups.[GET /opts/policy].policy in the tests that use it. */
        @GetMapping("/opts/policy")
        @RequestTaskGroupOptions(policy = "supervise", timeout = "${test.policy-timeout:7s}")
        String policy(TaskGroup group) {
            return group.policy() + " " + group.deadline().isPresent();
        }

        @GetMapping("/opts/optout")
        @RequestTaskGroupOptions(cancelOnDisconnect = false)
        String optOut(TaskGroup group, @RequestParam int n) throws InterruptedException {
            for (int i = 0; i < n; i++) {
                group.fork("gated-" + i, this.recorder::gated);
            }
            group.join();
            return "done";
        }
    }

    /** A class-level annotation. */
    @RestController
    @RequestTaskGroupOptions(policy = "first-success")
    static class ClassLevelOptionsController {

        @GetMapping("/opts/class")
        String policy(TaskGroup group) {
            return group.policy() + " " + group.deadline().isPresent();
        }
    }

    /** Registered as a member class of the configuration. */
    @RestController
    static class SlowController {

        private final TaskRecorder recorder;

        private final TaskGroupFactory factory;

        private final RequestTaskGroups groups;

        SlowController(TaskRecorder recorder, TaskGroupFactory factory, RequestTaskGroups groups) {
            this.recorder = recorder;
            this.factory = factory;
            this.groups = groups;
        }

        private void forkSlow(TaskGroup group, int n, Runnable onSuccess) {
            AtomicInteger left = new AtomicInteger(n);
            for (int i = 0; i < n; i++) {
                group.fork("slow-" + i, () -> {
                    String result = slow(this.recorder);
                    if (left.decrementAndGet() == 0) {
                        onSuccess.run();
                    }
                    return result;
                });
            }
        }

        @GetMapping("/blocking")
        String blocking(TaskGroup group, @RequestParam int n) throws InterruptedException {
            forkSlow(group, n, () -> {});
            group.join();
            return "done";
        }

        /** The group opens (first parameter) before the body is read (second): the body arrives on a watched connection. */
        @PostMapping("/body")
        String body(TaskGroup group, @RequestBody String body, @RequestParam int n) throws InterruptedException {
            forkSlow(group, n, () -> {});
            group.join();
            return body;
        }

        @GetMapping("/nested")
        String nested(TaskGroup group, @RequestParam int n) throws InterruptedException {
            // Opened on the request thread while the request group is bound: a child of it.
            try (TaskGroup nested = this.factory.open("nested")) {
                forkSlow(nested, n, () -> {});
                nested.join();
            }
            return "done";
        }

        @GetMapping("/callable")
        Callable<String> callable(TaskGroup group, @RequestParam int n) {
            forkSlow(group, n, () -> {});
            return () -> {
                group.join();
                return "done";
            };
        }

        @GetMapping("/webasync")
        WebAsyncTask<String> webAsync(TaskGroup group, @RequestParam int n) {
            forkSlow(group, n, () -> {});
            return new WebAsyncTask<>(() -> {
                group.join();
                return "done";
            });
        }

        @GetMapping("/deferred")
        DeferredResult<String> deferred(TaskGroup group, @RequestParam int n) {
            DeferredResult<String> result = new DeferredResult<>();
            forkSlow(group, n, () -> result.setResult("done"));
            return result;
        }

        @GetMapping("/future")
        CompletableFuture<String> future(@RequestParam int n) {
            CompletableFuture<String> result = new CompletableFuture<>();
            // The accessor gives the same group as the handler parameter.
            forkSlow(this.groups.current(), n, () -> result.complete("done"));
            return result;
        }

        @GetMapping("/fast")
        String fast(TaskGroup group, @RequestParam long ms) throws InterruptedException {
            for (int i = 0; i < 2; i++) {
                group.fork(() -> {
                    Thread.sleep(ms); // the workload
                    return "x";
                });
            }
            group.join();
            return "ok";
        }

        @GetMapping("/leftover")
        String leftover(TaskGroup group, @RequestParam int n) {
            forkSlow(group, n, () -> {});
            return "left";
        }

        @GetMapping("/plain")
        String plain() {
            return "plain";
        }
    }
}
