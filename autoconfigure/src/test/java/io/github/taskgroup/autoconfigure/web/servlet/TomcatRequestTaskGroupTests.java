package io.github.taskgroup.autoconfigure.web.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/** Tomcat, with the default detection (Tomcat's native check). */
@SpringBootTest(
        classes = ServletTestApp.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            TomcatRequestTaskGroupTests.ONLY_TOMCAT,
            "spring.mvc.async.request-timeout=2s",
            "spring.main.web-application-type=servlet"
        })
class TomcatRequestTaskGroupTests extends AbstractServletRequestTaskGroupTests {

    static final String ONLY_TOMCAT = "spring.autoconfigure.exclude="
            + "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration";

    @Override
    String strategy() {
        return this.scheduler.getProbe().name();
    }

    @Test
    void usesTomcatsNativeCheckFirst() {
        assertThat(this.scheduler.getProbe().name()).isEqualTo("auto[tomcat,proc]");
    }
}
