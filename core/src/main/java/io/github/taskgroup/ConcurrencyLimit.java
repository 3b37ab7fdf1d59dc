package io.github.taskgroup;

import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A named limit shared by every group of a factory that uses it (a bulkhead): at most {@code maxConcurrency}
 * of their tasks hold one of its permits at once, and at most {@code maxQueued} forks wait for one (FIFO).
 *
 * <p>A task of a group that also has a {@code maxConcurrency} first gets its group's permit, then this one; a
 * task that leaves its group's queue for this one always gets a place here (its fork was admitted already),
 * so {@code maxQueued} bounds the forks this limit admits to wait, not those a group admitted earlier.
 *
 * <p>Invariant, under {@link #lock}: {@code permits > 0} only while {@link #queue} is empty, so that a freed
 * permit always goes to the first task waiting, and at most one task is ever handed on when one ends.
 */
final class ConcurrencyLimit {

    /** {@link #reserve()}: the fork took a permit. */
    static final int PERMIT = 4;

    /** {@link #reserve()}: the fork took a place in the queue, to be entered by {@link #admit}. */
    static final int PLACE = 8;

    private final String name;
    private final int maxConcurrency;
    private final int maxQueued; // Integer.MAX_VALUE: unbounded

    private final ReentrantLock lock = new ReentrantLock();
    private int permits; // guarded by lock
    private int reservedPlaces; // guarded by lock: places reserved by forks that have not entered the queue yet
    private final ArrayDeque<DefaultTask<?>> queue = new ArrayDeque<>(); // guarded by lock; PENDING tasks, FIFO

    ConcurrencyLimit(String name, int maxConcurrency, int maxQueued) {
        this.name = name;
        this.maxConcurrency = maxConcurrency;
        this.maxQueued = maxQueued;
        this.permits = maxConcurrency;
    }

    String name() {
        return name;
    }

    int maxConcurrency() {
        return maxConcurrency;
    }

    int maxQueued() {
        return maxQueued;
    }

    /**
     * Called by a fork before its task exists: takes a permit, or a place in the queue, or nothing.
     *
     * @return {@link #PERMIT}, {@link #PLACE}, or 0 when the queue is full (the fork is refused)
     */
    int reserve() {
        lock.lock();
        try {
            if (permits > 0) {
                permits--;
                return PERMIT;
            }
            if (queue.size() + reservedPlaces < maxQueued) {
                reservedPlaces++;
                return PLACE;
            }
            return 0;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Gives {@code task} what its fork reserved ({@code reservation}: {@link #PERMIT}, {@link #PLACE}, or 0 for
     * a task leaving its group's queue, which gets a permit or a place), or, when it is no longer pending
     * (cancelled meanwhile: its end held nothing here) or {@code keep} is false, gives the reservation back.
     *
     * @return the task that now holds a permit and is to be dispatched: {@code task}, or the first waiting task
     *         that got the permit {@code task} gave back; {@code null} if none
     */
    @Nullable
    DefaultTask<?> admit(DefaultTask<?> task, int reservation, boolean keep) {
        lock.lock();
        try {
            if ((reservation & PLACE) != 0) {
                reservedPlaces--;
            }
            boolean pending = keep && task.state() == Task.State.PENDING;
            if ((reservation & PERMIT) != 0) {
                if (pending) {
                    task.holdsLimitPermit = true;
                    return task;
                }
                return handOnLocked();
            }
            return pending ? enterLocked(task) : null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A task of a group using this limit ended (or was cancelled, or rejected): takes it out of the queue.
     *
     * @return whether it held a permit, to be {@linkplain #passOn passed on}
     */
    boolean leave(DefaultTask<?> task) {
        lock.lock();
        try {
            if (task.holdsLimitPermit) {
                task.holdsLimitPermit = false;
                return true;
            }
            if (!queue.isEmpty()) {
                queue.remove(task); // cancelled while waiting: its place is free at once
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Passes on a permit that a task gave back ({@code released}) to the first waiting task, and lets
     * {@code entering} (a task that just got its group's permit, or null) take a permit or a place.
     *
     * @return the one task that got a permit and is to be dispatched, or {@code null}
     */
    @Nullable
    DefaultTask<?> passOn(boolean released, @Nullable DefaultTask<?> entering) {
        lock.lock();
        try {
            DefaultTask<?> next = released ? handOnLocked() : null;
            if (entering != null && entering.state() == Task.State.PENDING) {
                // After a hand-on, permits is 0 (the queue was not empty): entering waits, and only one runs.
                DefaultTask<?> admitted = enterLocked(entering);
                if (next == null) {
                    next = admitted;
                }
            }
            return next;
        } finally {
            lock.unlock();
        }
    }

    /** Gives a free permit to the first pending waiting task, or back to the pool; caller holds lock. */
    private @Nullable DefaultTask<?> handOnLocked() {
        DefaultTask<?> next;
        while ((next = queue.pollFirst()) != null) {
            if (next.state() == Task.State.PENDING) {
                next.holdsLimitPermit = true;
                return next;
            }
        }
        permits++;
        return null;
    }

    /** A pending task takes a permit if one is free, else the last place; caller holds lock. */
    private @Nullable DefaultTask<?> enterLocked(DefaultTask<?> task) {
        if (permits > 0) {
            permits--;
            task.holdsLimitPermit = true;
            return task;
        }
        queue.addLast(task);
        return null;
    }

    /** @return how many permits are held now (for tests and snapshots) */
    int inUse() {
        lock.lock();
        try {
            return maxConcurrency - permits;
        } finally {
            lock.unlock();
        }
    }

    /** @return how many tasks wait for a permit now */
    int waiting() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "ConcurrencyLimit[" + name + ", maxConcurrency=" + maxConcurrency + ", maxQueued="
                + (maxQueued == Integer.MAX_VALUE ? "unbounded" : maxQueued) + "]";
    }
}
