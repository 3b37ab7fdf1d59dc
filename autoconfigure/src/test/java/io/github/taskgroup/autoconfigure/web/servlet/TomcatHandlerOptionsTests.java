package io.github.taskgroup.autoconfigure.web.servlet;

import org.springframework.boot.test.context.SpringBootTest;

/** Handler options on Tomcat. */
@SpringBootTest(
        classes = ServletTestApp.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            TomcatRequestTaskGroupTests.ONLY_TOMCAT,
            "spring.main.web-application-type=servlet",
            "taskgroup.groups.[GET\\ /opts/policy].policy=first-success"
        })
class TomcatHandlerOptionsTests extends AbstractHandlerOptionsTests {}
