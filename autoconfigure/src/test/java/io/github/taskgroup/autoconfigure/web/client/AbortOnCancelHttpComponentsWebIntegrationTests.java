package io.github.taskgroup.autoconfigure.web.client;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;

/** {@link AbortOnCancelWebIntegrationContract} on Apache HttpClient 5 classic ({@code HttpComponentsClientHttpRequestFactory}). */
@SpringBootTest(
        classes = AbortOnCancelWebIntegrationContract.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.autoconfigure.exclude="
                    + "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration",
            "spring.main.web-application-type=servlet",
            "spring.http.clients.imperative.factory=http-components"
        })
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AbortOnCancelHttpComponentsWebIntegrationTests extends AbortOnCancelWebIntegrationContract {

    @Override
    Class<? extends ClientHttpRequestFactory> expectedRequestFactory() {
        return HttpComponentsClientHttpRequestFactory.class;
    }
}
