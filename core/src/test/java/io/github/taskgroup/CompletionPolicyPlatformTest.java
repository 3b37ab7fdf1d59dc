package io.github.taskgroup;

import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Completion policies on platform threads")
class CompletionPolicyPlatformTest extends CompletionPolicyContract {

    @Override
    ExecutorService newExecutor() {
        return TaskGroupExecutors.platformThreads("pool-");
    }
}
