package io.github.taskgroup;

import java.util.ArrayList;
import java.util.List;

/**
 * The genuine failures of one group that the owner has not been told about yet. Bounded: past
 * {@link TaskGroupException#MAX_RECORDED_FAILURES} failures are counted, not kept. Guarded by the group's
 * lock.
 */
final class FailureRecord {

    /**
     * One failure and where it came from ({@code task 'x'}, {@code the body}, {@code the completion policy
     * 'x'}); {@code decided}: the source did not throw it but decided to fail with it (a policy's
     * {@link CompletionPolicy.Decision#fail}), which a report's message says; {@code fromBody}: kept when a won
     * race drops the tasks' failures (the body's and the policy's).
     */
    record Entry(String source, Throwable failure, boolean decided, boolean fromBody) {

        /** A failure its source threw. */
        Entry(String source, Throwable failure, boolean fromBody) {
            this(source, failure, false, fromBody);
        }

        /** A failure a completion policy decided to fail with: never dropped by a won race, as the body's. */
        static Entry decidedBy(String source, Throwable failure) {
            return new Entry(source, failure, true, true);
        }
    }

    private List<Entry> unreported = new ArrayList<>(2);
    private int omitted;
    private int total;

    void add(Entry entry) {
        total++;
        if (unreported.size() < TaskGroupException.MAX_RECORDED_FAILURES) {
            unreported.add(entry);
        } else {
            omitted++;
        }
    }

    /** @return a copy of the failures not reported yet (for a completion view, which does not consume them) */
    List<Entry> unreported() {
        return new ArrayList<>(unreported);
    }

    /** @return how many failures not reported yet were not kept */
    int omitted() {
        return omitted;
    }

    /** @return how many genuine failures the group ever had */
    int total() {
        return total;
    }

    /**
     * Hands the unreported failures over and forgets them, so that each failure is reported once.
     *
     * @param bodyOnly whether to report only the body's failures (a won race drops the losers' failures)
     */
    Drained drain(boolean bodyOnly) {
        List<Entry> entries = unreported;
        int dropped = omitted;
        unreported = new ArrayList<>(2);
        omitted = 0;
        if (bodyOnly) {
            entries.removeIf(entry -> !entry.fromBody());
            dropped = 0;
        }
        return new Drained(entries, dropped);
    }

    record Drained(List<Entry> entries, int omitted) {

        /** How many failures a report's message describes; all are in its failures(). */
        static final int DESCRIBED = 5;

        boolean isEmpty() {
            return entries.isEmpty() && omitted == 0;
        }

        List<Throwable> failures() {
            return entries.stream().map(Entry::failure).toList();
        }

        /**
         * A bounded description: the first {@value #DESCRIBED} failures, each by its source, whether it threw
         * the failure or decided to fail with it, and the first line of its message, so that a failure nested
         * any number of groups deep does not carry the messages of every level below (each level's exception is
         * on the cause chain anyway).
         */
        String describe() {
            StringBuilder text = new StringBuilder();
            int count = entries.size() + omitted;
            text.append(count == 1 ? "1 failure: " : count + " failures: ");
            int described = Math.min(entries.size(), DESCRIBED);
            for (int i = 0; i < described; i++) {
                Entry entry = entries.get(i);
                if (i > 0) {
                    text.append("; ");
                }
                text.append(Failures.bounded(entry.source()))
                        .append(entry.decided() ? " decided to fail with " : " threw ")
                        .append(Failures.summary(entry.failure()));
            }
            if (entries.size() > described) {
                text.append("; ").append(entries.size() - described).append(" more in failures()");
            }
            if (omitted > 0) {
                text.append("; and ").append(omitted).append(" more not recorded");
            }
            return text.toString();
        }
    }
}
