package io.github.taskgroup;

import java.io.IOException;
import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Writes the live tree of a factory as JSON (shaped like the JDK's {@code jcmd <pid> Thread.dump_to_file
 * -format=json}: a {@code threadDump} with a flat list of {@code threadContainers}, each naming its
 * {@code parent}, its {@code owner} thread id and its {@code threads}) or as text. The shape is documented in
 * {@code docs/diagnostics.md} ("A live dump"); keep the two in step.
 */
final class TaskGroupDump {

    private final String factoryName;
    private final List<TaskGroupSnapshot> roots;
    private final Map<Object, Thread> threads; // snapshot (by identity) -> owner thread or task thread
    private final Instant time = Instant.now();
    private final int[] counts = new int[3]; // groups, running tasks, queued tasks

    private TaskGroupDump(String factoryName, List<TaskGroupSnapshot> roots, Map<Object, Thread> threads) {
        this.factoryName = factoryName;
        this.roots = roots;
        this.threads = threads;
        roots.forEach(this::count);
    }

    /** Takes the snapshots of the live tree (and the threads behind them) of {@code factory}. */
    static TaskGroupDump of(DefaultTaskGroupFactory factory, boolean stacks) {
        Map<Object, Thread> threads = new IdentityHashMap<>();
        List<TaskGroupSnapshot> roots = factory.liveGroups(stacks, threads);
        return new TaskGroupDump(factory.name(), roots, threads);
    }

    /**
     * A dump of snapshots alone (another {@link TaskGroupFactory} implementation): without the threads behind
     * them, thread ids and thread states are {@code null}.
     */
    static TaskGroupDump of(String factoryName, List<TaskGroupSnapshot> roots) {
        return new TaskGroupDump(factoryName, roots, Map.of());
    }

    /** @return groups, running tasks and queued tasks over the whole tree */
    static int[] summary(List<TaskGroupSnapshot> roots) {
        return new TaskGroupDump("", roots, Map.of()).counts.clone();
    }

    void write(Appendable out, TaskGroupFactory.DumpFormat format) throws IOException {
        if (format == TaskGroupFactory.DumpFormat.JSON) {
            writeJson(out);
        } else {
            writeText(out);
        }
    }

    private void count(TaskGroupSnapshot group) {
        counts[0]++;
        for (TaskSnapshot task : group.tasks()) {
            if (task.state() == Task.State.RUNNING) {
                counts[1]++;
            } else if (task.state() == Task.State.PENDING) {
                counts[2]++;
            }
        }
        group.groups().forEach(this::count);
    }

    // ---------------------------------------------------------------- JSON

    private void writeJson(Appendable out) throws IOException {
        JsonWriter json = new JsonWriter(out);
        json.beginObject().name("threadDump").beginObject();
        json.field("processId", Long.toString(ProcessHandle.current().pid()));
        json.field("time", time.toString());
        json.field("runtimeVersion", Runtime.version().toString());
        json.field("taskGroupFactory", factoryName);
        json.name("summary").beginObject();
        json.name("groups").value(counts[0]);
        json.name("runningTasks").value(counts[1]);
        json.name("queuedTasks").value(counts[2]);
        json.endObject();
        json.name("threadContainers").beginArray();
        for (TaskGroupSnapshot root : roots) {
            container(json, root, null);
        }
        json.endArray();
        json.endObject().endObject();
        json.finish();
    }

    /** One container per group, parents before their children, like the JDK's flat list. */
    private void container(JsonWriter json, TaskGroupSnapshot group, @Nullable String parent) throws IOException {
        String container = containerName(group);
        Thread owner = threads.get(group);
        json.beginObject();
        json.field("container", container);
        json.field("parent", parent);
        json.field("owner", owner != null ? tid(owner) : null);
        json.name("threads").beginArray();
        int threadCount = 0;
        for (TaskSnapshot task : group.tasks()) {
            Thread thread = threads.get(task);
            if (thread != null || task.thread() != null) {
                threadCount++;
                json.beginObject();
                thread(json, thread, task.thread(), task.stackTrace());
                json.field("task", task.name());
                json.endObject();
            }
        }
        json.endArray();
        json.field("threadCount", Integer.toString(threadCount));
        json.name("groupId").value(group.id());
        json.field("groupName", group.name());
        json.field("policy", group.policy().value());
        json.field("state", lower(group.state()));
        CancellationReason reason = group.cancellationReason();
        json.field("cancellationReason", reason != null ? reason.value() : null);
        json.field("openedAt", group.openedAt().toString());
        json.field("age", group.age().toString());
        Instant deadline = group.deadline();
        json.field("deadline", deadline != null ? deadline.toString() : null);
        json.name("attributes").beginObject();
        for (Map.Entry<String, String> attribute : group.attributes().entrySet()) {
            json.field(attribute.getKey(), attribute.getValue());
        }
        json.endObject();
        json.name("leaked").value(group.leaked());
        json.name("ownerThread").beginObject();
        thread(json, owner, group.ownerThread(), group.ownerStackTrace());
        json.endObject();
        json.name("tasks").beginArray();
        for (TaskSnapshot task : group.tasks()) {
            Thread thread = threads.get(task);
            json.beginObject();
            json.field("name", task.name());
            json.field("state", lower(task.state()));
            json.field("age", task.age().toString());
            json.field("tid", thread != null ? tid(thread) : null);
            json.endObject();
        }
        json.endArray();
        json.endObject();
        for (TaskGroupSnapshot nested : group.groups()) {
            container(json, nested, container);
        }
    }

    /** The JDK's thread fields: tid, name, state, stack (tid and state null when the thread is not known). */
    private static void thread(
            JsonWriter json, @Nullable Thread thread, @Nullable String name, List<StackTraceElement> stack)
            throws IOException {
        json.field("tid", thread != null ? tid(thread) : null);
        json.field("name", name != null ? name : thread != null ? thread.getName() : null);
        json.field("state", thread != null ? thread.getState().name() : null);
        json.name("stack").beginArray();
        for (StackTraceElement frame : stack) {
            json.value(frame.toString());
        }
        json.endArray();
    }

    // ---------------------------------------------------------------- text

    private void writeText(Appendable out) throws IOException {
        out.append("Task group dump of factory '")
                .append(factoryName)
                .append("' at ")
                .append(time.toString())
                .append(" (pid ")
                .append(Long.toString(ProcessHandle.current().pid()))
                .append(", Java ")
                .append(Runtime.version().toString())
                .append(")\n");
        out.append(plural(counts[0], "group"))
                .append(", ")
                .append(plural(counts[1], "running task"))
                .append(", ")
                .append(plural(counts[2], "queued task"))
                .append('\n');
        for (TaskGroupSnapshot root : roots) {
            out.append('\n');
            text(out, root, "");
        }
    }

    private void text(Appendable out, TaskGroupSnapshot group, String indent) throws IOException {
        out.append(indent)
                .append("group #")
                .append(Long.toString(group.id()))
                .append(" '")
                .append(group.name())
                .append("' ")
                .append(group.policy().value())
                .append(' ')
                .append(lower(group.state()));
        CancellationReason reason = group.cancellationReason();
        if (reason != null) {
            out.append(" (").append(reason.value()).append(')');
        }
        if (group.leaked()) {
            out.append(" leaked");
        }
        out.append(", age ").append(group.age().toString());
        Instant deadline = group.deadline();
        if (deadline != null) {
            out.append(", deadline ").append(deadline.toString());
        }
        for (Map.Entry<String, String> attribute : group.attributes().entrySet()) {
            out.append(", ").append(attribute.getKey()).append('=').append(attribute.getValue());
        }
        out.append(", owner ");
        threadLine(out, threads.get(group), group.ownerThread());
        out.append('\n');
        stack(out, group.ownerStackTrace(), indent + "    ");
        String inner = indent + "  ";
        for (TaskSnapshot task : group.tasks()) {
            out.append(inner)
                    .append("task '")
                    .append(task.name())
                    .append("' ")
                    .append(lower(task.state()))
                    .append(", age ")
                    .append(task.age().toString());
            Thread thread = threads.get(task);
            if (thread != null || task.thread() != null) {
                out.append(", thread ");
                threadLine(out, thread, task.thread());
            }
            out.append('\n');
            stack(out, task.stackTrace(), inner + "    ");
        }
        for (TaskGroupSnapshot nested : group.groups()) {
            text(out, nested, inner);
        }
    }

    /** Like the JDK's text dump: {@code #<tid> "<name>" <state>}. */
    private static void threadLine(Appendable out, @Nullable Thread thread, @Nullable String name) throws IOException {
        if (thread != null) {
            out.append('#').append(tid(thread)).append(' ');
        }
        out.append('"')
                .append(name != null ? name : thread != null ? thread.getName() : "?")
                .append('"');
        if (thread != null) {
            out.append(' ').append(thread.getState().name());
        }
    }

    private static void stack(Appendable out, List<StackTraceElement> stack, String indent) throws IOException {
        for (StackTraceElement frame : stack) {
            out.append(indent).append("at ").append(frame.toString()).append('\n');
        }
    }

    // ---------------------------------------------------------------- helpers

    /** The container's name, {@code <group name>/TaskGroup#<id>}, like the JDK's {@code <name>/<class>@<id>}. */
    static String containerName(TaskGroupSnapshot group) {
        return group.name() + "/TaskGroup#" + group.id();
    }

    @SuppressWarnings("deprecation") // Thread.threadId() is Java 19+; getId() is the same number
    private static String tid(Thread thread) {
        return Long.toString(thread.getId());
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    private static String plural(int count, String noun) {
        return count + " " + noun + (count == 1 ? "" : "s");
    }
}
