package io.github.taskgroup;

import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import org.jspecify.annotations.Nullable;

/** Tells genuine failures from echoes of cancellation. */
final class Failures {

    private static final int MAX_CAUSE_DEPTH = 64;

    /** The longest text a report's message takes from one failure (or one source). */
    static final int MAX_SUMMARY = 200;

    /** How far down nested reports a summary looks for the first failure. */
    private static final int MAX_NESTED_REPORTS = 10_000;

    private Failures() {}

    /**
     * What a task (or body) that was being cancelled really failed with.
     *
     * @param thrown what it threw
     * @return {@code thrown} itself when it is genuine; the genuine failures an echo carries as suppressed
     *         exceptions (the first, with the others added to it as suppressed); {@code null} when
     *         {@code thrown} is only an echo of the cancellation
     */
    static @Nullable Throwable genuineAfterCancellation(Throwable thrown) {
        if (!isEcho(thrown)) {
            return thrown;
        }
        if (!carriesSuppressed(thrown)) {
            // The common echo (an interrupt and nothing riding on it): every sibling of a cancelled group
            // gets here, on the carriers the canceller needs, so it allocates nothing.
            return null;
        }
        List<Throwable> carried = new ArrayList<>();
        Set<Throwable> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        collectCarried(thrown, carried, seen, 0);
        if (carried.isEmpty()) {
            return null;
        }
        Throwable first = carried.get(0);
        for (int i = 1; i < carried.size(); i++) {
            first.addSuppressed(carried.get(i));
        }
        return first;
    }

    /**
     * An echo is an exception that only says "I was cancelled": an interrupt, a cancellation, an interrupted
     * I/O operation, anything caused by one of those, or the timeout of a group whose deadline was
     * inherited from its (expired) parent.
     */
    static boolean isEcho(Throwable thrown) {
        Throwable current = thrown;
        for (int depth = 0; current != null && depth < MAX_CAUSE_DEPTH; depth++) {
            if (current instanceof TaskGroupTimeoutException timeout) {
                return timeout.timeout() == null && timeout.failures().isEmpty() && timeout.omittedFailures() == 0;
            }
            if (current instanceof TaskGroupException) {
                return false; // carries genuine failures
            }
            if (current instanceof InterruptedException
                    || current instanceof CancellationException
                    || current instanceof ClosedByInterruptException
                    || (current instanceof InterruptedIOException && !(current instanceof SocketTimeoutException))) {
                return true;
            }
            current = current.getCause();
        }
        return false;
    }

    /** Whether anything on {@code thrown}'s cause chain has suppressed exceptions: nothing else can be carried. */
    private static boolean carriesSuppressed(Throwable thrown) {
        Throwable current = thrown;
        for (int depth = 0; current != null && depth < MAX_CAUSE_DEPTH; depth++) {
            if (current.getSuppressed().length > 0) {
                return true;
            }
            current = current.getCause();
        }
        return false;
    }

    private static void collectCarried(Throwable echo, List<Throwable> carried, Set<Throwable> seen, int depth) {
        Throwable current = echo;
        for (int d = depth; current != null && d < MAX_CAUSE_DEPTH && seen.add(current); d++) {
            for (Throwable suppressed : current.getSuppressed()) {
                if (!isEcho(suppressed)) {
                    carried.add(suppressed);
                } else {
                    collectCarried(suppressed, carried, seen, d + 1);
                }
            }
            current = current.getCause();
        }
    }

    /**
     * @return the failure's class and the first line of its message, at most {@link #MAX_SUMMARY}
     *         characters: what a report's message says about a failure it carries. A nested group's report
     *         is summed up by its group and its innermost first failure, not by its own message.
     */
    static String summary(Throwable failure) {
        if (failure instanceof TaskGroupException nested) {
            Throwable innermost = nested;
            for (int depth = 0;
                    innermost instanceof TaskGroupException
                            && innermost.getCause() != null
                            && depth < MAX_NESTED_REPORTS;
                    depth++) {
                innermost = innermost.getCause();
            }
            String of = failure.getClass().getSimpleName() + " of group '" + bounded(nested.groupName()) + "'";
            return innermost == nested ? of : bounded(of + ", first failure " + firstLine(innermost));
        }
        return bounded(firstLine(failure));
    }

    private static String firstLine(Throwable failure) {
        String message = failure.getMessage();
        String name = failure.getClass().getName();
        if (message == null) {
            return name;
        }
        int newline = message.indexOf('\n');
        if (newline >= 0) {
            message = message.substring(0, newline > 0 && message.charAt(newline - 1) == '\r' ? newline - 1 : newline);
        }
        return name + ": " + message;
    }

    /** @return {@code text}, cut to {@link #MAX_SUMMARY} characters */
    static String bounded(String text) {
        return text.length() <= MAX_SUMMARY ? text : text.substring(0, MAX_SUMMARY - 3) + "...";
    }
}
