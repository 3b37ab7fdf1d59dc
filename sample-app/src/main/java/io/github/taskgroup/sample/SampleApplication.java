package io.github.taskgroup.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * A product page aggregator: {@code GET /api/products/{id}} fetches price, stock and reviews from three
 * downstream services (HTTP endpoints of this same application, called over loopback) concurrently, in a task
 * group, and combines them.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }
}
