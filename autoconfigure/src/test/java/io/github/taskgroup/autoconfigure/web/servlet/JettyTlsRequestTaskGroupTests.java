package io.github.taskgroup.autoconfigure.web.servlet;

import io.github.taskgroup.autoconfigure.web.RawHttp;
import java.io.IOException;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Jetty over TLS (HTTP/1.1): the TLS endpoint is unwrapped to the socket's channel, which is waited on (not
 * polled: {@code idleConnectionsAreWaitedOnNotPolled}) and confirmed with /proc. Every servlet scenario runs
 * over TLS sockets closed with FIN and RST.
 */
@EnabledOnOs(OS.LINUX)
@SpringBootTest(
        classes = ServletTestApp.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            JettyHttp2Tests.ONLY_JETTY,
            "spring.mvc.async.request-timeout=2s",
            "spring.main.web-application-type=servlet",
            "server.ssl.key-store=classpath:tls/test-keystore.p12",
            "server.ssl.key-store-password=changeit",
            "server.ssl.key-store-type=PKCS12"
        })
class JettyTlsRequestTaskGroupTests extends AbstractServletRequestTaskGroupTests {

    @Override
    RawHttp client() throws IOException {
        return RawHttp.tls(this.port);
    }

    @Override
    String strategy() {
        return this.scheduler.getProbe().name() + " over TLS on Jetty";
    }
}
