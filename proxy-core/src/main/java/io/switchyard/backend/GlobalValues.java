package io.switchyard.backend;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The global values of session variables that the proxy saw a {@code SET GLOBAL} change on one
 * server, by change number. A session starts with the globals as they are when it logs in, and
 * keeps them when they change later; a backend connection has the globals as of its login or its
 * last reset. Each {@link ConnectionState} names the change its unset variables date from
 * ({@link ConnectionState#globalsAsOf()}), so that a session moving to a connection older or
 * newer than itself is given the values it would have directly.
 *
 * <p>Change numbers come from one counter for the whole process, so that a session's number
 * means the same on every server it uses. A variable the proxy never saw changed has no entry:
 * its login value is the same at every change number.
 *
 * <p>Thread-safe: changes are recorded under the object's lock and published as an immutable
 * snapshot that readers use without locking.
 */
public final class GlobalValues {
    private static final AtomicLong CHANGES = new AtomicLong();
    /** The key of a variable's value from before the first change the proxy saw. */
    private static final long BEFORE_ANY = Long.MIN_VALUE;
    private static final String TRACKING_PREFIX = "session_track_";

    /**
     * One variable's change: its global value before (when {@code beforeKnown}) and after, as the
     * server returns them (null for SQL NULL).
     */
    public record Change(String name, boolean beforeKnown, String before, String after) {}

    /** A global value as the server returns it; {@code raw} null for SQL NULL. */
    public record Value(String raw) {
        /** The SQL literal that sets it. */
        public String literal() {
            return SqlLiteral.of(raw);
        }
    }

    /** Variable name to change number to its value from that change on. */
    private volatile Map<String, NavigableMap<Long, Value>> history = Map.of();

    /** The number of the last change recorded on any server: a session or a connection that starts now has these globals. */
    public static long now() {
        return CHANGES.get();
    }

    /**
     * {@code name}'s global value as of change {@code asOf}; null when the proxy never saw it
     * change, or does not know its value from before the first change it saw.
     */
    public Value at(String name, long asOf) {
        NavigableMap<Long, Value> values = history.get(name);
        if (values == null) {
            return null;
        }
        Map.Entry<Long, Value> e = values.floorEntry(asOf);
        return e == null ? null : e.getValue();
    }

    /** The value {@code name} has after the last change the proxy saw, or null when it saw none. */
    public Value latest(String name) {
        NavigableMap<Long, Value> values = history.get(name);
        return values == null ? null : values.lastEntry().getValue();
    }

    /**
     * The session-tracking settings a session that started at change {@code asOf} has, given
     * those a connection logged in with: the connection's, except where the proxy saw a
     * {@code session_track_*} global change.
     */
    public TrackingSettings tracking(TrackingSettings loggedIn, long asOf) {
        TrackingSettings t = loggedIn;
        for (String name : history.keySet()) {
            Value v = name.startsWith(TRACKING_PREFIX) ? at(name, asOf) : null;
            if (v != null) {
                t = t.with(name, v.raw());
            }
        }
        return t;
    }

    /** True for the session-tracking settings, which the proxy keeps on for itself on every connection. */
    public static boolean isTracking(String name) {
        return name.startsWith(TRACKING_PREFIX);
    }

    /** The variables whose global value the proxy saw change. */
    public Set<String> names() {
        return history.keySet();
    }

    /**
     * The query part that reads the current global values of the variables the proxy follows
     * ({@code , @@GLOBAL.x, ...}, empty when none), and the names in its order: a login or a pool
     * reset adds it to a query of its own, so that a change made where the proxy does not see it
     * (directly on the server) is noticed ({@link #observed}).
     */
    public Observation observation() {
        List<String> names = List.copyOf(history.keySet());
        StringBuilder sql = new StringBuilder();
        for (String name : names) {
            sql.append(", @@GLOBAL.").append(name);
        }
        return new Observation(names, sql.toString());
    }

    /** What {@link #observation} reads: {@code names} by the SQL {@code select} adds to a query's columns. */
    public record Observation(List<String> names, String select) {}

    /**
     * The current global values of {@code names} as a query read them ({@link #observation}):
     * each that differs from the last value recorded is recorded as a change (under one new
     * change number).
     */
    public synchronized void observed(List<String> names, List<String> values) {
        List<Change> changes = new java.util.ArrayList<>();
        for (int i = 0; i < names.size() && i < values.size(); i++) {
            Change c = changeTo(names.get(i), values.get(i));
            if (c != null) {
                changes.add(c);
            }
        }
        if (!changes.isEmpty()) {
            record(changes);
        }
    }

    /**
     * The change of a followed variable whose global now reads {@code value} (as the server
     * returns it), from the last value recorded; null when it is not followed or did not change.
     */
    public Change changeTo(String name, String value) {
        Value latest = latest(name);
        return latest == null || java.util.Objects.equals(latest.raw(), value) ? null
                : new Change(name, true, latest.raw(), value);
    }

    /**
     * Stops following {@code names}: a session gets them as its connection has them, as for a
     * variable the proxy never saw change (the server refused to give one to a session).
     */
    public synchronized void forget(java.util.Collection<String> names) {
        Map<String, NavigableMap<Long, Value>> next = new HashMap<>(history);
        next.keySet().removeAll(names);
        history = Map.copyOf(next);
    }

    /**
     * Records a statement's changes under one new change number, and returns it; {@code changes}
     * holds only variables whose value did change.
     */
    public synchronized long record(List<Change> changes) {
        long number = CHANGES.incrementAndGet();
        Map<String, NavigableMap<Long, Value>> next = new HashMap<>(history);
        for (Change c : changes) {
            NavigableMap<Long, Value> values = next.containsKey(c.name()) ? new TreeMap<>(next.get(c.name())) : new TreeMap<>();
            if (values.isEmpty() && c.beforeKnown()) {
                values.put(BEFORE_ANY, new Value(c.before()));
            }
            values.put(number, new Value(c.after()));
            next.put(c.name(), Collections.unmodifiableNavigableMap(values));
        }
        history = Map.copyOf(next);
        return number;
    }
}
