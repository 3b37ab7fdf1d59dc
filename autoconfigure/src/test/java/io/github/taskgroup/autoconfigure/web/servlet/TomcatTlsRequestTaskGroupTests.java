package io.github.taskgroup.autoconfigure.web.servlet;

import io.github.taskgroup.autoconfigure.web.RawHttp;
import java.io.IOException;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Tomcat over TLS (HTTP/1.1): the Tomcat check skips secure requests, so the connections are waited on and
 * confirmed with /proc (Linux). Every servlet scenario runs over TLS sockets closed with FIN and RST.
 */
@EnabledOnOs(OS.LINUX)
@SpringBootTest(
        classes = ServletTestApp.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            TomcatRequestTaskGroupTests.ONLY_TOMCAT,
            "spring.mvc.async.request-timeout=2s",
            "spring.main.web-application-type=servlet",
            "server.ssl.key-store=classpath:tls/test-keystore.p12",
            "server.ssl.key-store-password=changeit",
            "server.ssl.key-store-type=PKCS12"
        })
class TomcatTlsRequestTaskGroupTests extends AbstractServletRequestTaskGroupTests {

    @Override
    RawHttp client() throws IOException {
        return RawHttp.tls(this.port);
    }

    @Override
    String strategy() {
        return this.scheduler.getProbe().name() + " over TLS";
    }
}
