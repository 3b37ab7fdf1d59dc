package io.github.taskgroup.sample;

import java.util.concurrent.Callable;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/** {@link ProductEndpointsContract} on the servlet stack: {@link SampleApplication}, Spring MVC on Tomcat. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(ProductEndpointsContract.Listener.class)
class ProductEndpointsTest extends ProductEndpointsContract {

    @Override
    void awaitPreviousRequestGroupClosed() {
        // Nothing to wait for: a request's group is closed before its response goes out.
    }

    @Override
    void awaitAfterResponse(Callable<Boolean> condition) {
        // Nothing to wait for: the group told the listener everything before the response went out.
    }
}
