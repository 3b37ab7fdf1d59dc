package io.github.taskgroup;

import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Completion views on a platform thread pool")
class CompletionViewPlatformTest extends CompletionViewContract {

    @Override
    ExecutorService newExecutor() {
        return TaskGroupExecutors.platformThreads("pool-");
    }
}
