package io.github.taskgroup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/** What a task that was being cancelled really failed with (the fast path for a bare echo included). */
class FailuresTest {

    @Test
    void aBareEchoCarriesNothing() {
        assertThat(Failures.genuineAfterCancellation(new InterruptedException()))
                .isNull();
        assertThat(Failures.genuineAfterCancellation(new RuntimeException("wrapped", new CancellationException())))
                .isNull();
    }

    @Test
    void aGenuineFailureIsItself() {
        IllegalStateException genuine = new IllegalStateException("boom");
        assertThat(Failures.genuineAfterCancellation(genuine)).isSameAs(genuine);
    }

    @Test
    void genuineFailuresRidingOnAnEchoAreFoundAnywhereOnItsCauseChain() {
        IllegalStateException first = new IllegalStateException("first");
        IllegalArgumentException second = new IllegalArgumentException("second");
        InterruptedException echo = new InterruptedException();
        echo.addSuppressed(first);
        assertThat(Failures.genuineAfterCancellation(echo)).isSameAs(first);

        CancellationException cause = new CancellationException();
        cause.addSuppressed(second);
        RuntimeException outer = new RuntimeException("outer", cause);
        assertThat(Failures.genuineAfterCancellation(outer)).isSameAs(second);

        InterruptedException nested = new InterruptedException();
        InterruptedException innerEcho = new InterruptedException();
        IllegalStateException deep = new IllegalStateException("deep");
        innerEcho.addSuppressed(deep);
        nested.addSuppressed(innerEcho);
        assertThat(Failures.genuineAfterCancellation(nested)).isSameAs(deep);
    }
}
