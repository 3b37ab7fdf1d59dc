package io.github.taskgroup.autoconfigure.web.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/** Jetty: no native check (reading Jetty's endpoint would consume pipelined bytes), so auto uses /proc. */
@EnabledOnOs(OS.LINUX)
@SpringBootTest(
        classes = ServletTestApp.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.autoconfigure.exclude="
                    + "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration",
            "spring.mvc.async.request-timeout=2s",
            "spring.main.web-application-type=servlet"
        })
class JettyRequestTaskGroupTests extends AbstractServletRequestTaskGroupTests {

    @Autowired
    WebServerApplicationContext context;

    @Override
    String strategy() {
        return this.scheduler.getProbe().name();
    }

    @Test
    void runsOnJetty() {
        assertThat(this.context.getWebServer().getClass().getSimpleName()).startsWith("Jetty");
    }
}
