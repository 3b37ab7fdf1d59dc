package io.github.taskgroup.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every query of the Grafana dashboard ({@code grafana/taskgroup-dashboard.json}) names only series that the
 * application exposes on {@code /actuator/prometheus}, with labels that those series have. (The end-to-end
 * script then runs every query against a real Prometheus and checks that it returns data.)
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "sample.downstream.price.latency=10ms",
            "sample.downstream.stock.latency=10ms",
            "sample.downstream.reviews.latency=1s",
            // A bulkhead with no queue, so that one request in flight makes the next one's forks refused (429).
            "taskgroup.limits.downstream.max-concurrency=3",
            "taskgroup.limits.downstream.max-queued=0"
        })
@AutoConfigureMetrics
class DashboardQueriesTest {

    static final Path DASHBOARD = Path.of("grafana/taskgroup-dashboard.json");

    private static final Pattern METRIC = Pattern.compile("\\btaskgroup_[a-z_]+\\b");
    private static final Pattern BY = Pattern.compile("\\bby\\s*\\(([^)]*)\\)");
    private static final Pattern MATCHER = Pattern.compile("([a-z_]+)\\s*(=~|!=|!~|=)\\s*\"");
    private static final Set<String> NOT_LABELS = Set.of("le");

    @LocalServerPort
    int port;

    /** @return every query of the dashboard, by panel title */
    static Map<String, List<String>> queries() throws Exception {
        JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
        Map<String, List<String>> queries = new LinkedHashMap<>();
        for (JsonNode panel : dashboard.get("panels")) {
            List<String> exprs = new ArrayList<>();
            for (JsonNode target : panel.get("targets")) {
                exprs.add(target.get("expr").asString());
            }
            queries.put(panel.get("title").asString(), exprs);
        }
        return queries;
    }

    @Test
    void everyPanelHasQueries() throws Exception {
        Map<String, List<String>> queries = queries();
        assertThat(queries).hasSizeGreaterThanOrEqualTo(6);
        assertThat(queries.values())
                .allSatisfy(exprs -> assertThat(exprs)
                        .isNotEmpty()
                        .allSatisfy(expr ->
                                assertThat(METRIC.matcher(expr).find()).as(expr).isTrue()));
    }

    @Test
    void everyQueryNamesExposedSeriesAndLabels() throws Exception {
        // Traffic that makes every kind of series appear: successes, a failure (cancellations), a timeout, a
        // refused fork.
        assertThat(Http.get(port, "/api/products/1").status()).isEqualTo(200);
        assertThat(Http.get(port, "/api/products/2?fail=stock").status()).isEqualTo(502);
        assertThat(Http.get(port, "/api/products/3/lenient?fail=reviews").status())
                .isEqualTo(200);
        // A refused fork: while a slow request holds every permit of the bulkhead, the next one gets 429.
        CompletableFuture<Http.Response> slow =
                CompletableFuture.supplyAsync(() -> Http.get(port, "/api/products/slow?latencyMs=1500"));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> Http.get(port, "/api/products/refused").status() == 429);
        assertThat(slow.get(30, TimeUnit.SECONDS).status()).isEqualTo(504);

        String scrape = Http.get(port, "/actuator/prometheus").body();
        Assumptions.assumeTrue(
                scrape.contains("taskgroup_tasks_spawned_tasks_total"),
                "the taskgroup meters (issue 4) are not in this build yet");
        Map<String, Set<String>> labels = labelsBySeries(scrape);

        queries().forEach((title, exprs) -> {
            for (String expr : exprs) {
                Set<String> metrics = new LinkedHashSet<>();
                Matcher metric = METRIC.matcher(expr);
                while (metric.find()) {
                    metrics.add(metric.group());
                }
                for (String name : metrics) {
                    assertThat(labels)
                            .as("panel '%s': series %s of %s", title, name, expr)
                            .containsKey(name);
                }
                for (String label : usedLabels(expr)) {
                    assertThat(metrics)
                            .as("panel '%s': label '%s' of %s", title, label, expr)
                            .anySatisfy(name -> assertThat(labels.get(name)).contains(label));
                }
            }
        });
    }

    /**
     * The dashboard reads the one family per concept that the application exports: the metrics listener's. The
     * timers and long task timers that a meter observation handler would derive from the observations
     * ({@code taskgroup.group}, {@code taskgroup.task}) are neither exported nor queried.
     */
    @Test
    void theObservationsMakeNoSecondMeterFamily() throws Exception {
        assertThat(Http.get(port, "/api/products/4").status()).isEqualTo(200);
        Set<String> series =
                labelsBySeries(Http.get(port, "/actuator/prometheus").body()).keySet();
        Pattern removed = Pattern.compile("taskgroup_(group|task)(_active)?_seconds(_[a-z_]+)?");
        assertThat(series)
                .filteredOn(name -> name.startsWith("taskgroup_"))
                .isNotEmpty()
                .noneMatch(name -> removed.matcher(name).matches())
                .contains(
                        "taskgroup_task_duration_seconds_count",
                        "taskgroup_group_duration_seconds_count",
                        "taskgroup_tasks_active_tasks",
                        "taskgroup_groups_active_groups");
        queries()
                .forEach((title, exprs) -> assertThat(exprs)
                        .as(title)
                        .noneMatch(expr -> removed.matcher(expr).find()));
        // Boot's meter observation handler is on all the same: it still times the HTTP requests.
        assertThat(series).contains("http_server_requests_seconds_count");
    }

    private static Set<String> usedLabels(String expr) {
        Set<String> used = new LinkedHashSet<>();
        Matcher by = BY.matcher(expr);
        while (by.find()) {
            for (String label : by.group(1).split(",")) {
                if (!label.isBlank() && !NOT_LABELS.contains(label.trim())) {
                    used.add(label.trim());
                }
            }
        }
        Matcher matcher = MATCHER.matcher(expr);
        while (matcher.find()) {
            used.add(matcher.group(1));
        }
        return used;
    }

    /** Series name (as written in a scrape) to the label names it carries. */
    static Map<String, Set<String>> labelsBySeries(String scrape) {
        Map<String, Set<String>> labels = new LinkedHashMap<>();
        // Label values may hold braces ('GET /api/products/{id}'): the labels run to the last '}'.
        Pattern line = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})?\\s+\\S+$");
        Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");
        for (String row : scrape.lines().toList()) {
            if (row.startsWith("#")) {
                continue;
            }
            Matcher m = line.matcher(row);
            if (!m.find()) {
                continue;
            }
            Set<String> names = labels.computeIfAbsent(m.group(1), key -> new LinkedHashSet<>());
            if (m.group(3) != null) {
                Matcher l = label.matcher(m.group(3));
                while (l.find()) {
                    names.add(l.group(1));
                }
            }
        }
        return labels;
    }
}
