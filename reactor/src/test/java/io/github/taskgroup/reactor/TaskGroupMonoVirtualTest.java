package io.github.taskgroup.reactor;

import io.github.taskgroup.TaskGroupExecutors;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

@DisplayName("Reactor adapters on virtual threads")
@EnabledForJreRange(min = JRE.JAVA_21)
class TaskGroupMonoVirtualTest extends TaskGroupMonoContract {

    @Override
    ExecutorService newExecutor() {
        return TaskGroupExecutors.virtualThreads();
    }

    @Override
    boolean virtual() {
        return true;
    }
}
