package io.github.taskgroup.sample;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/** {@link ClientHangsUpContract} on the servlet stack: {@link SampleApplication}, Spring MVC on Tomcat. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(ClientHangsUpContract.Listener.class)
class ClientHangsUpTest extends ClientHangsUpContract {}
