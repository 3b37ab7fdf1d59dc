package io.github.taskgroup.autoconfigure.web.client;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.JettyClientHttpRequestFactory;

/** {@link AbortOnCancelWebIntegrationContract} on the Jetty client ({@code JettyClientHttpRequestFactory}). */
@SpringBootTest(
        classes = AbortOnCancelWebIntegrationContract.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.autoconfigure.exclude="
                    + "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration",
            "spring.main.web-application-type=servlet",
            "spring.http.clients.imperative.factory=jetty"
        })
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AbortOnCancelJettyWebIntegrationTests extends AbortOnCancelWebIntegrationContract {

    @Override
    Class<? extends ClientHttpRequestFactory> expectedRequestFactory() {
        return JettyClientHttpRequestFactory.class;
    }
}
