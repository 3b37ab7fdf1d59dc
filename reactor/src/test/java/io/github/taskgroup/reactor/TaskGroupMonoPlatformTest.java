package io.github.taskgroup.reactor;

import io.github.taskgroup.TaskGroupExecutors;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Reactor adapters on platform threads")
class TaskGroupMonoPlatformTest extends TaskGroupMonoContract {

    @Override
    ExecutorService newExecutor() {
        return TaskGroupExecutors.platformThreads("mono-test-");
    }

    @Override
    boolean virtual() {
        return false;
    }
}
