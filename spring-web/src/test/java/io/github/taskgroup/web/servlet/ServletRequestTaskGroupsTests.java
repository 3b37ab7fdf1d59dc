package io.github.taskgroup.web.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.web.RequestTaskGroupRegistry;
import io.github.taskgroup.web.servlet.RequestTaskGroupAsyncFilter.ListeningRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Where a request's scope lives: in the filter's wrapper, so that the context snapshot taken at every fork
 * (which copies all request attributes) does not copy it; as an attribute too once the request is asynchronous.
 */
class ServletRequestTaskGroupsTests {

    private final TaskGroupFactory factory = TaskGroupFactory.builder().build();

    private final DisconnectProbeScheduler scheduler =
            new DisconnectProbeScheduler(DisconnectProbe.NONE, Duration.ofMillis(50));

    private final ServletRequestTaskGroups groups = new ServletRequestTaskGroups(
            this.factory, new RequestTaskGroupRegistry(), this.scheduler, null, (JettyFailureListener) null);

    private final MockHttpServletRequest container = new MockHttpServletRequest("GET", "/x");

    private final MockHttpServletResponse response = new MockHttpServletResponse();

    @AfterEach
    void stop() throws Exception {
        this.scheduler.destroy();
        this.factory.shutdown();
    }

    @Test
    void aRequestThatPassedTheFilterCarriesItsScopeInTheWrapperNotInItsAttributes() {
        this.container.setAsyncSupported(true);
        ListeningRequest listening = new ListeningRequest(this.container);
        HttpServletRequestWrapper outer = new HttpServletRequestWrapper(listening); // another filter's wrapper

        ServletRequestTaskGroup scope = this.groups.of(outer, this.response);

        assertThat(this.groups.of(listening, this.response)).isSameAs(scope);
        assertThat(ServletRequestTaskGroups.find(outer)).isSameAs(scope);
        assertThat(this.container.getAttributeNames().asIterator())
                .toIterable()
                .doesNotContain(ServletRequestTaskGroups.ATTRIBUTE);
        assertThat(ServletRequestTaskGroups.find(this.container))
                .as("without the wrapper")
                .isNull();
    }

    @Test
    void onceTheRequestIsAsynchronousItsScopeIsAlsoAnAttributeForDispatchesWithoutTheWrapper() {
        this.container.setAsyncSupported(true);
        ListeningRequest listening = new ListeningRequest(this.container);
        ServletRequestTaskGroup scope = this.groups.of(listening, this.response);

        listening.startAsync(listening, this.response);

        assertThat(ServletRequestTaskGroups.find(this.container)).isSameAs(scope);
    }

    @Test
    void aScopeCreatedAfterTheRequestWentAsynchronousIsAlsoAnAttribute() {
        this.container.setAsyncSupported(true);
        ListeningRequest listening = new ListeningRequest(this.container);
        listening.startAsync();

        ServletRequestTaskGroup scope = this.groups.of(listening, this.response);

        assertThat(ServletRequestTaskGroups.find(this.container)).isSameAs(scope);
    }

    @Test
    void aRequestThatDidNotPassTheFilterKeepsItsScopeInAnAttribute() {
        ServletRequestTaskGroup scope = this.groups.of(this.container, this.response);

        assertThat(this.container.getAttribute(ServletRequestTaskGroups.ATTRIBUTE))
                .isSameAs(scope);
        assertThat(this.groups.of(new HttpServletRequestWrapper(this.container), this.response))
                .isSameAs(scope);
    }

    @Test
    void requestsOfOneRouteShareOneGroupNameInstanceSoThatMeterLookupsCompareItByIdentity() {
        String first = groupName("GET", "/products/{id}");
        String second = groupName("GET", "/products/{id}");

        assertThat(first).isEqualTo("GET /products/{id}").isSameAs(second);
        assertThat(groupName("POST", "/products/{id}")).isEqualTo("POST /products/{id}");
    }

    @Test
    void aMethodOutsideTheStandardOnesIsNamedButNotCachedSoThatClientsCannotGrowTheCache() {
        String first = groupName("FOO", "/products/{id}");
        String second = groupName("FOO", "/products/{id}");

        assertThat(first).isEqualTo("FOO /products/{id}").isEqualTo(second).isNotSameAs(second);
    }

    private String groupName(String method, String route) {
        MockHttpServletRequest request = new MockHttpServletRequest(method, "/products/1");
        request.setAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE, route);
        ServletRequestTaskGroup scope = this.groups.of(request, this.response);
        try {
            return scope.group().name();
        } finally {
            scope.complete();
        }
    }
}
