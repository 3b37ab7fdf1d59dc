package io.github.taskgroup;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.ReflectionException;
import javax.management.RuntimeOperationsException;
import org.jspecify.annotations.Nullable;

/**
 * The MBean {@code io.github.taskgroup:type=TaskGroups,name=<factory name>}: the summary as attributes, the
 * dump as operations, and {@code cancel(long groupId)} only when the application enabled it. A dynamic MBean,
 * so that an operation that is not enabled does not exist at all (it is neither listed nor invocable). Only
 * loaded when an application asks for JMX ({@link JmxSupport}). Its methods run on JMX client threads.
 */
final class TaskGroupsMBean implements DynamicMBean {

    static final String DOMAIN = "io.github.taskgroup";

    private static final String[] ATTRIBUTES = {"Name", "Groups", "RunningTasks", "QueuedTasks"};

    private final DefaultTaskGroupFactory factory;
    private final boolean cancelOperation;
    private final MBeanInfo info;

    private TaskGroupsMBean(DefaultTaskGroupFactory factory, boolean cancelOperation) {
        this.factory = factory;
        this.cancelOperation = cancelOperation;
        this.info = info(cancelOperation);
    }

    /** @return the object name of the MBean of the factory named {@code name} */
    static ObjectName objectName(String name) {
        String value = name.chars().anyMatch(c -> ",=:\"*?\n\\".indexOf(c) >= 0) ? ObjectName.quote(name) : name;
        try {
            return new ObjectName(DOMAIN + ":type=TaskGroups,name=" + value);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("TaskGroupFactory name '" + name + "' makes no JMX ObjectName", e);
        }
    }

    static AutoCloseable register(DefaultTaskGroupFactory factory, boolean cancelOperation) {
        ObjectName name = objectName(factory.name());
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            server.registerMBean(new TaskGroupsMBean(factory, cancelOperation), name);
        } catch (InstanceAlreadyExistsException e) {
            throw new IllegalStateException(
                    "Cannot register the MBean of TaskGroupFactory '" + factory.name()
                            + "': an MBean named " + name + " is already registered (another live factory with this"
                            + " name?); give each factory its own name (TaskGroupFactory.Builder.name, in Spring Boot"
                            + " taskgroup.name)",
                    e);
        } catch (JMException e) {
            throw new IllegalStateException("Cannot register the MBean " + name, e);
        }
        AtomicBoolean registered = new AtomicBoolean(true);
        return () -> {
            if (registered.compareAndSet(true, false)) {
                try {
                    server.unregisterMBean(name);
                } catch (InstanceNotFoundException e) {
                    // unregistered by someone else: nothing left to do
                }
            }
        };
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException {
        if (attribute == null) {
            throw new RuntimeOperationsException(new IllegalArgumentException("attribute name is null"));
        }
        switch (attribute) {
            case "Name":
                return factory.name();
            case "Groups":
                return summary()[0];
            case "RunningTasks":
                return summary()[1];
            case "QueuedTasks":
                return summary()[2];
            default:
                throw new AttributeNotFoundException(
                        "No attribute " + attribute + " (attributes: " + String.join(", ", ATTRIBUTES) + ")");
        }
    }

    @Override
    public AttributeList getAttributes(String[] attributes) {
        AttributeList list = new AttributeList();
        int[] summary = summary(); // one snapshot for all of them, so that they agree
        for (String attribute : attributes) {
            Object value;
            switch (attribute) {
                case "Name":
                    value = factory.name();
                    break;
                case "Groups":
                    value = summary[0];
                    break;
                case "RunningTasks":
                    value = summary[1];
                    break;
                case "QueuedTasks":
                    value = summary[2];
                    break;
                default:
                    continue; // the JMX contract: unknown attributes are left out
            }
            list.add(new Attribute(attribute, value));
        }
        return list;
    }

    @Override
    public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
        throw new AttributeNotFoundException("The attributes of " + objectName(factory.name()) + " are read-only");
    }

    @Override
    public AttributeList setAttributes(AttributeList attributes) {
        return new AttributeList(); // read-only: none set
    }

    @Override
    public Object invoke(String actionName, Object @Nullable [] params, String @Nullable [] signature)
            throws ReflectionException {
        Object[] args = params != null ? params : new Object[0];
        switch (actionName == null ? "" : actionName) {
            case "dumpJson":
                return factory.dump(TaskGroupFactory.DumpFormat.JSON, booleanArg(actionName, args));
            case "dumpText":
                return factory.dump(TaskGroupFactory.DumpFormat.TEXT, booleanArg(actionName, args));
            case "cancel":
                if (cancelOperation) {
                    return cancel(longArg(actionName, args));
                }
                break;
            default:
                break;
        }
        throw new ReflectionException(
                new NoSuchMethodException(actionName),
                "No operation " + actionName + " on " + objectName(factory.name())
                        + (cancelOperation ? "" : " (cancel exists only when the application enables it)"));
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        return info;
    }

    private String cancel(long groupId) {
        return factory.find(groupId)
                .map(group -> group.cancel(CancellationReason.EXPLICIT)
                        ? "cancelled group " + groupId + " '" + group.name() + "'"
                        : "group " + groupId + " '" + group.name() + "' was already cancelled")
                .orElse("no live group with id " + groupId);
    }

    private int[] summary() {
        List<TaskGroupSnapshot> roots = factory.liveGroups(false);
        return TaskGroupDump.summary(roots);
    }

    private static boolean booleanArg(String operation, Object[] args) {
        if (args.length != 1 || !(args[0] instanceof Boolean)) {
            throw new RuntimeOperationsException(
                    new IllegalArgumentException(operation + " takes one boolean argument: stacks"));
        }
        return (Boolean) args[0];
    }

    private static long longArg(String operation, Object[] args) {
        if (args.length != 1 || !(args[0] instanceof Long || args[0] instanceof Integer)) {
            throw new RuntimeOperationsException(
                    new IllegalArgumentException(operation + " takes one long argument: groupId"));
        }
        return ((Number) args[0]).longValue();
    }

    private static MBeanInfo info(boolean cancelOperation) {
        MBeanAttributeInfo[] attributes = {
            attribute("Name", "java.lang.String", "The factory's name"),
            attribute("Groups", "int", "Live groups, nested ones included"),
            attribute("RunningTasks", "int", "Tasks running on a thread"),
            attribute("QueuedTasks", "int", "Tasks forked and not started (waiting for a permit or a thread)")
        };
        MBeanParameterInfo stacks =
                new MBeanParameterInfo("stacks", "boolean", "Whether to include the stacks of owner and task threads");
        MBeanOperationInfo dumpJson = new MBeanOperationInfo(
                "dumpJson",
                "The live tree as JSON, shaped like jcmd Thread.dump_to_file -format=json (see docs/diagnostics.md)",
                new MBeanParameterInfo[] {stacks},
                "java.lang.String",
                MBeanOperationInfo.INFO);
        MBeanOperationInfo dumpText = new MBeanOperationInfo(
                "dumpText",
                "The live tree as text",
                new MBeanParameterInfo[] {stacks},
                "java.lang.String",
                MBeanOperationInfo.INFO);
        MBeanOperationInfo[] operations = cancelOperation
                ? new MBeanOperationInfo[] {
                    dumpJson,
                    dumpText,
                    new MBeanOperationInfo(
                            "cancel",
                            "Cancels the live group with this id (reason explicit) and so its subtree; says what it did",
                            new MBeanParameterInfo[] {new MBeanParameterInfo("groupId", "long", "The group's id")},
                            "java.lang.String",
                            MBeanOperationInfo.ACTION)
                }
                : new MBeanOperationInfo[] {dumpJson, dumpText};
        return new MBeanInfo(
                TaskGroupsMBean.class.getName(),
                "The live task groups of a TaskGroupFactory",
                attributes,
                null,
                operations,
                null);
    }

    private static MBeanAttributeInfo attribute(String name, String type, String description) {
        return new MBeanAttributeInfo(name, type, description, true, false, false);
    }
}
