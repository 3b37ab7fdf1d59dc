package io.github.taskgroup.autoconfigure;

import io.github.taskgroup.TaskGroupFactory;
import io.github.taskgroup.TaskGroupPolicy;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of the task group factory, its executor, its group defaults and named groups, and
 * its graceful shutdown. Values are checked when the factory is built: an invalid one fails start-up with a
 * message that names the property (see {@link InvalidTaskGroupPropertyException}).
 */
@ConfigurationProperties("taskgroup")
public class TaskGroupProperties {

    /**
     * How long a group may stay open before it is cancelled, for groups that set no timeout themselves.
     * Unset: no timeout.
     */
    private @Nullable Duration defaultTimeout;

    /**
     * How many tasks of a group may run at once, for groups that set no limit themselves. Unset: no limit.
     */
    private @Nullable Integer maxConcurrency;

    /**
     * How many tasks of a group may wait for one of its max-concurrency permits before further forks are refused
     * (TaskRejectedException, 429 on the web), for groups that set no bound themselves. Unset: unbounded. No
     * effect on groups without max-concurrency.
     */
    private @Nullable Integer maxQueued;

    /** Name of the shared limit (a key of taskgroup.limits) every task passes, for groups that set none. */
    private @Nullable String limit;

    /**
     * Limits shared by every group that uses them (bulkheads), by name: at most max-concurrency of their tasks
     * run at once, across groups, and at most max-queued wait.
     */
    private final Map<String, Limit> limits = new LinkedHashMap<>();

    /** What a group does when a task fails or succeeds, for groups that set no policy themselves. */
    private TaskGroupPolicy policy = TaskGroupPolicy.FAIL_FAST;

    /**
     * Whether a thread carries its group's name while it runs a task ("<group>/<task>" for a named task, the
     * group's name for an unnamed one), so that thread dumps, logs and JFR show whom it works for.
     */
    private boolean renameThreads = true;

    /**
     * Whether the factory emits the JFR events io.github.taskgroup.GroupClosed and
     * io.github.taskgroup.TaskFinished; they cost next to nothing while no recording enables them.
     */
    private boolean jfrEvents = true;

    /**
     * The factory's name, shown in dumps and in its JMX MBean name
     * (io.github.taskgroup:type=TaskGroups,name=...). Default: spring.application.name, else "application".
     */
    private @Nullable String name;

    private final Jmx jmx = new Jmx();

    /**
     * How long a task may keep running after it was cancelled before it is reported, once, as a straggler (a
     * task that ignores its interrupt): a warning log line, the taskgroup.tasks.stragglers meters, a flag in the
     * taskgroups endpoint and the JFR event io.github.taskgroup.TaskStraggler. Must be positive.
     */
    private Duration stragglerThreshold = TaskGroupFactory.Builder.DEFAULT_STRAGGLER_THRESHOLD;

    /** Options that apply whenever code opens a group with the given name; they win over the defaults. */
    private final Map<String, Group> groups = new LinkedHashMap<>();

    private final Executor executor = new Executor();

    private final Shutdown shutdown = new Shutdown();

    public @Nullable Duration getDefaultTimeout() {
        return this.defaultTimeout;
    }

    public void setDefaultTimeout(@Nullable Duration defaultTimeout) {
        this.defaultTimeout = defaultTimeout;
    }

    public @Nullable Integer getMaxConcurrency() {
        return this.maxConcurrency;
    }

    public void setMaxConcurrency(@Nullable Integer maxConcurrency) {
        this.maxConcurrency = maxConcurrency;
    }

    public TaskGroupPolicy getPolicy() {
        return this.policy;
    }

    public @Nullable Integer getMaxQueued() {
        return this.maxQueued;
    }

    public void setMaxQueued(@Nullable Integer maxQueued) {
        this.maxQueued = maxQueued;
    }

    public @Nullable String getLimit() {
        return this.limit;
    }

    public void setLimit(@Nullable String limit) {
        this.limit = limit;
    }

    public Map<String, Limit> getLimits() {
        return this.limits;
    }

    /** A limit shared by the groups that use it. */
    public static class Limit {

        /** How many tasks of the groups that use this limit may run at once, across groups. Required. */
        private @Nullable Integer maxConcurrency;

        /** How many tasks may wait for a permit before further forks are refused. Unset: unbounded. */
        private @Nullable Integer maxQueued;

        public @Nullable Integer getMaxConcurrency() {
            return this.maxConcurrency;
        }

        public void setMaxConcurrency(@Nullable Integer maxConcurrency) {
            this.maxConcurrency = maxConcurrency;
        }

        public @Nullable Integer getMaxQueued() {
            return this.maxQueued;
        }

        public void setMaxQueued(@Nullable Integer maxQueued) {
            this.maxQueued = maxQueued;
        }
    }

    public void setPolicy(TaskGroupPolicy policy) {
        this.policy = policy;
    }

    public boolean isRenameThreads() {
        return this.renameThreads;
    }

    public void setRenameThreads(boolean renameThreads) {
        this.renameThreads = renameThreads;
    }

    public boolean isJfrEvents() {
        return this.jfrEvents;
    }

    public void setJfrEvents(boolean jfrEvents) {
        this.jfrEvents = jfrEvents;
    }

    public Duration getStragglerThreshold() {
        return this.stragglerThreshold;
    }

    public void setStragglerThreshold(Duration stragglerThreshold) {
        this.stragglerThreshold = stragglerThreshold;
    }

    public Map<String, Group> getGroups() {
        return this.groups;
    }

    public Executor getExecutor() {
        return this.executor;
    }

    public Shutdown getShutdown() {
        return this.shutdown;
    }

    public @Nullable String getName() {
        return this.name;
    }

    public void setName(@Nullable String name) {
        this.name = name;
    }

    public Jmx getJmx() {
        return this.jmx;
    }

    /** The factory's JMX MBean. */
    public static class Jmx {

        /**
         * Whether to register the MBean io.github.taskgroup:type=TaskGroups,name=&lt;taskgroup.name&gt; (summary
         * and dump) in the platform MBean server. Default: the value of spring.jmx.enabled (false unless set).
         */
        private @Nullable Boolean enabled;

        /**
         * Whether the MBean has the operation cancel(groupId), which cancels a live group with reason explicit.
         * Needs the MBean (taskgroup.jmx.enabled).
         */
        private boolean cancelEnabled = false;

        public @Nullable Boolean getEnabled() {
            return this.enabled;
        }

        public void setEnabled(@Nullable Boolean enabled) {
            this.enabled = enabled;
        }

        public boolean isCancelEnabled() {
            return this.cancelEnabled;
        }

        public void setCancelEnabled(boolean cancelEnabled) {
            this.cancelEnabled = cancelEnabled;
        }
    }

    /** Options of the groups opened with one name. */
    public static class Group {

        /** How long a group with this name may stay open before it is cancelled. */
        private @Nullable Duration timeout;

        /** How many tasks of a group with this name may run at once. */
        private @Nullable Integer maxConcurrency;

        /** How many tasks of a group with this name may wait for a max-concurrency permit. */
        private @Nullable Integer maxQueued;

        /** Name of the shared limit (a key of taskgroup.limits) every task of a group with this name passes. */
        private @Nullable String limit;

        /** What a group with this name does when a task fails or succeeds. */
        private @Nullable TaskGroupPolicy policy;

        /** Name of the Executor bean that runs the tasks of groups with this name. Unset: the factory's. */
        private @Nullable String executor;

        /**
         * Whether a client that disconnects cancels a request-scoped group with this name (a route such as 'GET
         * /orders/{id}'); with false the disconnect is only counted. Unset: the handler's
         * '@RequestTaskGroupOptions', else true. No effect on other groups.
         */
        private @Nullable Boolean cancelOnDisconnect;

        public @Nullable Duration getTimeout() {
            return this.timeout;
        }

        public void setTimeout(@Nullable Duration timeout) {
            this.timeout = timeout;
        }

        public @Nullable Integer getMaxConcurrency() {
            return this.maxConcurrency;
        }

        public void setMaxConcurrency(@Nullable Integer maxConcurrency) {
            this.maxConcurrency = maxConcurrency;
        }

        public @Nullable Integer getMaxQueued() {
            return this.maxQueued;
        }

        public void setMaxQueued(@Nullable Integer maxQueued) {
            this.maxQueued = maxQueued;
        }

        public @Nullable String getLimit() {
            return this.limit;
        }

        public void setLimit(@Nullable String limit) {
            this.limit = limit;
        }

        public @Nullable TaskGroupPolicy getPolicy() {
            return this.policy;
        }

        public void setPolicy(@Nullable TaskGroupPolicy policy) {
            this.policy = policy;
        }

        public @Nullable String getExecutor() {
            return this.executor;
        }

        public void setExecutor(@Nullable String executor) {
            this.executor = executor;
        }

        public @Nullable Boolean getCancelOnDisconnect() {
            return this.cancelOnDisconnect;
        }

        public void setCancelOnDisconnect(@Nullable Boolean cancelOnDisconnect) {
            this.cancelOnDisconnect = cancelOnDisconnect;
        }
    }

    /** The executor that runs tasks. */
    public static class Executor {

        /**
         * Which threads run tasks. Unset: 'virtual' when spring.threads.virtual.enabled is true on JDK 21+,
         * otherwise 'platform'.
         */
        private @Nullable Mode mode;

        /** Name of the Executor bean that runs tasks, in 'bean' mode. */
        private @Nullable String beanName;

        /**
         * Prefix of the names of the threads that the 'virtual' and 'platform' executors create. A virtual
         * thread takes it only when it is not born with its task's name (rename-threads off).
         */
        private String threadNamePrefix = "taskgroup-";

        private final Platform platform = new Platform();

        public @Nullable Mode getMode() {
            return this.mode;
        }

        public void setMode(@Nullable Mode mode) {
            this.mode = mode;
        }

        public @Nullable String getBeanName() {
            return this.beanName;
        }

        public void setBeanName(@Nullable String beanName) {
            this.beanName = beanName;
        }

        public String getThreadNamePrefix() {
            return this.threadNamePrefix;
        }

        public void setThreadNamePrefix(String threadNamePrefix) {
            this.threadNamePrefix = threadNamePrefix;
        }

        public Platform getPlatform() {
            return this.platform;
        }

        /** Which threads run tasks. */
        public enum Mode {

            /** A new virtual thread per task (JDK 21+). */
            VIRTUAL,

            /** A bounded pool of platform threads, owned by the factory. */
            PLATFORM,

            /** An Executor bean of the application, named by 'taskgroup.executor.bean-name'. */
            BEAN
        }
    }

    /**
     * The platform thread pool. The defaults hand every task straight to a thread (no queue), growing up to
     * max-size: tasks of a group often block on nested groups, and a queue behind blocked threads could
     * starve them. Limit concurrency per group with max-concurrency instead.
     */
    public static class Platform {

        /** Number of threads kept in the pool. */
        private int coreSize = 8;

        /** Maximum number of threads; a task forked when all are busy and the queue is full fails. */
        private int maxSize = 256;

        /** Capacity of the queue in front of the pool; 0 hands every task directly to a thread. */
        private int queueCapacity = 0;

        /** How long a thread beyond the core size may stay idle before it ends. */
        private Duration keepAlive = Duration.ofSeconds(60);

        /** Whether core threads may also end after keep-alive of idleness. */
        private boolean allowCoreThreadTimeout = true;

        public int getCoreSize() {
            return this.coreSize;
        }

        public void setCoreSize(int coreSize) {
            this.coreSize = coreSize;
        }

        public int getMaxSize() {
            return this.maxSize;
        }

        public void setMaxSize(int maxSize) {
            this.maxSize = maxSize;
        }

        public int getQueueCapacity() {
            return this.queueCapacity;
        }

        public void setQueueCapacity(int queueCapacity) {
            this.queueCapacity = queueCapacity;
        }

        public Duration getKeepAlive() {
            return this.keepAlive;
        }

        public void setKeepAlive(Duration keepAlive) {
            this.keepAlive = keepAlive;
        }

        public boolean isAllowCoreThreadTimeout() {
            return this.allowCoreThreadTimeout;
        }

        public void setAllowCoreThreadTimeout(boolean allowCoreThreadTimeout) {
            this.allowCoreThreadTimeout = allowCoreThreadTimeout;
        }
    }

    /** Graceful shutdown of the open groups. */
    public static class Shutdown {

        /**
         * How long shutdown waits for open groups to finish on their own before it cancels them.
         */
        private Duration awaitTerminationPeriod = Duration.ofSeconds(30);

        /**
         * How long shutdown then waits for cancelled tasks to end before it logs those that still run.
         */
        private Duration awaitCancellationPeriod = Duration.ofSeconds(5);

        public Duration getAwaitTerminationPeriod() {
            return this.awaitTerminationPeriod;
        }

        public void setAwaitTerminationPeriod(Duration awaitTerminationPeriod) {
            this.awaitTerminationPeriod = awaitTerminationPeriod;
        }

        public Duration getAwaitCancellationPeriod() {
            return this.awaitCancellationPeriod;
        }

        public void setAwaitCancellationPeriod(Duration awaitCancellationPeriod) {
            this.awaitCancellationPeriod = awaitCancellationPeriod;
        }
    }
}
