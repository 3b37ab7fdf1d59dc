package io.github.taskgroup;

import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.DisplayName;

@DisplayName("TaskGroup on a platform thread pool")
class PlatformThreadsTest extends TaskGroupContract {

    @Override
    ExecutorService newExecutor() {
        return TaskGroupExecutors.platformThreads("pool-");
    }
}
