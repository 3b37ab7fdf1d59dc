package io.github.taskgroup;

import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

@DisplayName("TaskGroup on virtual threads")
@EnabledForJreRange(min = JRE.JAVA_21)
class VirtualThreadsTest extends TaskGroupContract {

    @Override
    ExecutorService newExecutor() {
        return TaskGroupExecutors.virtualThreads();
    }
}
