package io.github.taskgroup;

import static io.github.taskgroup.MiniJson.array;
import static io.github.taskgroup.MiniJson.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Attributes: descriptions of a group, given in its options, shown by the group, its snapshot and the dump. */
class GroupAttributesTest {

    private final TaskGroupFactory factory = TaskGroupFactory.builder()
            .name("attributes-test")
            .defaults(TaskGroupOptions.builder()
                    .attribute("team", "payments")
                    .attribute("tier", "default")
                    .build())
            .group(
                    "checkout",
                    TaskGroupOptions.builder().attribute("tier", "gold").build())
            .build();

    @AfterEach
    void tearDown() throws InterruptedException {
        factory.close();
        assertThat(factory.awaitTermination(Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void badKeysAndValuesAreRejectedWhenSetWithErrorsThatSayWhich() {
        TaskGroupOptions.Builder builder = TaskGroupOptions.builder();
        assertThatThrownBy(() -> builder.attribute(null, "v"))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("attribute key must not be null");
        assertThatThrownBy(() -> builder.attribute(" ", "v"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attribute key must not be blank, but was ' '");
        assertThatThrownBy(() -> builder.attribute("", "v"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attribute key must not be blank, but was ''");
        assertThatThrownBy(() -> builder.attribute("k", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("value of attribute 'k' must not be null");
        assertThatThrownBy(() -> builder.removeAttribute(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("attribute key must not be null");
        assertThat(builder.build()).isSameAs(TaskGroupOptions.defaults()); // the refused calls set nothing
    }

    @Test
    void optionsKeepTheOrderOfFirstSettingAndAreUnmodifiable() {
        TaskGroupOptions options = TaskGroupOptions.builder()
                .attribute("b", "1")
                .attribute("a", "2")
                .attribute("b", "3") // replaces the value, keeps the place
                .attribute("c", "")
                .removeAttribute("c")
                .removeAttribute("never-set")
                .build();
        assertThat(options.attributes()).containsExactly(Map.entry("b", "3"), Map.entry("a", "2"));
        assertThatThrownBy(() -> options.attributes().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(options.toBuilder().attribute("d", "4").build().attributes())
                .containsExactly(Map.entry("b", "3"), Map.entry("a", "2"), Map.entry("d", "4"));
        assertThat(options.attributes()).hasSize(2); // the builder copied them
        assertThat(options)
                .isEqualTo(TaskGroupOptions.builder()
                        .attribute("b", "3")
                        .attribute("a", "2")
                        .build())
                .isNotEqualTo(TaskGroupOptions.builder().attribute("b", "3").build());
        assertThat(options.toString()).contains("attributes={b=3, a=2}");
        assertThat(TaskGroupOptions.builder().build().toString()).doesNotContain("attributes");
    }

    @Test
    void orElseMergesAttributesAndTheOwnValueWins() {
        TaskGroupOptions own = TaskGroupOptions.builder()
                .attribute("a", "own")
                .attribute("b", "own")
                .build();
        TaskGroupOptions fallback = TaskGroupOptions.builder()
                .attribute("b", "fallback")
                .attribute("c", "fallback")
                .build();
        assertThat(own.orElse(fallback).attributes())
                .containsExactly(Map.entry("a", "own"), Map.entry("b", "own"), Map.entry("c", "fallback"));
        // Without attributes on one side, the other's map is used as it is: nothing is copied.
        TaskGroupOptions timeoutOnly =
                TaskGroupOptions.builder().timeout(Duration.ofSeconds(1)).build();
        assertThat(timeoutOnly.orElse(fallback).attributes()).isSameAs(fallback.attributes());
        assertThat(own.orElse(timeoutOnly).attributes()).isSameAs(own.attributes());
    }

    @Test
    void aGroupWithoutAttributesSharesTheOneEmptyMap() throws InterruptedException {
        TaskGroupFactory plain = TaskGroupFactory.builder().build();
        try (TaskGroup group = plain.open("plain")) {
            assertThat(group.attributes()).isEmpty();
            assertThat(group.attributes()).isSameAs(Map.of());
            assertThat(plain.liveGroups().get(0).attributes()).isSameAs(Map.of());
        } finally {
            plain.close();
        }
    }

    @Test
    void aGroupHasItsOwnAttributesThenItsNamedOptionsThenTheDefaultsAndNestedGroupsDoNotInherit() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch nestedOpen = new CountDownLatch(1);
        try (TaskGroup checkout = factory.open(
                "checkout",
                TaskGroupOptions.builder().attribute("request", "r-42").build())) {
            assertThat(checkout.attributes())
                    .containsExactly(
                            Map.entry("request", "r-42"), Map.entry("tier", "gold"), Map.entry("team", "payments"));
            checkout.fork("nested", () -> {
                try (TaskGroup nested = factory.open("nested")) {
                    nested.fork("wait", () -> {
                        nestedOpen.countDown();
                        return release.await(10, TimeUnit.SECONDS);
                    });
                    nested.join();
                }
                return null;
            });
            assertThat(nestedOpen.await(10, TimeUnit.SECONDS)).isTrue();

            TaskGroupSnapshot snapshot = factory.liveGroups().get(0);
            assertThat(snapshot.attributes()).isEqualTo(checkout.attributes());
            assertThat(snapshot.groups().get(0).attributes()) // only the defaults: nothing from the enclosing group
                    .containsExactly(Map.entry("team", "payments"), Map.entry("tier", "default"));

            Map<String, Object> root =
                    object(array(object(object(MiniJson.parse(factory.dump(TaskGroupFactory.DumpFormat.JSON, false)))
                                            .get("threadDump"))
                                    .get("threadContainers"))
                            .get(0));
            assertThat(object(root.get("attributes")))
                    .containsExactly(
                            Map.entry("request", "r-42"), Map.entry("tier", "gold"), Map.entry("team", "payments"));

            String text = factory.dump(TaskGroupFactory.DumpFormat.TEXT, false);
            assertThat(text)
                    .containsPattern(
                            "group #" + checkout.id()
                                    + " 'checkout' fail-fast open, age PT[^,]*, request=r-42, tier=gold, team=payments, owner ");
            release.countDown();
            checkout.join();
        }
    }

    @Test
    void attributeKeysAndValuesAreEscapedInTheJsonDump() throws Exception {
        String odd = "quote\" back\\slash\nnew line \u2028";
        try (TaskGroup group = factory.open(
                "odd", TaskGroupOptions.builder().attribute(odd, odd).build())) {
            Map<String, Object> container =
                    object(array(object(object(MiniJson.parse(factory.dump(TaskGroupFactory.DumpFormat.JSON, false)))
                                            .get("threadDump"))
                                    .get("threadContainers"))
                            .get(0));
            assertThat(object(container.get("attributes"))).containsEntry(odd, odd);
            group.join();
        }
    }

    @Test
    void aSnapshotCopiesItsAttributesAndRejectsNullsWithTheKey() {
        Map<String, String> given = new HashMap<>();
        given.put("k", "v");
        TaskGroupSnapshot snapshot = snapshot(given);
        given.put("k", "changed");
        assertThat(snapshot.attributes()).containsExactly(Map.entry("k", "v"));
        assertThatThrownBy(() -> snapshot.attributes().clear()).isInstanceOf(UnsupportedOperationException.class);

        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("k", null);
        assertThatThrownBy(() -> snapshot(nullValue))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("value of attribute 'k'");
        Map<String, String> nullKey = new HashMap<>();
        nullKey.put(null, "v");
        assertThatThrownBy(() -> snapshot(nullKey))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("attribute key");
        assertThatThrownBy(() -> snapshot(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("attributes");
        // The constructors without attributes keep working, with none.
        assertThat(new TaskGroupSnapshot(
                                1,
                                "g",
                                "main",
                                Instant.EPOCH,
                                Duration.ZERO,
                                null,
                                TaskGroupPolicy.FAIL_FAST,
                                TaskGroup.State.OPEN,
                                null,
                                List.of(),
                                List.of())
                        .attributes())
                .isEmpty();
    }

    private static TaskGroupSnapshot snapshot(Map<String, String> attributes) {
        return new TaskGroupSnapshot(
                1,
                "g",
                "main",
                Instant.EPOCH,
                Duration.ZERO,
                null,
                TaskGroupPolicy.FAIL_FAST,
                TaskGroup.State.OPEN,
                null,
                List.of(),
                List.of(),
                false,
                List.of(),
                attributes);
    }
}
