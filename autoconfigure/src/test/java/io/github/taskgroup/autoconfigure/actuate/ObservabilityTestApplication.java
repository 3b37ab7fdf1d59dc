package io.github.taskgroup.autoconfigure.actuate;

import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroupFactory;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A web application that uses task groups the way a user would: through the auto-configured factory in
 * request handlers. Its {@code /slow} request keeps a task parked on a latch until the test releases it.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(ObservabilityTestApplication.Handlers.class)
class ObservabilityTestApplication {

    @Bean
    Parking parking() {
        return new Parking();
    }

    /** Boot adds every ObservationHandler bean to its ObservationRegistry. */
    @Bean
    StoppedObservations stoppedObservations() {
        return new StoppedObservations();
    }

    /** Records the context of every stopped observation. */
    static class StoppedObservations implements ObservationHandler<Observation.Context> {

        final Queue<Observation.Context> contexts = new ConcurrentLinkedQueue<>();

        @Override
        public void onStop(Observation.Context context) {
            this.contexts.add(context);
        }

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }
    }

    /** The latches of the parked task of {@code /slow}; reset before every test. */
    static class Parking {

        volatile CountDownLatch parked = new CountDownLatch(1);

        volatile CountDownLatch release = new CountDownLatch(1);

        void reset() {
            this.release.countDown(); // a request left over from an earlier test must not hang
            this.parked = new CountDownLatch(1);
            this.release = new CountDownLatch(1);
        }
    }

    @RestController
    static class Handlers {

        private final TaskGroupFactory taskGroups;

        private final Parking parking;

        Handlers(TaskGroupFactory taskGroups, Parking parking) {
            this.taskGroups = taskGroups;
            this.parking = parking;
        }

        /** Parks one task until the test releases it; answers with the task's final state. */
        @GetMapping("/slow")
        String slow() throws InterruptedException {
            CountDownLatch parked = this.parking.parked;
            CountDownLatch release = this.parking.release;
            return this.taskGroups.run("slow-request", (group) -> {
                Task<String> task = group.fork("parked", () -> {
                    parked.countDown();
                    release.await();
                    return "released";
                });
                group.join();
                return task.state().name().toLowerCase(Locale.ROOT);
            });
        }

        /** Three quick tasks, in a group named by the test (so that tests sharing the context do not mix). */
        @GetMapping("/fast")
        Integer fast(@RequestParam("group") String name) throws InterruptedException {
            return this.taskGroups.run(name, (group) -> {
                Task<Integer> a = group.fork("a", () -> 1);
                Task<Integer> b = group.fork("b", () -> 2);
                Task<Integer> c = group.fork("c", () -> 3);
                group.join();
                return a.get() + b.get() + c.get();
            });
        }
    }

    /** A small real HTTP client for the tests. */
    static final class Client {

        private final HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

        private final int port;

        Client(int port) {
            this.port = port;
        }

        HttpRequest.Builder request(String path) {
            return HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
                    .timeout(Duration.ofSeconds(30));
        }

        HttpResponse<String> get(String path) throws Exception {
            return this.http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> delete(String path) throws Exception {
            return this.http.send(request(path).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        }

        java.util.concurrent.CompletableFuture<HttpResponse<String>> getAsync(String path) {
            return this.http.sendAsync(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
