package io.switchyard.runtime;

import io.switchyard.backend.ServerHealth;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The proxy's tunables with ProxySQL's names ({@code mysql-…}), as in its
 * {@code global_variables} table. Every variable has a type, a default and a range; values are
 * validated when set, with a message naming the variable. Immutable: {@link #with} returns a
 * copy.
 */
public final class GlobalVariables {

    /** How a variable's text value is read. */
    public enum Type { INT, BOOL, STRING, CHOICE }

    /** A variable's definition; {@code choices} are the values a {@link Type#CHOICE} variable takes (empty for the others). */
    public record Definition(String name, Type type, String defaultValue, long min, long max, String description,
                             List<String> choices) {}

    private static final Map<String, Definition> DEFINITIONS = new LinkedHashMap<>();

    static {
        intVar("mysql-monitor_enabled", 1, 0, 1, "1 runs the health monitor, 0 stops all checks");
        intVar("mysql-monitor_connect_interval", 2_000, 100, 3_600_000, "ms between connect checks of each server");
        intVar("mysql-monitor_connect_timeout", 1_000, 100, 600_000, "ms a connect check may take");
        intVar("mysql-monitor_ping_interval", 1_000, 100, 3_600_000, "ms between ping checks of each server");
        intVar("mysql-monitor_ping_timeout", 400, 50, 600_000, "ms a ping check may take");
        intVar("mysql-monitor_ping_max_failures", 2, 1, 1_000, "missed pings in a row that shun a server");
        intVar("mysql-monitor_read_only_interval", 1_000, 100, 3_600_000, "ms between read_only checks of servers in replication hostgroups");
        intVar("mysql-monitor_read_only_timeout", 500, 50, 600_000, "ms a read_only check may take");
        intVar("mysql-monitor_replication_lag_interval", 2_000, 100, 3_600_000, "ms between replication lag checks of servers with max_replication_lag");
        intVar("mysql-monitor_replication_lag_timeout", 1_000, 50, 600_000, "ms a replication lag check may take");
        intVar("mysql-monitor_globals_interval", 2_000, 100, 3_600_000,
                "ms between reads of each server's global defaults of session variables, to follow changes made directly on it");
        intVar("mysql-monitor_globals_timeout", 1_000, 50, 600_000, "ms a read of the global defaults may take");
        boolVar("mysql-monitor_writer_is_also_reader", true, "the writer of a replication hostgroup pair also serves the reader hostgroup");
        stringVar("mysql-monitor_username", "monitor", "user the monitor connects as");
        stringVar("mysql-monitor_password", "monitor", "password of the monitor user");
        intVar("mysql-monitor_history", 600_000, 1_000, 604_800_000, "ms of check results kept in the monitor log tables");
        intVar("mysql-shun_on_failures", 5, 1, 10_000_000, "failed connection attempts within one second that shun a server");
        intVar("mysql-shun_recovery_time_sec", 10, 1, 31_536_000, "seconds a shunned server rests before it is tried again");
        intVar("mysql-connect_timeout_server", 1_000, 10, 120_000, "ms one connection attempt to a server may take");
        intVar("mysql-connect_timeout_server_max", 10_000, 10, 3_600_000, "ms a statement waits for a backend connection before error 9001");
        intVar("mysql-default_query_timeout", 36_000_000, 1_000, 1_728_000_000, "ms a statement may run before the proxy kills it (error 1907)");
        intVar("mysql-query_retries_on_failure", 1, 0, 1_000, "times a statement is retried when its backend connection fails before any result");
        intVar("mysql-query_retry_backoff_ms", 20, 0, 60_000, "base of the exponential backoff (with full jitter) between retries");
        intVar("mysql-writer_wait_timeout", 5_000, 0, 3_600_000, "ms a statement for a hostgroup with no usable server waits for one to appear");
        intVar("mysql-wait_timeout", 28_800_000, 0, 1_728_000_000,
                "ms a client session may wait for its next command before the proxy closes it (0: no limit); its own wait_timeout applies when shorter");
        boolVar("mysql-readers_fallback_to_writer", true, "reads go to the writer hostgroup when no reader is usable");
        intVar("mysql-max_connections", 2_048, 1, 1_000_000, "client connections the proxy accepts in total");
        intVar("mysql-free_connections_pct", 10, 0, 100, "idle connections kept per server, as a percentage of its max_connections; idle ones above it unused for 10 s are closed, half of the excess each second");
        boolVar("mysql-read_only_transactions_to_readers", true, "read-only transactions whose statements go to the writer hostgroup of a replication pair run in its reader hostgroup");
        choiceVar("mysql-causal_reads", "off", List.of("off", "local", "global", "fast"),
                "reads sent to a replica see earlier writes: off, local (the session's own), global (any session's), fast (the session's own, only on replicas known to have them, else the writer)");
        intVar("mysql-causal_reads_timeout", 10_000, 1, 3_600_000, "ms a read waits on a replica for the write it must see before it goes to the writer");
        boolVar("mysql-transaction_replay", false, "a transaction whose connection is lost before COMMIT runs again on another server of its hostgroup and goes on when every statement gives the same result");
        choiceVar("mysql-transaction_replay_checksum", "full", List.of("full", "result_only", "no_insert_id"),
                "what must match when a transaction runs again: full (results, affected rows, insert ids, warnings), result_only (results), no_insert_id (all but insert ids)");
        boolVar("mysql-transaction_replay_retry_on_deadlock", false, "with mysql-transaction_replay, a transaction rolled back for a deadlock runs again instead of the client getting error 1213");
        intVar("mysql-transaction_replay_attempts", 5, 1, 1_000, "times a lost transaction is run again when running it again fails too, before the session is closed");
        intVar("mysql-transaction_replay_max_size", 1_048_576, 0, 1_073_741_824, "bytes of statements kept per session to run a transaction again on another server; a longer transaction cannot move");
        boolVar("mysql-multiplexing", true, "return backend connections to the pool between statements when the session allows it");
        intVar("mysql-max_stmts_per_connection", 20, 1, 1_024, "prepared statements kept on one backend connection before the least recently used is closed");
        intVar("mysql-query_digests_max", 10_000, 1, 10_000_000, "distinct digests kept in stats_mysql_query_digest");
        intVar("mysql-long_query_time", 1_000, 0, 1_728_000_000, "ms above which a finished statement is logged as slow");
        stringVar("mysql-eventslog_filename", "", "base name of the query events log files (<name>.00000001, ...); empty: no events log");
        stringVar("tracing-endpoint", "", "OTLP endpoint statements' spans are exported to (http/protobuf: http://host:4318/v1/traces; grpc: http://host:4317); empty: tracing off");
        choiceVar("tracing-protocol", "http/protobuf", List.of("http/protobuf", "grpc"), "OTLP protocol of tracing-endpoint");
        intVar("tracing-sample_percent", 10, 0, 100, "percent of statements traced that carry no caller's span (a caller's sampled span is always followed)");
        stringVar("tracing-service_name", "switchyard", "service.name of the spans");
        intVar("mysql-eventslog_filesize", 104_857_600, 1_024, 1_073_741_824, "bytes after which the events log goes on in a new file");
        intVar("mysql-eventslog_default_log", 0, 0, 1, "1: every statement goes to the events log unless a matching query rule has log = 0; 0: only those of rules with log = 1, and slow ones");
    }

    private static final GlobalVariables DEFAULTS = new GlobalVariables(Map.of());

    private final Map<String, String> values;
    /** Integer and boolean values parsed once: the data path reads some on every statement. */
    private final Map<String, Long> numbers;

    private GlobalVariables(Map<String, String> overrides) {
        Map<String, String> v = new LinkedHashMap<>();
        DEFINITIONS.values().forEach(d -> v.put(d.name(), d.defaultValue()));
        v.putAll(overrides);
        this.values = Collections.unmodifiableMap(v);
        Map<String, Long> n = new java.util.HashMap<>();
        for (Definition d : DEFINITIONS.values()) {
            switch (d.type()) {
                case INT -> n.put(d.name(), Long.parseLong(v.get(d.name())));
                case BOOL -> n.put(d.name(), Boolean.parseBoolean(v.get(d.name())) ? 1L : 0L);
                default -> { }
            }
        }
        this.numbers = n;
    }

    public static GlobalVariables defaults() {
        return DEFAULTS;
    }

    /** Every known variable, in a stable order. */
    public static List<Definition> definitions() {
        return List.copyOf(DEFINITIONS.values());
    }

    /** The definition of {@code name}, or null when the proxy has no such variable. */
    public static Definition definition(String name) {
        return DEFINITIONS.get(name.toLowerCase(Locale.ROOT));
    }

    /** A copy with {@code name} set to {@code value}; throws with a message naming the variable if either is invalid. */
    public GlobalVariables with(String name, String value) {
        Definition d = definition(name);
        if (d == null) {
            throw new IllegalArgumentException("unknown variable '" + name + "'");
        }
        Map<String, String> next = new LinkedHashMap<>(values);
        next.put(d.name(), normalise(d, value));
        return new GlobalVariables(next);
    }

    /** A copy with every entry of {@code updates} applied, validated one by one. */
    public GlobalVariables withAll(Map<String, String> updates) {
        GlobalVariables out = this;
        for (Map.Entry<String, String> e : updates.entrySet()) {
            out = out.with(e.getKey(), e.getValue());
        }
        return out;
    }

    private static String normalise(Definition d, String value) {
        if (value == null) {
            throw new IllegalArgumentException("variable '" + d.name() + "' must not be NULL");
        }
        String v = value.trim();
        switch (d.type()) {
            case INT -> {
                long n;
                try {
                    n = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("variable '" + d.name() + "' must be an integer, got '" + value + "'");
                }
                if (n < d.min() || n > d.max()) {
                    throw new IllegalArgumentException("variable '" + d.name() + "' must be in " + d.min() + ".." + d.max() + ", got " + n);
                }
                return Long.toString(n);
            }
            case BOOL -> {
                return switch (v.toLowerCase(Locale.ROOT)) {
                    case "true", "1", "on", "yes" -> "true";
                    case "false", "0", "off", "no" -> "false";
                    default -> throw new IllegalArgumentException("variable '" + d.name() + "' must be true or false, got '" + value + "'");
                };
            }
            case CHOICE -> {
                String lower = v.toLowerCase(Locale.ROOT);
                if (!d.choices().contains(lower)) {
                    throw new IllegalArgumentException("variable '" + d.name() + "' must be one of " + String.join(", ", d.choices())
                            + ", got '" + value + "'");
                }
                return lower;
            }
            default -> {
                return v;
            }
        }
    }

    /** Every variable with its current value, in definition order. */
    public Map<String, String> asMap() {
        return values;
    }

    public String get(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("unknown variable '" + name + "'");
        }
        return v;
    }

    /** The circuit breaker's thresholds these variables set. */
    public ServerHealth.BreakerPolicy breakerPolicy() {
        return new ServerHealth.BreakerPolicy(intValue("mysql-shun_on_failures"), intValue("mysql-monitor_ping_max_failures"),
                TimeUnit.SECONDS.toMillis(intValue("mysql-shun_recovery_time_sec")));
    }

    public int intValue(String name) {
        Long n = numbers.get(name);
        if (n == null) {
            throw new IllegalArgumentException("not an integer variable: '" + name + "'");
        }
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    public boolean boolValue(String name) {
        Long n = numbers.get(name);
        if (n == null) {
            throw new IllegalArgumentException("not a boolean variable: '" + name + "'");
        }
        return n != 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GlobalVariables g && g.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "GlobalVariables" + values;
    }

    private static void intVar(String name, long def, long min, long max, String description) {
        DEFINITIONS.put(name, new Definition(name, Type.INT, Long.toString(def), min, max, description, List.of()));
    }

    private static void boolVar(String name, boolean def, String description) {
        DEFINITIONS.put(name, new Definition(name, Type.BOOL, Boolean.toString(def), 0, 1, description, List.of()));
    }

    private static void stringVar(String name, String def, String description) {
        DEFINITIONS.put(name, new Definition(name, Type.STRING, def, 0, 0, description, List.of()));
    }

    private static void choiceVar(String name, String def, List<String> choices, String description) {
        DEFINITIONS.put(name, new Definition(name, Type.CHOICE, def, 0, 0, description, List.copyOf(choices)));
    }
}
