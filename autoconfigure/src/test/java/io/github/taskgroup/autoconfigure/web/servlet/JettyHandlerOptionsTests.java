package io.github.taskgroup.autoconfigure.web.servlet;

import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.springframework.boot.test.context.SpringBootTest;

/** Handler options on Jetty (disconnects detected through /proc). */
@EnabledOnOs(OS.LINUX)
@SpringBootTest(
        classes = ServletTestApp.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.autoconfigure.exclude="
                    + "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration",
            "spring.main.web-application-type=servlet",
            "taskgroup.groups.[GET\\ /opts/policy].policy=first-success"
        })
class JettyHandlerOptionsTests extends AbstractHandlerOptionsTests {}
