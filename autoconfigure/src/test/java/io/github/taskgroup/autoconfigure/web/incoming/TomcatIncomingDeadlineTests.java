package io.github.taskgroup.autoconfigure.web.incoming;

import org.springframework.boot.test.context.SpringBootTest;

/** Incoming deadlines on Spring MVC and Tomcat. */
@SpringBootTest(
        classes = IncomingServletApp.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.autoconfigure.exclude="
                    + "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration",
            "spring.main.web-application-type=servlet",
            "taskgroup.default-timeout=60s",
            "taskgroup.propagation.incoming.extra-header-names=x-envoy-expected-rq-timeout-ms"
        })
class TomcatIncomingDeadlineTests extends AbstractIncomingDeadlineTests {}
