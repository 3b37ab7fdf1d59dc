package io.github.taskgroup.sample.reactive;

import io.github.taskgroup.sample.downstream.DownstreamProperties;
import io.github.taskgroup.sample.product.DownstreamClient;
import io.github.taskgroup.sample.product.ProductService;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/**
 * The WebFlux variant of the product page aggregator, on Reactor Netty: the same {@code GET /api/products/{id}}
 * (and {@code /lenient}) as {@link io.github.taskgroup.sample.SampleApplication}, whose handler forks the same three
 * blocking calls into its request group (on virtual threads on JDK 21+) and returns
 * {@code TaskGroupMono.join(group)}: no thread waits for them, no bounded-elastic thread is used. Its downstream
 * services answer without blocking ({@code Mono.delay}).
 *
 * <p>It runs under the profile {@value #PROFILE} ({@code application-webflux.yml}: a reactive web application, on
 * port 8090 unless {@code PORT} is set, Spring Boot's virtual threads on). A reactive application cannot share a
 * context with the servlet one, so it is a second application; the servlet one does not scan this package.
 */
@SpringBootApplication(
        excludeName = "org.springframework.boot.tomcat.autoconfigure.reactive.TomcatReactiveWebServerAutoConfiguration")
@EnableConfigurationProperties(DownstreamProperties.class)
@Import({ProductService.class, DownstreamClient.class})
public class ReactiveSampleApplication {

    /** The profile the WebFlux variant runs under. */
    public static final String PROFILE = "webflux";

    public static void main(String[] args) {
        new SpringApplicationBuilder(ReactiveSampleApplication.class)
                .profiles(PROFILE)
                .run(args);
    }
}
