package io.github.taskgroup.autoconfigure.web.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.springframework.boot.test.context.SpringBootTest;

/** Tomcat with the container-independent /proc/net/tcp probe. */
@EnabledOnOs(OS.LINUX)
@SpringBootTest(
        classes = ServletTestApp.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            TomcatRequestTaskGroupTests.ONLY_TOMCAT,
            "spring.mvc.async.request-timeout=2s",
            "spring.main.web-application-type=servlet",
            "taskgroup.web.detection.strategy=proc"
        })
class TomcatProcDetectionTests extends AbstractServletRequestTaskGroupTests {

    @Override
    String strategy() {
        return this.scheduler.getProbe().name();
    }

    @Test
    void usesTheProcProbe() {
        assertThat(this.scheduler.getProbe().name()).isEqualTo("proc");
    }
}
