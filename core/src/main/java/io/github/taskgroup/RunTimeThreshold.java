package io.github.taskgroup;

import java.util.Locale;
import java.util.Set;
import jdk.jfr.SettingControl;

/**
 * The JFR setting {@code runTimeThreshold} of {@link TaskFinishedEvent}: a task is recorded only if it ran at least
 * this long. It takes the values of JFR's own {@code threshold} ({@code "10 ms"}, {@code "0 ns"}, {@code "1 s"},
 * {@code "infinity"}); when several recordings run, the lowest wins, so that each gets at least what it asked for.
 * An invalid value is ignored, as JFR ignores an invalid threshold.
 *
 * <p>JFR makes one instance, when the event class is registered; the combined value is also kept in a static
 * field, read by {@link JfrListener} before it creates an event, so that a task under the threshold costs no
 * allocation.
 */
final class RunTimeThreshold extends SettingControl {

    static final String NAME = "runTimeThreshold";
    static final String DEFAULT = "10 ms";

    /** The combined threshold of the running recordings, in nanoseconds; written by JFR when settings change. */
    private static volatile long nanos = parse(DEFAULT);

    private String value = DEFAULT;

    /**
     * The last value {@link #combine} returned, for JDK 17, whose JFR drops it and calls {@link #setValue} with
     * null instead (for a value cached from an earlier combine too; that is the same set of values as the last
     * combine unless recordings with three or more distinct values came and went).
     */
    private volatile String lastCombined = DEFAULT;

    RunTimeThreshold() {}

    /** @return the threshold in force, in nanoseconds ({@link Long#MAX_VALUE}: none passes) */
    static long nanos() {
        return nanos;
    }

    @Override
    public String combine(Set<String> values) {
        long lowest = Long.MAX_VALUE;
        String result = null;
        for (String candidate : values) {
            long parsed = parse(candidate);
            if (parsed >= 0 && (result == null || parsed < lowest)) {
                lowest = parsed;
                result = candidate;
            }
        }
        String combined = result != null ? result : DEFAULT;
        lastCombined = combined;
        return combined;
    }

    @Override
    public void setValue(String newValue) {
        String given = newValue != null ? newValue : lastCombined;
        long parsed = parse(given);
        if (parsed >= 0) {
            value = given;
            nanos = parsed;
        }
    }

    @Override
    public String getValue() {
        return value;
    }

    /**
     * @param text {@code "<number> <unit>"} (the space is optional; units ns, us, ms, s, m, h, d) or {@code
     *        "infinity"}
     * @return the value in nanoseconds, {@link Long#MAX_VALUE} for infinity, or -1 if it is not valid
     */
    static long parse(String text) {
        String trimmed = text.trim().toLowerCase(Locale.ROOT);
        if (trimmed.equals("infinity")) {
            return Long.MAX_VALUE;
        }
        int unitAt = 0;
        while (unitAt < trimmed.length() && Character.isDigit(trimmed.charAt(unitAt))) {
            unitAt++;
        }
        if (unitAt == 0) {
            return -1;
        }
        long amount;
        try {
            amount = Long.parseLong(trimmed.substring(0, unitAt));
        } catch (NumberFormatException e) {
            return -1;
        }
        long unitNanos;
        switch (trimmed.substring(unitAt).trim()) {
            case "ns":
                unitNanos = 1L;
                break;
            case "us":
                unitNanos = 1_000L;
                break;
            case "ms":
                unitNanos = 1_000_000L;
                break;
            case "s":
                unitNanos = 1_000_000_000L;
                break;
            case "m":
                unitNanos = 60_000_000_000L;
                break;
            case "h":
                unitNanos = 3_600_000_000_000L;
                break;
            case "d":
                unitNanos = 86_400_000_000_000L;
                break;
            default:
                return -1;
        }
        return amount > Long.MAX_VALUE / unitNanos ? Long.MAX_VALUE : amount * unitNanos;
    }
}
