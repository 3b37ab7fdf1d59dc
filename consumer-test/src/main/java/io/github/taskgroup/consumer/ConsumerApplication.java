package io.github.taskgroup.consumer;

import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The application a new user writes after reading the README: {@code ReadmeSnippetsIT} copies this file (and
 * {@code application.properties}) into a throwaway project whose POM holds the README's snippets, builds it
 * offline and starts it. It is compiled here too, so it cannot rot unnoticed.
 */
@SpringBootApplication
public class ConsumerApplication {

    public static void main(String[] args) {
        SpringApplication.run(ConsumerApplication.class, args);
    }

    @RestController
    static class ConsumerController {

        private final TaskGroupFactory taskGroups;

        ConsumerController(TaskGroupFactory taskGroups) {
            this.taskGroups = taskGroups;
        }

        /** The injected factory: a group of two tasks, joined. */
        @GetMapping("/factory")
        String factory() throws InterruptedException {
            return this.taskGroups.run("consumer-factory", group -> {
                Task<Integer> left = group.fork("left", () -> 6 * 7);
                Task<String> right = group.fork("right", () -> "forty-two");
                group.join();
                return "factory:" + left.get() + "," + right.get();
            });
        }

        /** The request-scoped group: a {@link TaskGroup} handler parameter. */
        @GetMapping("/request")
        String request(TaskGroup group) throws InterruptedException {
            Task<Integer> left = group.fork("left", () -> 6 * 7);
            Task<String> right = group.fork("right", () -> "forty-two");
            group.join();
            return "request:" + group.name() + ":" + left.get() + "," + right.get();
        }
    }
}
