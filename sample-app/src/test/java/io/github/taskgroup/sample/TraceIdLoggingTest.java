package io.github.taskgroup.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.micrometer.tracing.test.autoconfigure.AutoConfigureTracing;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Every log line of a request carries its trace id: the request thread's, the tasks' (the starter propagates
 * the observation into tasks) and the downstream services' (the RestClient propagates the trace over HTTP).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureTracing
@ExtendWith(OutputCaptureExtension.class)
class TraceIdLoggingTest {

    private static final Pattern TRACE = Pattern.compile("\\[([0-9a-f]{32})-[0-9a-f]{16}\\]");

    @LocalServerPort
    int port;

    @Test
    void theTraceIdIsInEveryLineOfTheRequest(CapturedOutput output) {
        assertThat(Http.get(port, "/api/products/trace-me").status()).isEqualTo(200);

        List<String> lines = output.getOut()
                .lines()
                .filter(line -> line.contains("trace-me") || line.contains(" fetched in "))
                .toList();
        String pageReady = lines.stream()
                .filter(line -> line.contains("product trace-me: page ready"))
                .findFirst()
                .orElseThrow();
        Matcher matcher = TRACE.matcher(pageReady);
        assertThat(matcher.find()).as("trace id in %s", pageReady).isTrue();
        String traceId = matcher.group(1);

        assertThat(lines)
                .filteredOn(line -> line.contains(" fetched in "))
                .hasSize(3)
                .allSatisfy(line -> assertThat(line).contains("[" + traceId + "-"));
        assertThat(lines)
                .filteredOn(line -> line.contains("for product trace-me: working"))
                .hasSize(3)
                .allSatisfy(line -> assertThat(line).contains("[" + traceId + "-"));
    }
}
