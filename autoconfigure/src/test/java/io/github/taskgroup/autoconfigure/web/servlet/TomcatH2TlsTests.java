package io.github.taskgroup.autoconfigure.web.servlet;

import io.github.taskgroup.autoconfigure.web.AbstractHttp2StreamResetTests;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/** Tomcat, h2 over TLS (ALPN), self-signed test certificate. */
@SpringBootTest(
        classes = ServletTestApp.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            TomcatRequestTaskGroupTests.ONLY_TOMCAT,
            "spring.main.web-application-type=servlet",
            "spring.mvc.async.request-timeout=60s",
            "server.http2.enabled=true",
            "server.ssl.key-store=classpath:tls/test-keystore.p12",
            "server.ssl.key-store-password=changeit",
            "server.ssl.key-store-type=PKCS12"
        })
@Import(Http2ServletHandlers.class)
class TomcatH2TlsTests extends AbstractHttp2StreamResetTests {

    @Override
    protected boolean tls() {
        return true;
    }
}
