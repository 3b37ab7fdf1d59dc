package io.github.taskgroup.autoconfigure.web.reactive;

import io.github.taskgroup.autoconfigure.web.AbstractHttp2StreamResetTests;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/** WebFlux on Reactor Netty, h2c (upgrade for the JDK client, prior knowledge for the raw one). */
@SpringBootTest(
        classes = WebFluxRequestTaskGroupTests.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.main.web-application-type=reactive",
            "spring.autoconfigure.exclude=org.springframework.boot.tomcat.autoconfigure.reactive."
                    + "TomcatReactiveWebServerAutoConfiguration,org.springframework.boot.jetty.autoconfigure."
                    + "reactive.JettyReactiveWebServerAutoConfiguration",
            "server.http2.enabled=true"
        })
@Import(Http2ReactiveHandlers.class)
class WebFluxHttp2Tests extends AbstractHttp2StreamResetTests {

    @Override
    protected boolean tls() {
        return false;
    }
}
