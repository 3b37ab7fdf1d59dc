package io.github.taskgroup.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.sample.reactive.ReactiveSampleApplication;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;

/**
 * {@link ProductEndpointsContract} on the WebFlux variant ({@link ReactiveSampleApplication} under its profile,
 * on Reactor Netty): the request group is closed as the response goes out, so what it tells the listener is
 * awaited. No bounded-elastic thread runs a task or closes a group, and the JVM never starts one.
 */
@SpringBootTest(classes = ReactiveSampleApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles(ReactiveSampleApplication.PROFILE)
@Import(ProductEndpointsContract.Listener.class)
class WebFluxProductEndpointsTest extends ProductEndpointsContract {

    static final Duration WAIT = Duration.ofSeconds(10);

    @Autowired
    TaskGroupFactory taskGroups;

    @Autowired
    ApplicationContext context;

    @Override
    void awaitPreviousRequestGroupClosed() {
        // On WebFlux the request group is closed as the response goes out: wait for the previous one.
        await().atMost(WAIT).until(() -> taskGroups.liveGroups().isEmpty());
    }

    @Override
    void awaitAfterResponse(Callable<Boolean> condition) {
        await().atMost(WAIT).until(condition);
    }

    @AfterEach
    void noBoundedElasticThread() {
        assertThat(listener.threads).noneMatch(name -> name.contains("boundedElastic"));
        // No bounded-elastic worker ever started in this JVM ("boundedElastic-evictor-1" is the scheduler's
        // housekeeping thread, started when something asks for the scheduler, not a worker).
        assertThat(Thread.getAllStackTraces().keySet())
                .extracting(Thread::getName)
                .noneMatch(name -> name.matches("boundedElastic-\\d+"));
    }

    @Test
    void itIsAReactiveApplicationOnReactorNetty() {
        assertThat(((WebServerApplicationContext) context)
                        .getWebServer()
                        .getClass()
                        .getSimpleName())
                .isEqualTo("NettyWebServer");
    }

    @Override
    @RepeatedTest(3)
    void allSucceedAndTheGroupTakesAsLongAsTheSlowestCallNotTheSum() {
        super.allSucceedAndTheGroupTakesAsLongAsTheSlowestCallNotTheSum();
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void theBlockingCallsRunOnVirtualThreads() {
        assertThat(Http.get(port, "/api/products/7").status()).isEqualTo(200);
        assertThat(listener.virtualTaskThreads).hasSize(3).containsOnly(true);
    }

    @Override
    @RepeatedTest(3)
    void oneFailsTheOthersAreCancelledAtOnceAndTheErrorNamesTheDependency() {
        super.oneFailsTheOthersAreCancelledAtOnceAndTheErrorNamesTheDependency();
    }
}
