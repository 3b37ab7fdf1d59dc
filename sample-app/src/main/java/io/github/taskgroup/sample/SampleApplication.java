package io.github.taskgroup.sample;

import io.github.taskgroup.sample.reactive.ReactiveSampleApplication;
import java.util.Arrays;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.AutoConfigurationExcludeFilter;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;

/**
 * A product page aggregator: {@code GET /api/products/{id}} fetches price, stock and reviews from three
 * downstream services (HTTP endpoints of this same application, called over loopback) concurrently, in a task
 * group, and combines them.
 *
 * <p>With the argument {@code --webflux} it starts the WebFlux variant instead
 * ({@link ReactiveSampleApplication}), whose package this servlet application does not scan.
 */
@SpringBootApplication
@ComponentScan(
        excludeFilters = {
            @ComponentScan.Filter(type = FilterType.CUSTOM, classes = TypeExcludeFilter.class),
            @ComponentScan.Filter(type = FilterType.CUSTOM, classes = AutoConfigurationExcludeFilter.class),
            @ComponentScan.Filter(type = FilterType.REGEX, pattern = "io\\.github\\.taskgroup\\.sample\\.reactive\\..*")
        })
@ConfigurationPropertiesScan
public class SampleApplication {

    public static void main(String[] args) {
        List<String> arguments = Arrays.asList(args);
        if (arguments.contains("--webflux")) {
            ReactiveSampleApplication.main(
                    arguments.stream().filter(arg -> !arg.equals("--webflux")).toArray(String[]::new));
            return;
        }
        SpringApplication.run(SampleApplication.class, args);
    }
}
