package io.github.taskgroup.autoconfigure.web.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.taskgroup.web.RequestTaskGroup;
import io.github.taskgroup.web.RequestTaskGroupRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.test.system.CapturedOutput;

/** A real HTTP client, and the checks shared by the status tests of every stack. */
final class StatusHttp {

    static final Duration WAIT = Duration.ofSeconds(10);

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(WAIT).build();

    private StatusHttp() {}

    static CompletableFuture<HttpResponse<String>> getAsync(int port, String path) {
        return CLIENT.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(20))
                        .header("Accept", "application/json, application/problem+json")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(int port, String path) throws Exception {
        return getAsync(port, path).get();
    }

    static HttpResponse<String> delete(int port, String path) throws Exception {
        return CLIENT.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .DELETE()
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** @return the id of the open request group with this name */
    static long groupId(RequestTaskGroupRegistry registry, String name) {
        for (RequestTaskGroup scope : registry.snapshot()) {
            var group = scope.peek();
            if (group.isPresent() && group.get().name().equals(name)) {
                return group.get().id();
            }
        }
        throw new AssertionError("No open request group " + name + " in " + registry.snapshot());
    }

    /** The body in the application's error style, with the group and the reason but no exception message. */
    static void assertBody(HttpResponse<String> response, boolean problem, int status, String group, String reason) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        String body = response.body().replace(" ", "");
        if (problem) {
            assertThat(contentType).startsWith("application/problem+json");
            assertThat(body)
                    .contains("\"status\":" + status)
                    .contains("\"taskGroup\":\"" + group.replace(" ", "") + "\"")
                    .contains("\"reason\":\"" + reason + "\"");
        } else {
            assertThat(contentType).startsWith("application/json");
            assertThat(body).contains("\"status\":" + status).contains("\"error\":");
            assertThat(body).doesNotContain("\"message\"");
        }
        assertThat(body).doesNotContain("timedoutafter").doesNotContain("secret");
    }

    /** @return how many WARN lines answered this group */
    static int warnLines(CapturedOutput output, String group, String reason, int status) {
        Matcher matcher = Pattern.compile("WARN .*Request group '" + Pattern.quote(group) + "' \\(route "
                        + Pattern.quote(group) + "\\) [a-z ]+: " + Pattern.quote(reason) + "; answered " + status)
                .matcher(output.getAll());
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }

    /** @return how many times the pattern matches the output */
    static int countMatches(CapturedOutput output, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(output.getAll());
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }

    static void assertNoErrorLogged(CapturedOutput output) {
        assertThat(output.getAll()).doesNotContain(" ERROR ").doesNotContain("\tat ");
    }
}
