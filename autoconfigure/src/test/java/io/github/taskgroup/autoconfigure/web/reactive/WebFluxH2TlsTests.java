package io.github.taskgroup.autoconfigure.web.reactive;

import io.github.taskgroup.autoconfigure.web.AbstractHttp2StreamResetTests;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/** WebFlux on Reactor Netty, h2 over TLS (ALPN), self-signed test certificate. */
@SpringBootTest(
        classes = WebFluxRequestTaskGroupTests.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.main.web-application-type=reactive",
            "spring.autoconfigure.exclude=org.springframework.boot.tomcat.autoconfigure.reactive."
                    + "TomcatReactiveWebServerAutoConfiguration,org.springframework.boot.jetty.autoconfigure."
                    + "reactive.JettyReactiveWebServerAutoConfiguration",
            "server.http2.enabled=true",
            "server.ssl.key-store=classpath:tls/test-keystore.p12",
            "server.ssl.key-store-password=changeit",
            "server.ssl.key-store-type=PKCS12"
        })
@Import(Http2ReactiveHandlers.class)
class WebFluxH2TlsTests extends AbstractHttp2StreamResetTests {

    @Override
    protected boolean tls() {
        return true;
    }
}
