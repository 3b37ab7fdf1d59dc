package io.github.taskgroup.micrometer;

import io.github.taskgroup.Task;
import io.github.taskgroup.TaskGroup;
import io.github.taskgroup.TaskGroupListener;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Runs every group and every task inside a Micrometer {@link Observation}, so that a trace shows
 * {@code request -> taskgroup.group -> taskgroup.task} spans and log lines inside a task carry its trace id.
 *
 * <ul>
 *   <li>A group's observation ({@code taskgroup.group}) starts when the group opens, as a child of the
 *       observation current on the opening thread (the request's, or the enclosing task's), and stops when
 *       it closes, with its outcome. No scope of it is opened on the owner thread: open and close may happen
 *       on different threads, and the owner may go on with other work.</li>
 *   <li>A task's observation ({@code taskgroup.task}) has its group's observation as parent, set explicitly.
 *       It starts in {@link #taskStarted} on the task's thread, with a scope open there until
 *       {@link #taskFinished}, so the task's code (and anything it logs or calls) runs inside it. A task
 *       that never started (cancelled while queued, or rejected) has no observation.</li>
 *   <li>The low-cardinality {@code group} key value is bounded by the rule of the meters' {@code group} tag: past
 *       {@code maxGroupNames} distinct names it is {@value TaskGroupMeters#OTHER_GROUPS} (the contextual name
 *       keeps the real name), so that meters made from these observations cannot flood a registry either.</li>
 * </ul>
 *
 * <p>The observations are meant for spans. Their durations and active counts are the meters of
 * {@link TaskGroupMetricsListener}; when the observation registry also has a meter handler (Micrometer's
 * {@code DefaultMeterObservationHandler}), {@link TaskGroupObservationMeterFilter} keeps it from making a second
 * family of the same meters. {@link TaskGroupMetrics#observationListener} makes one with the default naming.
 */
public class TaskGroupObservationListener implements TaskGroupListener {

    private static final System.Logger logger = System.getLogger(TaskGroupObservationListener.class.getName());

    private final ObservationRegistry registry;

    private final @Nullable TaskGroupObservationConvention groupConvention;

    private final @Nullable TaskObservationConvention taskConvention;

    private final GroupTags<String> groupTags;

    private final Map<TaskGroup, Observation> groups = new ConcurrentHashMap<>();

    private final Map<Task<?>, Observation.Scope> tasks = new ConcurrentHashMap<>();

    /**
     * A listener whose {@code group} key value has at most {@value TaskGroupMetrics#DEFAULT_MAX_GROUP_NAMES}
     * distinct values besides {@value TaskGroupMeters#OTHER_GROUPS}.
     * @param registry the registry that creates the observations
     * @param groupConvention the convention of group observations, or {@code null} for the default one
     * @param taskConvention the convention of task observations, or {@code null} for the default one
     */
    public TaskGroupObservationListener(
            ObservationRegistry registry,
            @Nullable TaskGroupObservationConvention groupConvention,
            @Nullable TaskObservationConvention taskConvention) {
        this(registry, groupConvention, taskConvention, TaskGroupMetrics.DEFAULT_MAX_GROUP_NAMES);
    }

    /**
     * @param registry the registry that creates the observations
     * @param groupConvention the convention of group observations, or {@code null} for the default one
     * @param taskConvention the convention of task observations, or {@code null} for the default one
     * @param maxGroupNames how many distinct group names are a {@code group} key value of their own (at least 1),
     * as for {@link TaskGroupMetricsListener#TaskGroupMetricsListener(io.micrometer.core.instrument.MeterRegistry, int)}
     */
    public TaskGroupObservationListener(
            ObservationRegistry registry,
            @Nullable TaskGroupObservationConvention groupConvention,
            @Nullable TaskObservationConvention taskConvention,
            int maxGroupNames) {
        this.registry = registry;
        this.groupConvention = groupConvention;
        this.taskConvention = taskConvention;
        this.groupTags = new GroupTags<>(maxGroupNames, (tag) -> tag, logger, "the observations' group key");
    }

    @Override
    public void groupOpened(TaskGroup group) {
        Observation observation = TaskGroupObservationDocumentation.GROUP
                .observation(
                        this.groupConvention,
                        DefaultTaskGroupObservationConvention.INSTANCE,
                        () -> new TaskGroupObservationContext(group, this.groupTags.get(group.name())),
                        this.registry)
                .start();
        if (!observation.isNoop()) {
            this.groups.put(group, observation);
        }
    }

    @Override
    public void groupClosed(TaskGroup group, TaskGroup.Outcome outcome, long durationNanos) {
        Observation observation = this.groups.remove(group);
        if (observation != null) {
            ((TaskGroupObservationContext) observation.getContext()).setOutcome(outcome);
            observation.stop();
        }
    }

    @Override
    public void taskStarted(Task<?> task) {
        Observation parent = this.groups.get(task.group());
        Observation observation = TaskGroupObservationDocumentation.TASK.observation(
                this.taskConvention,
                DefaultTaskObservationConvention.INSTANCE,
                () -> new TaskObservationContext(task, groupTag(task, parent)),
                this.registry);
        if (observation.isNoop()) {
            return;
        }
        if (parent != null) {
            // The current observation here is the forking thread's (restored by context propagation), not
            // necessarily the group's: the group's observation is never in scope.
            observation.parentObservation(parent);
        }
        observation.start();
        this.tasks.put(task, observation.openScope());
    }

    private String groupTag(Task<?> task, @Nullable Observation parent) {
        // The group's context already holds the tag, unless the group was not observed (a predicate said no).
        if (parent != null && parent.getContext() instanceof TaskGroupObservationContext context) {
            return context.getGroupTag();
        }
        return this.groupTags.get(task.group().name());
    }

    @Override
    public void taskFinished(Task<?> task, long runNanos) {
        if (runNanos == NOT_STARTED) {
            return;
        }
        Observation.Scope scope = this.tasks.remove(task);
        if (scope == null) {
            return;
        }
        Observation observation = scope.getCurrentObservation();
        if (task.state() == Task.State.FAILED && task.exception() != null) {
            observation.error(task.exception());
        }
        scope.close();
        observation.stop();
    }
}
