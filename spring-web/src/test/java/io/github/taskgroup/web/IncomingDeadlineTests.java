package io.github.taskgroup.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.github.taskgroup.TaskGroupOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The rule of {@link IncomingDeadline}: parsing, the min rule, the margin, the time since arrival. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class IncomingDeadlineTests {

    private final List<IncomingDeadline.Outcome> told = new ArrayList<>();

    private final IncomingDeadline rule = IncomingDeadline.builder()
            .extraHeaderNames(List.of("x-envoy-expected-rq-timeout-ms"))
            .margin(Duration.ofMillis(5))
            .listener(this.told::add)
            .build();

    private static final TaskGroupOptions TEN_SECONDS =
            TaskGroupOptions.builder().timeout(Duration.ofSeconds(10)).build();

    @Test
    void only_whole_non_negative_numbers_of_at_most_12_digits_are_values() {
        assertThat(IncomingDeadline.parse(" 1500 ")).isEqualTo(1500);
        assertThat(IncomingDeadline.parse("0")).isZero();
        for (String bad : List.of("", " ", "-5", "+5", "1.5", "1e3", "abc", "9999999999999")) {
            assertThat(IncomingDeadline.parse(bad)).as(bad).isEqualTo(-1);
        }
    }

    @Test
    void the_budget_counts_from_arrival_less_the_margin_and_only_shortens() {
        long arrived = 1_000_000_000L;
        IncomingDeadline.Received received = this.rule
                .read(Map.of("X-Request-Timeout-Ms", "2000")::get, arrived)
                .orElseThrow();
        long later = arrived + Duration.ofMillis(100).toNanos();
        TaskGroupOptions adopted = received.applyTo(TEN_SECONDS, later);
        assertThat(adopted.timeout()).contains(Duration.ofMillis(2000 - 5 - 100));
        assertThat(adopted.attributes())
                .containsExactly(
                        Map.entry("taskgroup.received-timeout-ms", "2000"),
                        Map.entry("taskgroup.received-timeout-outcome", "adopted"));
        assertThat(received.applyTo(TaskGroupOptions.defaults(), later).timeout())
                .contains(Duration.ofMillis(1895));
        TaskGroupOptions oneSecond = TaskGroupOptions.builder()
                .timeout(Duration.ofSeconds(1))
                .attribute("route", "orders")
                .attribute(IncomingDeadline.RECEIVED_OUTCOME_KEY, "configured")
                .build();
        TaskGroupOptions kept = received.applyTo(oneSecond, later);
        assertThat(kept.timeout()).contains(Duration.ofSeconds(1));
        assertThat(kept.attributes())
                .containsExactly(
                        Map.entry("taskgroup.received-timeout-ms", "2000"),
                        Map.entry("taskgroup.received-timeout-outcome", "ignored-later"),
                        Map.entry("route", "orders"));
        assertThat(this.told)
                .containsExactly(
                        IncomingDeadline.Outcome.ADOPTED,
                        IncomingDeadline.Outcome.ADOPTED,
                        IncomingDeadline.Outcome.IGNORED_LATER);
    }

    @Test
    void a_used_up_budget_opens_the_group_with_its_deadline_passed() {
        IncomingDeadline.Received zero =
                this.rule.read(Map.of("X-Request-Timeout-Ms", "0")::get, 0L).orElseThrow();
        TaskGroupOptions expired = zero.applyTo(TEN_SECONDS, 0L);
        assertThat(expired.timeout()).contains(Duration.ofNanos(1));
        assertThat(expired.attributes())
                .containsEntry("taskgroup.received-timeout-ms", "0")
                .containsEntry("taskgroup.received-timeout-outcome", "expired");
        assertThat(this.told).containsExactly(IncomingDeadline.Outcome.EXPIRED);
    }

    @Test
    void the_smallest_valid_value_of_the_headers_wins_and_malformed_ones_are_told() {
        IncomingDeadline.Received received = this.rule
                .read(Map.of("X-Request-Timeout-Ms", "nope", "x-envoy-expected-rq-timeout-ms", "700")::get, 0L)
                .orElseThrow();
        assertThat(received.headerName()).isEqualTo("x-envoy-expected-rq-timeout-ms");
        assertThat(received.millis()).isEqualTo(700);
        assertThat(this.told).containsExactly(IncomingDeadline.Outcome.IGNORED_MALFORMED);
        assertThat(this.rule.read(Map.<String, String>of()::get, 0L)).isEmpty();
    }

    @Test
    void bad_settings_fail_when_built() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> IncomingDeadline.builder().margin(Duration.ofMillis(-1)))
                .withMessageContaining("margin");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> IncomingDeadline.builder().extraHeaderNames(List.of("bad name")))
                .withMessageContaining("bad name");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> IncomingDeadline.builder().defaultTimeout(Duration.ZERO))
                .withMessageContaining("defaultTimeout");
    }
}
