package io.github.taskgroup;

import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.DisplayName;

@DisplayName("TaskGroups helpers on a platform thread pool")
class TaskGroupsPlatformTest extends TaskGroupsContract {

    @Override
    ExecutorService newExecutor() {
        return TaskGroupExecutors.platformThreads("pool-");
    }
}
