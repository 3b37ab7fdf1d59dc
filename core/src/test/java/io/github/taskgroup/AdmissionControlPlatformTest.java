package io.github.taskgroup;

import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Admission control on a platform thread pool")
class AdmissionControlPlatformTest extends AdmissionControlContract {

    @Override
    ExecutorService newExecutor() {
        return TaskGroupExecutors.platformThreads("admission-");
    }
}
