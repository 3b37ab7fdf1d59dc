package io.github.taskgroup.autoconfigure.web.incoming;

import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import java.util.concurrent.CountDownLatch;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Incoming deadlines on WebFlux and Reactor Netty; {@code /a} calls {@code /b} with a {@code WebClient}. */
@SpringBootTest(
        classes = WebFluxIncomingDeadlineTests.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.main.web-application-type=reactive",
            "spring.autoconfigure.exclude=org.springframework.boot.tomcat.autoconfigure.reactive."
                    + "TomcatReactiveWebServerAutoConfiguration,org.springframework.boot.jetty.autoconfigure."
                    + "reactive.JettyReactiveWebServerAutoConfiguration",
            "taskgroup.default-timeout=60s",
            "taskgroup.propagation.incoming.extra-header-names=x-envoy-expected-rq-timeout-ms"
        })
class WebFluxIncomingDeadlineTests extends AbstractIncomingDeadlineTests {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @Bean
        Handlers handlers(WebClient.Builder clients) {
            return new Handlers(clients.build());
        }
    }

    @RestController
    static class Handlers {

        private final WebClient client;

        Handlers(WebClient client) {
            this.client = client;
        }

        @GetMapping("/a")
        Mono<String> a(TaskGroup group, ServerHttpRequest request) {
            String mine = describe(group, "-");
            String url = "http://localhost:" + request.getLocalAddress().getPort() + "/b";
            Task<String> call = group.fork(() -> this.client
                    .get()
                    .uri(url)
                    .retrieve()
                    .bodyToMono(String.class)
                    .block());
            return Mono.fromCallable(() -> {
                        group.join();
                        return "aLeft=" + parse(mine).get("left") + ";" + call.get();
                    })
                    .subscribeOn(Schedulers.boundedElastic());
        }

        @GetMapping("/b")
        String b(TaskGroup group, @RequestHeader(name = "X-Request-Timeout-Ms", required = false) String header) {
            return describe(group, String.valueOf(header));
        }

        @GetMapping("/wait")
        Mono<String> waitForever(TaskGroup group) {
            group.fork(() -> {
                new CountDownLatch(1).await(); // until the deadline cancels it
                return null;
            });
            return Mono.fromCallable(() -> {
                        group.join();
                        return "done";
                    })
                    .subscribeOn(Schedulers.boundedElastic());
        }
    }
}
