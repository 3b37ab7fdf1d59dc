package io.github.taskgroup.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.taskgroup.sample.reactive.ReactiveSampleApplication;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;

/**
 * {@link ClientHangsUpContract} on the WebFlux variant ({@link ReactiveSampleApplication} under its profile, on
 * Reactor Netty): hanging up cancels the handler's Mono, which cancels the request's group; no bounded-elastic
 * thread runs a task or closes it.
 */
@SpringBootTest(classes = ReactiveSampleApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles(ReactiveSampleApplication.PROFILE)
@Import(ClientHangsUpContract.Listener.class)
class WebFluxClientHangsUpTest extends ClientHangsUpContract {

    @BeforeEach
    void clear() {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> taskGroups.liveGroups().isEmpty());
        listener.clear();
    }

    @Override
    @RepeatedTest(3)
    void hangingUpCancelsTheThreeDownstreamCalls() throws Exception {
        super.hangingUpCancelsTheThreeDownstreamCalls();
        assertThat(listener.threads).noneMatch(name -> name.contains("boundedElastic"));
    }
}
