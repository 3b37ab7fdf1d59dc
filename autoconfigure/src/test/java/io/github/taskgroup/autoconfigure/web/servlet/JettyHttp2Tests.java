package io.github.taskgroup.autoconfigure.web.servlet;

import io.github.taskgroup.autoconfigure.web.AbstractHttp2StreamResetTests;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/** Jetty, h2c (upgrade for the JDK client, prior knowledge for the raw one). */
@SpringBootTest(
        classes = ServletTestApp.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            JettyHttp2Tests.ONLY_JETTY,
            "spring.main.web-application-type=servlet",
            "spring.mvc.async.request-timeout=60s",
            "server.http2.enabled=true"
        })
@Import(Http2ServletHandlers.class)
class JettyHttp2Tests extends AbstractHttp2StreamResetTests {

    static final String ONLY_JETTY = "spring.autoconfigure.exclude="
            + "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration";

    @Override
    protected boolean goAwayIsGraceful() {
        return true;
    }

    @Override
    protected boolean tls() {
        return false;
    }
}
