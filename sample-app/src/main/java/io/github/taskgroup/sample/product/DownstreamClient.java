package io.github.taskgroup.sample.product;

import io.github.taskgroup.sample.downstream.Dependency;
import io.github.taskgroup.sample.downstream.DownstreamProperties;
import io.github.taskgroup.sample.downstream.Price;
import io.github.taskgroup.sample.downstream.Reviews;
import io.github.taskgroup.sample.downstream.Stock;
import java.net.http.HttpClient;
import java.time.Duration;
import org.springframework.core.env.Environment;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;

/**
 * Calls the downstream services with Spring's {@link RestClient}.
 *
 * <p>The request factory is the JDK {@link HttpClient} one: it waits for the response in an interruptible
 * {@code Future.get()} and, when the waiting thread is interrupted, cancels the exchange, which closes the
 * connection. So when a task group cancels a task (its thread is interrupted), the HTTP call really stops,
 * and the task ends with an {@code IOException} caused by the {@code InterruptedException}: an echo of the
 * cancellation, not a failure. (The JDK's {@code HttpURLConnection}, behind {@code SimpleClientHttpRequestFactory},
 * ignores interrupts and would keep the task running until the response arrives.)
 */
@Component
public class DownstreamClient {

    private final RestClient restClient;
    private final DownstreamProperties properties;
    private final Environment environment;

    DownstreamClient(RestClient.Builder builder, DownstreamProperties properties, Environment environment) {
        this.restClient = builder.requestFactory(interruptibleRequestFactory()).build();
        this.properties = properties;
        this.environment = environment;
    }

    /** @return a request factory whose blocking calls end when the calling thread is interrupted */
    public static ClientHttpRequestFactory interruptibleRequestFactory() {
        HttpClient httpClient = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        return new JdkClientHttpRequestFactory(httpClient);
    }

    public Price price(String id, Demo demo) {
        return call(Dependency.PRICE, id, demo, Price.class);
    }

    public Stock stock(String id, Demo demo) {
        return call(Dependency.STOCK, id, demo, Stock.class);
    }

    public Reviews reviews(String id, Demo demo) {
        return call(Dependency.REVIEWS, id, demo, Reviews.class);
    }

    private <T> T call(Dependency dependency, String id, Demo demo, Class<T> type) {
        try {
            return restClient
                    .get()
                    .uri(
                            baseUrl() + "/downstream/{dependency}/{id}?latencyMs={latencyMs}&fail={fail}",
                            dependency.value(),
                            id,
                            demo.latencyMs(),
                            demo.fails(dependency))
                    .retrieve()
                    .body(type);
        } catch (RestClientResponseException ex) {
            throw new DependencyFailedException(
                    dependency,
                    ex.getStatusCode().value(),
                    dependency.value() + " service answered "
                            + ex.getStatusCode().value());
        }
    }

    private String baseUrl() {
        String configured = properties.baseUrl();
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        return "http://127.0.0.1:" + environment.getRequiredProperty("local.server.port");
    }
}
