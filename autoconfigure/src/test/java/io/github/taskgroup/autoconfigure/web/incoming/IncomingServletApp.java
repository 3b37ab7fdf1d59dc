package io.github.taskgroup.autoconfigure.web.incoming;

import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import jakarta.servlet.http.HttpServletRequest;
import java.util.concurrent.CountDownLatch;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/** The servlet application of the incoming-deadline tests: {@code /a} calls {@code /b} from a task. */
@SpringBootConfiguration
@EnableAutoConfiguration
class IncomingServletApp {

    @RestController
    static class Handlers {

        private final RestClient client;

        Handlers(RestClient.Builder clients) {
            this.client = clients.build();
        }

        @GetMapping("/a")
        String a(TaskGroup group, HttpServletRequest request) throws Exception {
            String mine = AbstractIncomingDeadlineTests.describe(group, "-");
            String url = "http://localhost:" + request.getLocalPort() + "/b";
            Task<String> call =
                    group.fork(() -> this.client.get().uri(url).retrieve().body(String.class));
            group.join();
            return "aLeft=" + AbstractIncomingDeadlineTests.parse(mine).get("left") + ";" + call.get();
        }

        @GetMapping("/b")
        String b(TaskGroup group, @RequestHeader(name = "X-Request-Timeout-Ms", required = false) String header) {
            return AbstractIncomingDeadlineTests.describe(group, String.valueOf(header));
        }

        @GetMapping("/wait")
        String waitForever(TaskGroup group) throws Exception {
            group.fork(() -> {
                new CountDownLatch(1).await(); // until the deadline cancels it
                return null;
            });
            group.join();
            return "done";
        }
    }
}
