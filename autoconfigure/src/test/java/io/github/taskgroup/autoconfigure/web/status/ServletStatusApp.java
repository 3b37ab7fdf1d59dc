package io.github.taskgroup.autoconfigure.web.status;

import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupOptions;
import io.github.taskgroup.TaskGroupTimeoutException;
import io.github.taskgroup.autoconfigure.web.TaskRecorder;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.async.DeferredResult;

/** A servlet application whose request groups time out or are cancelled, in blocking and async handlers. */
@SpringBootConfiguration
@EnableAutoConfiguration
public class ServletStatusApp {

    /** The deadline of the request groups of the timeout routes. */
    static final String[] TIMEOUTS = {
        "taskgroup.groups.[GET /timeout].timeout=200ms",
        "taskgroup.groups.[GET /timeout-callable].timeout=200ms",
        "taskgroup.groups.[GET /own-timeout].timeout=200ms",
        "taskgroup.groups.[GET /advised-timeout].timeout=200ms"
    };

    @Bean
    TaskRecorder taskRecorder() {
        return new TaskRecorder();
    }

    @Bean
    JoinOutcomes joinOutcomes() {
        return new JoinOutcomes();
    }

    /** What each {@code join()} did: {@code returned} or the simple name of what it threw. */
    static class JoinOutcomes {
        final Queue<String> outcomes = new ConcurrentLinkedQueue<>();

        void join(TaskGroup group) throws InterruptedException {
            try {
                group.join();
                this.outcomes.add("returned");
            } catch (RuntimeException | InterruptedException ex) {
                this.outcomes.add(ex.getClass().getSimpleName());
                throw ex;
            }
        }
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

    /** Opens a nested group with one permit and no queue, and forks two tasks into it: the second is refused. */
    static void saturate(TaskGroupFactory factory, TaskRecorder recorder) {
        TaskGroupOptions oneAtATime =
                TaskGroupOptions.builder().maxConcurrency(1).maxQueued(0).build();
        try (TaskGroup nested = factory.open("saturated", oneAtATime)) {
            forkSlow(nested, 2, recorder); // the first holds the permit; the fork of the second is refused
        }
    }

    static void forkSlow(TaskGroup group, int n, TaskRecorder recorder) {
        for (int i = 0; i < n; i++) {
            group.fork("slow-" + i, () -> slow(recorder));
        }
    }

    @RestController
    static class WorkController {

        private final TaskRecorder recorder;

        private final JoinOutcomes joins;

        private final TaskGroupFactory factory;

        WorkController(TaskRecorder recorder, JoinOutcomes joins, TaskGroupFactory factory) {
            this.recorder = recorder;
            this.joins = joins;
            this.factory = factory;
        }

        @GetMapping("/work")
        String work(TaskGroup group, @RequestParam int n) throws InterruptedException {
            forkSlow(group, n, this.recorder);
            this.joins.join(group);
            return "done";
        }

        @GetMapping("/work-callable")
        Callable<String> workCallable(TaskGroup group, @RequestParam int n) {
            forkSlow(group, n, this.recorder);
            return () -> {
                this.joins.join(group);
                return "done";
            };
        }

        @GetMapping("/work-deferred")
        DeferredResult<String> workDeferred(TaskGroup group, @RequestParam int n) {
            forkSlow(group, n, this.recorder);
            return new DeferredResult<>(); // completed by the abort
        }

        @GetMapping("/timeout")
        String timeout(TaskGroup group) throws InterruptedException {
            forkSlow(group, 1, this.recorder);
            group.join();
            return "done";
        }

        @GetMapping("/timeout-callable")
        Callable<String> timeoutCallable(TaskGroup group) {
            forkSlow(group, 1, this.recorder);
            return () -> {
                group.join();
                return "done";
            };
        }

        /** Forks more than a nested group admits: the TaskRejectedException leaves the handler. */
        @GetMapping("/saturated")
        String saturated(TaskGroup group) {
            saturate(this.factory, this.recorder); // nested in the request's group, which is bound here
            return "never";
        }

        @GetMapping("/own-cancel")
        String ownCancel(TaskGroup group) throws InterruptedException {
            forkSlow(group, 2, this.recorder);
            group.cancel();
            this.joins.join(group);
            return "quiet";
        }
    }

    /** The application handles the timeout itself: its handler wins. */
    @RestController
    static class OwnHandlerController {

        private final TaskRecorder recorder;

        OwnHandlerController(TaskRecorder recorder) {
            this.recorder = recorder;
        }

        @GetMapping("/own-timeout")
        String ownTimeout(TaskGroup group) throws InterruptedException {
            forkSlow(group, 1, this.recorder);
            group.join();
            return "done";
        }

        @ExceptionHandler(TaskGroupTimeoutException.class)
        ResponseEntity<String> timedOut(TaskGroupTimeoutException ex) {
            return ResponseEntity.status(HttpStatus.I_AM_A_TEAPOT).body("mine");
        }
    }

    /** A controller whose timeouts the application's {@code @RestControllerAdvice} handles: the advice wins. */
    @RestController
    static class AdvisedController {

        private final TaskRecorder recorder;

        AdvisedController(TaskRecorder recorder) {
            this.recorder = recorder;
        }

        @GetMapping("/advised-timeout")
        String advisedTimeout(TaskGroup group) throws InterruptedException {
            forkSlow(group, 1, this.recorder);
            group.join();
            return "done";
        }
    }

    @RestControllerAdvice(assignableTypes = AdvisedController.class)
    static class TimeoutAdvice {

        @ExceptionHandler(TaskGroupTimeoutException.class)
        ResponseEntity<String> timedOut(TaskGroupTimeoutException ex) {
            return ResponseEntity.status(HttpStatus.I_AM_A_TEAPOT).body("advice");
        }
    }
}
