package io.github.taskgroup.micrometer;

/**
 * The names, tag keys and tag values of the meters that {@link TaskGroupMetricsListener} records. They are a
 * contract with dashboards and alerts: lowercase, dot-separated, in base units (seconds for timers; "tasks" and
 * "groups" for counters and gauges). Registries translate them to their own conventions: Prometheus shows
 * {@code taskgroup.tasks.spawned} as {@code taskgroup_tasks_spawned_tasks_total} and
 * {@code taskgroup.task.duration} as {@code taskgroup_task_duration_seconds_count} (and {@code _sum},
 * {@code _max}).
 */
public final class TaskGroupMeters {

    /** Counter: tasks forked. Tag {@link #GROUP}. */
    public static final String TASKS_SPAWNED = "taskgroup.tasks.spawned";

    /** Counter: tasks that ended cancelled. Tags {@link #GROUP}, {@link #REASON}. */
    public static final String TASKS_CANCELLED = "taskgroup.tasks.cancelled";

    /**
     * Timer: run time of every finished task (zero for a task that never started). Tags {@link #GROUP},
     * {@link #OUTCOME} ({@code succeeded}, {@code failed}, {@code cancelled}).
     */
    public static final String TASK_DURATION = "taskgroup.task.duration";

    /** Gauge: tasks running now. Tag {@link #GROUP}. */
    public static final String TASKS_ACTIVE = "taskgroup.tasks.active";

    /** Gauge: tasks forked but not started yet (waiting for a concurrency permit or a thread). Tag {@link #GROUP}. */
    public static final String TASKS_QUEUED = "taskgroup.tasks.queued";

    /**
     * Timer: time each task of a group under admission control (a {@code max-concurrency} or a shared limit)
     * waited from its fork until it held every permit it needs (zero when it got them at once). Tag
     * {@link #GROUP}. Tasks of groups without admission control are not recorded; a task cancelled while it
     * waited is not recorded either.
     */
    public static final String TASK_WAIT = "taskgroup.task.wait";

    /**
     * Counter: forks refused by admission control ({@code io.github.taskgroup.TaskRejectedException}). Tags
     * {@link #GROUP}, {@link #REASON}: {@link #REASON_QUEUE_FULL} or {@link #REASON_LIMIT_FULL}.
     */
    public static final String TASKS_REJECTED = "taskgroup.tasks.rejected";

    /** Tag value of {@link #REASON} on {@link #TASKS_REJECTED}: the group's own queue was full. */
    public static final String REASON_QUEUE_FULL = "queue-full";

    /** Tag value of {@link #REASON} on {@link #TASKS_REJECTED}: the shared limit's queue was full. */
    public static final String REASON_LIMIT_FULL = "limit-full";

    /**
     * Gauge: tasks running now that were cancelled at least the factory's straggler threshold ago (they ignore
     * their interrupt). Tag {@link #GROUP}. Prometheus: {@code taskgroup_tasks_stragglers_tasks}.
     */
    public static final String TASKS_STRAGGLERS = "taskgroup.tasks.stragglers";

    /**
     * Counter: tasks reported as stragglers, each once. Tag {@link #GROUP}. Prometheus:
     * {@code taskgroup_tasks_stragglers_seen_tasks_total}.
     */
    public static final String TASKS_STRAGGLERS_SEEN = "taskgroup.tasks.stragglers.seen";

    /** Gauge: groups open now. Tag {@link #GROUP}. */
    public static final String GROUPS_ACTIVE = "taskgroup.groups.active";

    /**
     * Timer: time from open to close of every closed group. Tags {@link #GROUP}, {@link #OUTCOME}
     * ({@code succeeded}, {@code failed}, {@code cancelled}, {@code timeout}).
     */
    public static final String GROUP_DURATION = "taskgroup.group.duration";

    /**
     * Counter: outgoing HTTP calls made from a group with a deadline (the auto-configuration's
     * {@code DeadlinePropagationInterceptor} and {@code DeadlinePropagationFilter}). Tag {@link #OUTCOME}:
     * {@code propagated} (sent with the remaining time) or {@code expired} (not sent: the deadline had passed).
     */
    public static final String PROPAGATION_CALLS = "taskgroup.propagation.calls";

    /**
     * Counter: deadlines received with requests (the propagation header, or an extra header configured), counted
     * when the request's group opens (a malformed value: when the request's group is first asked for). Tag
     * {@link #OUTCOME}: {@code adopted} (the group's deadline), {@code expired} (already passed: the group opened
     * with its deadline passed), {@code ignored-later} (the configured timeout ends first) or
     * {@code ignored-malformed} (not a whole, non-negative number of milliseconds).
     */
    public static final String PROPAGATION_RECEIVED = "taskgroup.propagation.received";

    /**
     * Counter: requests whose client disconnected while their request-scoped group was in use (before the
     * response was committed). Tags {@link #GROUP}, {@link #ACTION} ({@link #ACTION_CANCELLED},
     * {@link #ACTION_IGNORED}).
     */
    public static final String REQUESTS_DISCONNECTED = "taskgroup.requests.disconnected";

    /** Tag key: what was done about a client that disconnected. */
    public static final String ACTION = "action";

    /** Tag value of {@link #ACTION}: the request's group was cancelled (reason {@code request-aborted}). */
    public static final String ACTION_CANCELLED = "cancelled";

    /** Tag value of {@link #ACTION}: the route opted out of cancel-on-disconnect; the tasks ran on. */
    public static final String ACTION_IGNORED = "ignored";

    /** Base unit of the request counter. */
    public static final String UNIT_REQUESTS = "requests";

    /** Tag key: the group's name, or {@link #OTHER_GROUPS} past the cardinality limit. */
    public static final String GROUP = "group";

    /** Tag key: how a task or a group ended. */
    public static final String OUTCOME = "outcome";

    /**
     * Tag key: why a task was cancelled, a {@link io.github.taskgroup.CancellationReason#value()}:
     * {@code sibling-failure}, {@code timeout}, {@code request-aborted}, {@code shutdown}, {@code explicit},
     * {@code parent}, {@code first-success}; on {@link #TASKS_REJECTED}, why a fork was refused
     * ({@link #REASON_QUEUE_FULL}, {@link #REASON_LIMIT_FULL}).
     */
    public static final String REASON = "reason";

    /** Tag value of {@link #GROUP} for every group name past {@code taskgroup.metrics.max-group-names}. */
    public static final String OTHER_GROUPS = "other";

    /** Base unit of the task counters and gauges. */
    public static final String UNIT_TASKS = "tasks";

    /** Base unit of the group gauge. */
    public static final String UNIT_GROUPS = "groups";

    private TaskGroupMeters() {}
}
