package io.github.taskgroup;

import static io.github.taskgroup.MiniJson.array;
import static io.github.taskgroup.MiniJson.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

class TaskGroupDumpTest {

    private ExecutorService pool;
    private TaskGroupFactory factory;
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void setUp() {
        pool = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "dump-pool");
            thread.setDaemon(true);
            return thread;
        });
        factory = TaskGroupFactory.builder().name("dump-test").executor(pool).build();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        release.countDown();
        factory.close();
        assertThat(factory.awaitTermination(Duration.ofSeconds(10))).isTrue();
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /**
     * Opens the tree: root 'orders' (max 2 running) with tasks 'fetch' (parked), 'nested' (owns group 'inner'
     * with task 'leaf', parked) and 'queued' (pending for a permit); returns the root, the owner of 'inner'.
     */
    private TaskGroup openTree(AtomicReference<Thread> innerOwner) {
        TaskGroup orders = factory.open(
                "orders", TaskGroupOptions.builder().maxConcurrency(2).build());
        orders.fork("fetch", () -> {
            release.await();
            return 1;
        });
        orders.fork("nested", () -> {
            innerOwner.set(Thread.currentThread());
            try (TaskGroup inner = factory.open("inner")) {
                inner.fork("leaf", () -> {
                    release.await();
                    return 2;
                });
                inner.join();
            }
            return 3;
        });
        orders.fork("queued", () -> 4);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            List<TaskGroupSnapshot> live = factory.liveGroups();
            return live.size() == 1
                    && live.get(0).groups().size() == 1
                    && live.get(0).groups().get(0).tasks().size() == 1
                    && live.get(0).groups().get(0).tasks().get(0).state() == Task.State.RUNNING
                    && innerOwner.get() != null
                    && innerOwner.get().getState() == Thread.State.WAITING;
        });
        return orders;
    }

    @SuppressWarnings("deprecation")
    private static String tid(Thread thread) {
        return Long.toString(thread.getId());
    }

    @RepeatedTest(5)
    void theJsonDumpShowsTheLiveTreeLikeTheJdkThreadContainers() throws Exception {
        AtomicReference<Thread> innerOwner = new AtomicReference<>();
        try (TaskGroup orders = openTree(innerOwner)) {
            String json = factory.dump(TaskGroupFactory.DumpFormat.JSON, false);

            Map<String, Object> dump = object(object(MiniJson.parse(json)).get("threadDump"));
            assertThat(dump.get("processId"))
                    .isEqualTo(Long.toString(ProcessHandle.current().pid()));
            assertThat(dump.get("runtimeVersion")).isEqualTo(Runtime.version().toString());
            assertThat((String) dump.get("time")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
            assertThat(dump.get("taskGroupFactory")).isEqualTo("dump-test");
            assertThat(dump.get("summary")).isEqualTo(Map.of("groups", 2L, "runningTasks", 3L, "queuedTasks", 1L));

            List<Object> containers = array(dump.get("threadContainers"));
            assertThat(containers).hasSize(2);
            Map<String, Object> root = object(containers.get(0));
            Map<String, Object> inner = object(containers.get(1));

            assertThat(root.get("container")).isEqualTo("orders/TaskGroup#" + orders.id());
            assertThat(root).containsEntry("parent", null).containsEntry("owner", tid(Thread.currentThread()));
            assertThat(root.get("threadCount")).isEqualTo("2");
            assertThat(root)
                    .containsEntry("groupId", orders.id())
                    .containsEntry("groupName", "orders")
                    .containsEntry("policy", "fail-fast")
                    .containsEntry("state", "open")
                    .containsEntry("cancellationReason", null)
                    .containsEntry("deadline", null)
                    .containsEntry("attributes", Map.of())
                    .containsEntry("leaked", false);
            assertThat(Duration.parse((String) root.get("age"))).isPositive();
            assertThat(object(root.get("ownerThread")))
                    .containsEntry("tid", tid(Thread.currentThread()))
                    .containsEntry("name", Thread.currentThread().getName())
                    .containsEntry("state", "RUNNABLE")
                    .containsEntry("stack", List.of());

            List<Object> threads = array(root.get("threads"));
            assertThat(threads).extracting(t -> object(t).get("task")).containsExactly("fetch", "nested");
            Map<String, Object> nestedThread = object(threads.get(1));
            assertThat(nestedThread)
                    .containsEntry("tid", tid(innerOwner.get()))
                    .containsEntry("name", "dump-pool orders/nested")
                    .containsEntry("state", "WAITING")
                    .containsEntry("stack", List.of());
            assertThat(object(threads.get(0))).containsEntry("name", "dump-pool orders/fetch");

            List<Object> tasks = array(root.get("tasks"));
            assertThat(tasks).extracting(t -> object(t).get("name")).containsExactly("fetch", "nested", "queued");
            assertThat(tasks).extracting(t -> object(t).get("state")).containsExactly("running", "running", "pending");
            assertThat(object(tasks.get(1))).containsEntry("tid", tid(innerOwner.get()));
            assertThat(object(tasks.get(2))).containsEntry("tid", null);
            assertThat(Duration.parse((String) object(tasks.get(2)).get("age")).isNegative())
                    .isFalse();

            long innerId = factory.liveGroups().get(0).groups().get(0).id();
            assertThat(inner)
                    .containsEntry("container", "inner/TaskGroup#" + innerId)
                    .containsEntry("parent", root.get("container"))
                    .containsEntry("owner", tid(innerOwner.get()))
                    .containsEntry("groupName", "inner")
                    .containsEntry("state", "joining")
                    .containsEntry("threadCount", "1");
            assertThat(object(inner.get("ownerThread"))).containsEntry("name", "dump-pool orders/nested");
            assertThat(array(inner.get("threads")))
                    .singleElement()
                    .satisfies(t -> assertThat(object(t))
                            .containsEntry("task", "leaf")
                            .containsEntry("name", "dump-pool inner/leaf")
                            .containsEntry("state", "WAITING"));

            release.countDown();
            orders.join();
        }
        assertThat(factory.dump(TaskGroupFactory.DumpFormat.JSON, true)).contains("\"threadContainers\": []");
    }

    @Test
    void withStacksEveryOwnerAndTaskThreadHasItsStack() throws Exception {
        AtomicReference<Thread> innerOwner = new AtomicReference<>();
        try (TaskGroup orders = openTree(innerOwner)) {
            StringWriter out = new StringWriter();
            factory.dump(out, TaskGroupFactory.DumpFormat.JSON, true);

            List<Object> containers =
                    array(object(object(MiniJson.parse(out.toString())).get("threadDump"))
                            .get("threadContainers"));
            Map<String, Object> root = object(containers.get(0));
            assertThat(array(object(root.get("ownerThread")).get("stack")))
                    .anySatisfy(frame -> assertThat((String) frame)
                            .contains("TaskGroupDumpTest.withStacksEveryOwnerAndTaskThreadHasItsStack"));
            for (Object container : containers) {
                for (Object thread : array(object(container).get("threads"))) {
                    assertThat(array(object(thread).get("stack")))
                            .first()
                            .asString()
                            .isNotBlank(); // a frame, formatted like the JDK's: module/class.method(file:line)
                    String waitsIn = "nested".equals(object(thread).get("task"))
                            ? "DefaultTaskGroup.join" // owns 'inner', waits for 'leaf'
                            : "CountDownLatch.await";
                    assertThat(array(object(thread).get("stack")))
                            .anySatisfy(frame -> assertThat((String) frame).contains(waitsIn));
                }
            }
            Map<String, Object> inner = object(containers.get(1));
            assertThat(array(object(inner.get("ownerThread")).get("stack")))
                    .anySatisfy(frame -> assertThat((String) frame).contains("DefaultTaskGroup.join"));
            release.countDown();
            orders.join();
        }
    }

    @Test
    void theTextDumpIndentsNestedGroupsAndTasksAndShowsStacksOnlyWhenAsked() throws Exception {
        AtomicReference<Thread> innerOwner = new AtomicReference<>();
        try (TaskGroup orders = openTree(innerOwner)) {
            String text = factory.dump(TaskGroupFactory.DumpFormat.TEXT, false);
            String[] lines = text.split("\n");
            assertThat(lines[0]).startsWith("Task group dump of factory 'dump-test' at ");
            assertThat(lines[1]).isEqualTo("2 groups, 3 running tasks, 1 queued task");
            assertThat(lines[2]).isEmpty();
            assertThat(lines[3])
                    .startsWith("group #" + orders.id() + " 'orders' fail-fast open, age PT")
                    .endsWith(", owner #" + tid(Thread.currentThread()) + " \""
                            + Thread.currentThread().getName() + "\" RUNNABLE");
            assertThat(lines[4])
                    .matches("  task 'fetch' running, age PT.*, thread #\\d+ \"dump-pool orders/fetch\" WAITING");
            assertThat(lines[5])
                    .matches("  task 'nested' running, age PT.*, thread #" + tid(innerOwner.get())
                            + " \"dump-pool orders/nested\" WAITING");
            assertThat(lines[6]).matches("  task 'queued' pending, age PT[^,]*");
            assertThat(lines[7])
                    .matches("  group #\\d+ 'inner' fail-fast joining, age PT.*, owner #" + tid(innerOwner.get())
                            + " \"dump-pool orders/nested\" WAITING");
            assertThat(lines[8])
                    .matches("    task 'leaf' running, age PT.*, thread #\\d+ \"dump-pool inner/leaf\" WAITING");
            assertThat(lines).hasSize(9);

            String withStacks = factory.dump(TaskGroupFactory.DumpFormat.TEXT, true);
            assertThat(withStacks)
                    .contains("\n      at ") // under the root's owner and tasks
                    .contains("\n        at ") // under the nested group's owner
                    .containsPattern("thread #\\d+ \"dump-pool inner/leaf\" WAITING\n(        at .*\n)*"
                            + "        at .*CountDownLatch\\.await");
            release.countDown();
            orders.join();
        }
    }

    @Test
    void oddNamesAreEscapedSoThatTheJsonParsesBackToTheSameNames() throws Exception {
        String odd = "q\"uote \\back /slash\nnew\rret\ttab\b\f \u0001\u001f\u007f \u2028\u2029 é ü 😀 lone\ud800 x";
        try (TaskGroup group = factory.open(odd)) {
            group.fork(odd + "-task", () -> {
                release.await();
                return 1;
            });
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> factory.liveGroups().get(0).tasks().get(0).state() == Task.State.RUNNING);
            String json = factory.dump(TaskGroupFactory.DumpFormat.JSON, true);

            assertThat(json)
                    .doesNotContain("\n" + "new")
                    .doesNotContain("\u2028")
                    .doesNotContain("\ud800 ")
                    .contains("\\ud800")
                    .contains("😀");
            assertThat(json.chars().filter(c -> c < 0x20 && c != '\n')).isEmpty();
            Map<String, Object> container = object(
                    array(object(object(MiniJson.parse(json)).get("threadDump")).get("threadContainers"))
                            .get(0));
            assertThat(container.get("groupName")).isEqualTo(odd);
            assertThat(container.get("container")).isEqualTo(odd + "/TaskGroup#" + group.id());
            Map<String, Object> task = object(array(container.get("tasks")).get(0));
            assertThat(task.get("name")).isEqualTo(odd + "-task");
            release.countDown();
            group.join();
        }
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void virtualTaskThreadsAreDumpedWithTheirIdsAndStacks() throws Exception {
        AtomicReference<Thread> runner = new AtomicReference<>();
        try (TaskGroupFactory virtual =
                        TaskGroupFactory.builder().name("virtual").build();
                TaskGroup group = virtual.open("on-virtual")) {
            group.fork("parked", () -> {
                runner.set(Thread.currentThread());
                release.await();
                return 1;
            });
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> runner.get() != null && runner.get().getState() == Thread.State.WAITING);
            Map<String, Object> container =
                    object(array(object(object(MiniJson.parse(virtual.dump(TaskGroupFactory.DumpFormat.JSON, true)))
                                            .get("threadDump"))
                                    .get("threadContainers"))
                            .get(0));
            assertThat(array(container.get("threads"))).singleElement().satisfies(t -> {
                assertThat(object(t))
                        .containsEntry("tid", tid(runner.get()))
                        .containsEntry("name", "on-virtual/parked")
                        .containsEntry("state", "WAITING")
                        .containsEntry("task", "parked");
                assertThat(array(object(t).get("stack")))
                        .anySatisfy(frame -> assertThat((String) frame).contains("CountDownLatch.await"));
            });
            release.countDown();
            group.join();
        }
    }

    @Test
    void anotherFactoryImplementationDumpsFromItsSnapshotsWithoutThreadIds() throws Exception {
        TaskGroupFactory delegating = new DelegatingFactory(factory);
        AtomicReference<Thread> innerOwner = new AtomicReference<>();
        try (TaskGroup orders = openTree(innerOwner)) {
            Map<String, Object> dump =
                    object(object(MiniJson.parse(delegating.dump(TaskGroupFactory.DumpFormat.JSON, false)))
                            .get("threadDump"));
            assertThat(dump.get("taskGroupFactory")).isEqualTo("default");
            Map<String, Object> root =
                    object(array(dump.get("threadContainers")).get(0));
            assertThat(root).containsEntry("owner", null).containsEntry("threadCount", "2");
            assertThat(array(root.get("threads")))
                    .extracting(
                            t -> object(t).get("tid"),
                            t -> object(t).get("state"),
                            t -> object(t).get("name"))
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(null, null, "dump-pool orders/fetch"),
                            org.assertj.core.groups.Tuple.tuple(null, null, "dump-pool orders/nested"));
            assertThat(object(root.get("ownerThread")))
                    .containsEntry("tid", null)
                    .containsEntry("name", Thread.currentThread().getName());
            assertThat(delegating.dump(TaskGroupFactory.DumpFormat.TEXT, false))
                    .contains("  task 'fetch' running, age PT")
                    .contains(", thread \"dump-pool orders/fetch\"\n");
            release.countDown();
            orders.join();
        }
    }

    /** A factory that is not the built-in one: only the interface's default dump and name. */
    private static final class DelegatingFactory implements TaskGroupFactory {

        private final TaskGroupFactory delegate;

        DelegatingFactory(TaskGroupFactory delegate) {
            this.delegate = delegate;
        }

        @Override
        public TaskGroup open(String name, TaskGroupOptions options) {
            return delegate.open(name, options);
        }

        @Override
        public TaskGroup openRoot(String name, TaskGroupOptions options) {
            return delegate.openRoot(name, options);
        }

        @Override
        public <R> R run(String name, TaskGroupOptions options, TaskGroupBody<R> body) throws InterruptedException {
            return delegate.run(name, options, body);
        }

        @Override
        public List<TaskGroupSnapshot> liveGroups(boolean withStackTraces) {
            return delegate.liveGroups(withStackTraces);
        }

        @Override
        public java.util.Optional<TaskGroup> find(long id) {
            return delegate.find(id);
        }

        @Override
        public void shutdown() {
            delegate.shutdown();
        }

        @Override
        public boolean isShutdown() {
            return delegate.isShutdown();
        }

        @Override
        public boolean awaitTermination(Duration timeout) throws InterruptedException {
            return delegate.awaitTermination(timeout);
        }

        @Override
        public int cancelAll(CancellationReason reason) {
            return delegate.cancelAll(reason);
        }

        @Override
        public void close() {}
    }

    @Test
    void anEmptyFactoryDumpsAnEmptyTree() {
        String json = factory.dump(TaskGroupFactory.DumpFormat.JSON, true);
        Map<String, Object> dump = object(object(MiniJson.parse(json)).get("threadDump"));
        assertThat(array(dump.get("threadContainers"))).isEmpty();
        assertThat(dump.get("summary")).isEqualTo(Map.of("groups", 0L, "runningTasks", 0L, "queuedTasks", 0L));
        assertThat(factory.dump(TaskGroupFactory.DumpFormat.TEXT, false))
                .endsWith("\n0 groups, 0 running tasks, 0 queued tasks\n");
    }

    @Test
    void badArgumentsAndAFailingAppendableFailClearly() {
        assertThatThrownBy(() -> factory.dump(null, TaskGroupFactory.DumpFormat.JSON, false))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("out");
        assertThatThrownBy(() -> factory.dump(new StringBuilder(), null, false))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("format");
        Appendable broken = new Appendable() {
            @Override
            public Appendable append(CharSequence csq) throws IOException {
                throw new IOException("disk full");
            }

            @Override
            public Appendable append(CharSequence csq, int start, int end) throws IOException {
                throw new IOException("disk full");
            }

            @Override
            public Appendable append(char c) throws IOException {
                throw new IOException("disk full");
            }
        };
        assertThatThrownBy(() -> factory.dump(broken, TaskGroupFactory.DumpFormat.TEXT, false))
                .isInstanceOf(IOException.class)
                .hasMessage("disk full");
        assertThatThrownBy(() -> TaskGroupFactory.builder().name(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TaskGroupFactory name must not be blank");
        assertThat(TaskGroupFactory.builder().executor(pool).build().name()).isEqualTo("default");
    }

    @Test
    void theJsonWriterRejectsMalformedDocuments() throws IOException {
        assertThatThrownBy(
                        () -> new JsonWriter(new StringBuilder()).beginObject().value("x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("A value inside an object needs a name first");
        assertThatThrownBy(
                        () -> new JsonWriter(new StringBuilder()).beginArray().endObject())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new JsonWriter(new StringBuilder())
                        .beginObject()
                        .name("a")
                        .endObject())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(
                        () -> new JsonWriter(new StringBuilder()).beginArray().finish())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Incomplete JSON document");
        assertThatThrownBy(() -> new JsonWriter(new StringBuilder()).value(1).value(2))
                .isInstanceOf(IllegalStateException.class);

        StringBuilder out = new StringBuilder();
        JsonWriter json = new JsonWriter(out);
        json.beginObject()
                .name("a")
                .beginArray()
                .value(-1)
                .value(true)
                .nullValue()
                .beginObject()
                .endObject();
        json.beginArray().endArray().endArray().field("b", null).endObject().finish();
        Map<String, Object> parsed = object(MiniJson.parse(out.toString()));
        assertThat(parsed).containsOnlyKeys("a", "b").containsEntry("b", null);
        assertThat(array(parsed.get("a"))).containsExactly(-1L, true, null, Map.of(), List.of());
    }
}
