package io.github.taskgroup;

import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Hostile plumbing on a platform thread pool")
class HostilePlumbingPlatformTest extends HostilePlumbingContract {

    @Override
    ExecutorService newExecutor() {
        return TaskGroupExecutors.platformThreads("hostile-");
    }
}
