package io.github.taskgroup;

import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

@DisplayName("Admission control on virtual threads")
@EnabledForJreRange(min = JRE.JAVA_21)
class AdmissionControlVirtualTest extends AdmissionControlContract {

    @Override
    ExecutorService newExecutor() {
        return TaskGroupExecutors.virtualThreads();
    }
}
