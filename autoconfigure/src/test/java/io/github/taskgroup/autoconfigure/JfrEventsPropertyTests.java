package io.github.taskgroup.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.taskgroup.TaskGroupFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class JfrEventsPropertyTests {

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TaskGroupAutoConfiguration.class));

    @TempDir
    Path dir;

    @Test
    void the_factory_emits_jfr_events_by_default() throws Exception {
        assertThat(groupsRecorded()).hasSize(1);
    }

    @Test
    void taskgroup_jfr_events_false_turns_them_off() throws Exception {
        assertThat(groupsRecorded("taskgroup.jfr-events=false")).isEmpty();
    }

    /** The GroupClosed events of one group run by the auto-configured factory under a recording. */
    private List<RecordedEvent> groupsRecorded(String... properties) throws Exception {
        String name = "jfr-" + UUID.randomUUID();
        Path file = dir.resolve("recording.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("io.github.taskgroup.GroupClosed").withThreshold(Duration.ZERO);
            recording.start();
            this.runner
                    .withPropertyValues(properties)
                    .run((context) -> context.getBean(TaskGroupFactory.class).run(name, group -> {
                        group.fork(() -> "done");
                        return null;
                    }));
            recording.stop();
            recording.dump(file);
        }
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("io.github.taskgroup.GroupClosed"))
                .filter(e -> name.equals(e.getString("groupName")))
                .collect(Collectors.toList());
    }
}
