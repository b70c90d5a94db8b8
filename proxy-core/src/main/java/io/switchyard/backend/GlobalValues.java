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
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z0-9_]+");
    /**
     * Variables whose session value the proxy cannot give every session (checked on MariaDB
     * 10.11 by setting each variable of both scopes to its own value as an account without
     * privileges): those only a privileged account may set ({@code BINLOG ADMIN}, {@code SUPER},
     * {@code FILE}, MySQL's {@code SYSTEM_VARIABLES_ADMIN}), where doing so could fail another
     * user's statement; those whose session value is read-only (taken from the global at login);
     * those a session may set only to some values given the global ({@code max_delayed_threads}:
     * 0 or the global; {@code query_cache_type}: not on while the global is off, error 1925); and
     * {@code system_versioning_asof}, whose global reads {@code DEFAULT}, a value no assignment
     * takes. A change of them is not followed. Names starting with {@code wsrep_} are
     * left out too, and so are the character-set variables, which a login sets from its collation.
     */
    private static final Set<String> NOT_FOLLOWED = Set.of("binlog_format", "binlog_row_image",
            "binlog_annotate_row_events", "binlog_direct_non_transactional_updates", "binlog_row_value_options",
            "binlog_transaction_compression", "sql_log_bin", "sql_log_off", "gtid_domain_id", "gtid_seq_no", "gtid_next",
            "server_id", "pseudo_thread_id", "enforce_storage_engine", "innodb_tmpdir", "log_disabled_statements",
            "explicit_defaults_for_timestamp", "sql_require_primary_key", "default_table_encryption", "rbr_exec_mode",
            "original_commit_timestamp", "max_allowed_packet", "net_buffer_length", "max_user_connections",
            "max_delayed_threads", "max_insert_delayed_threads", "query_cache_type", "system_versioning_asof");

    /**
     * Variables whose session value a login takes from the global and no session may
     * set: a connection that logged in before a change of one of them cannot serve a session that
     * started after it ({@link #loginOnlyChanged}). A reset does not help: COM_RESET_CONNECTION
     * shows the new values, but the connection keeps the packet limit of its login (measured on
     * MariaDB 10.11: a connection that logged in with {@code max_allowed_packet = 2048} and
     * {@code net_buffer_length = 1024} refuses a 5,000-byte query with 1153 after a reset under
     * the defaults).
     */
    private static final Set<String> LOGIN_ONLY = Set.of("max_allowed_packet", "net_buffer_length", "max_user_connections");

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

    /** The change number of the last change of a {@link #LOGIN_ONLY} global; 0 before any. */
    private volatile long loginOnlyChanged;
    /** The global value of each {@link #LOGIN_ONLY} variable as last read. */
    private volatile Map<String, String> loginOnlyValues = Map.of();
    /** Variable name to change number to its value from that change on. */
    private volatile Map<String, NavigableMap<Long, Value>> history = Map.of();
    /** The globals the monitor read last ({@link #watched}), or null before its first reading. */
    private volatile Map<String, String> lastWatched;

    /** True when a change of {@code name}'s global can be followed: given to every session it reaches (see {@link #NOT_FOLLOWED}). */
    public static boolean followable(String name) {
        return NAME.matcher(name).matches() && !SessionBaseline.CHARSET_VARIABLES.contains(name)
                && !NOT_FOLLOWED.contains(name) && !name.startsWith("wsrep_");
    }

    /** True for a variable whose session value a login takes from the global and no session may set. */
    public static boolean loginOnly(String name) {
        return LOGIN_ONLY.contains(name);
    }

    /** True for a variable whose global the monitor watches: one the proxy can follow, or a {@link #loginOnly} one. */
    public static boolean watchable(String name) {
        return followable(name) || loginOnly(name);
    }

    /** The change number of the last change of a {@link #loginOnly} global on this server; 0 before any. */
    public long loginOnlyChanged() {
        return loginOnlyChanged;
    }

    /**
     * The globals of the {@link #loginOnly} variables among {@code read} (name to value) were
     * read: each is remembered, and when one differs from the value read before it, or when the
     * caller {@code saw} a change itself, the change is recorded under a new change number. From
     * then on a session that starts is not given a connection that logged in before it.
     */
    public synchronized void loginOnlyRead(Map<String, String> read, boolean saw) {
        boolean changed = saw;
        Map<String, String> next = new HashMap<>(loginOnlyValues);
        for (String name : LOGIN_ONLY) {
            String value = read.get(name);
            if (value != null) {
                String before = next.put(name, value);
                changed |= before != null && !before.equals(value);
            }
        }
        loginOnlyValues = Map.copyOf(next);
        if (changed) {
            loginOnlyChanged = CHANGES.incrementAndGet();
        }
    }

    /**
     * True when a connection whose login took the globals as of change
     * {@code connectionAsOf} has the value of a {@link #loginOnly} variable from before its last
     * change, and a session that started at change {@code sessionAsOf} has the value from after it.
     */
    public boolean loginOnlyStale(long connectionAsOf, long sessionAsOf) {
        long changed = loginOnlyChanged;
        return changed > 0 && connectionAsOf < changed && sessionAsOf >= changed;
    }

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

    /**
     * The global value of {@code name} as the monitor's last reading returned it: the server's
     * own default for a variable the proxy never saw change; null before the first reading or
     * for a variable it does not read.
     */
    public String watchedValue(String name) {
        Map<String, String> watched = lastWatched;
        return watched == null ? null : watched.get(name);
    }

    /**
     * The global value of {@code name} a session that started at change number {@code asOf}
     * has (raw, as the server returns it): the one recorded then, else the monitor's last
     * reading; null when neither is known.
     */
    public String sessionDefault(String name, long asOf) {
        Value v = at(name, asOf);
        return v != null ? v.raw() : watchedValue(name);
    }

    /** The variables whose global value the proxy saw change. */
    public Set<String> names() {
        return history.keySet();
    }

    /**
     * The query part that reads the current global values of the variables the proxy follows, and
     * of the {@link #loginOnly} ones once one of them changed ({@code , @@GLOBAL.x, ...}, empty
     * when none), and the names in its order: a session's start, a login or a pool reset adds it
     * to a query of its own, so that a change made where the proxy does not see it (directly on
     * the server) is noticed ({@link #observed}).
     */
    public Observation observation() {
        List<String> names = new java.util.ArrayList<>(history.keySet());
        if (loginOnlyChanged > 0) {
            names.addAll(new java.util.TreeSet<>(LOGIN_ONLY));
        }
        StringBuilder sql = new StringBuilder();
        for (String name : names) {
            sql.append(", @@GLOBAL.").append(name);
        }
        return new Observation(List.copyOf(names), sql.toString());
    }

    /** What {@link #observation} reads: {@code names} by the SQL {@code select} adds to a query's columns. */
    public record Observation(List<String> names, String select) {}

    /**
     * The current global values of {@code names} as a query read them ({@link #observation}):
     * each that differs from the last value recorded is recorded as a change (under one new
     * change number; a {@link #loginOnly} one as {@link #loginOnlyRead} says).
     */
    public synchronized void observed(List<String> names, List<String> values) {
        List<Change> changes = new java.util.ArrayList<>();
        Map<String, String> loginOnlyRead = new HashMap<>();
        for (int i = 0; i < names.size() && i < values.size(); i++) {
            if (loginOnly(names.get(i))) {
                loginOnlyRead.put(names.get(i), values.get(i));
                continue;
            }
            Change c = changeTo(names.get(i), values.get(i));
            if (c != null) {
                changes.add(c);
            }
        }
        if (!changes.isEmpty()) {
            record(changes);
        }
        loginOnlyRead(loginOnlyRead, false);
    }

    /**
     * The monitor's reading of the server's globals of every variable that has a session value
     * (lower-case name to value, as {@code CAST(@@GLOBAL.x AS CHAR)} returns it), taken every
     * {@code mysql-monitor_globals_interval}. Each followable variable that reads differently from
     * the monitor's last reading changed where the proxy did not see it (directly on the server,
     * through another proxy): it is recorded as a change, and followed from then on; so is a
     * change of a {@link #loginOnly} one ({@link #loginOnlyRead}). The first reading only sets
     * the mark.
     */
    public synchronized void watched(Map<String, String> reading) {
        Map<String, String> last = lastWatched;
        lastWatched = Map.copyOf(reading.entrySet().stream().filter(e -> e.getValue() != null)
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        loginOnlyRead(reading, false);
        if (last == null) {
            return;
        }
        List<Change> changes = new java.util.ArrayList<>();
        for (Map.Entry<String, String> e : reading.entrySet()) {
            String name = e.getKey();
            if (!followable(name) || !last.containsKey(name) || java.util.Objects.equals(last.get(name), e.getValue())) {
                continue;
            }
            Change c = latest(name) != null ? changeTo(name, e.getValue()) : new Change(name, true, last.get(name), e.getValue());
            if (c != null) {
                changes.add(c);
            }
        }
        if (!changes.isEmpty()) {
            record(changes);
        }
    }

    /** True once the monitor has read the server's globals ({@link #watched}): a change made directly from then on is noticed. */
    public synchronized boolean watching() {
        return lastWatched != null;
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
