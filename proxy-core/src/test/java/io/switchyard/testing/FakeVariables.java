package io.switchyard.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The system variables {@link FakeMysqlServer} reports to {@code SELECT @@name, @@session.name,
 * @@global.name, ...}: MariaDB 10.11's defaults for a login with {@code utf8mb4_general_ci},
 * each value as the server prints it (booleans as {@code 1}/{@code 0}). Scope prefixes are
 * ignored: the session and global values are the same.
 *
 * <p>Thread-safe: tests change values while the server reads them.
 */
public final class FakeVariables {
    private static final Pattern SELECT_VARIABLES =
            Pattern.compile("(?i)SELECT\\s+(@@[\\w.]+(?:\\s*,\\s*@@[\\w.]+)*)\\s*;?");
    private static final Pattern SCOPE = Pattern.compile("(?i)@@(?:session\\.|global\\.|local\\.)?");
    private static final int ER_UNKNOWN_SYSTEM_VARIABLE = 1193;

    private final Map<String, String> values = new ConcurrentHashMap<>(Map.ofEntries(
            Map.entry("autocommit", "1"),
            Map.entry("character_set_client", "utf8mb4"),
            Map.entry("character_set_connection", "utf8mb4"),
            Map.entry("character_set_results", "utf8mb4"),
            Map.entry("collation_connection", "utf8mb4_general_ci"),
            Map.entry("session_track_system_variables",
                    "autocommit,character_set_client,character_set_connection,character_set_results,time_zone"),
            Map.entry("session_track_schema", "1"),
            Map.entry("session_track_state_change", "0"),
            Map.entry("session_track_transaction_info", "OFF"),
            Map.entry("sql_mode", "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION"),
            Map.entry("time_zone", "SYSTEM"),
            Map.entry("transaction_isolation", "REPEATABLE-READ"),
            Map.entry("tx_isolation", "REPEATABLE-READ"),
            Map.entry("read_only", "0"),
            Map.entry("max_allowed_packet", "16777216"),
            Map.entry("version", "10.11.19-MariaDB-0+deb12u1")));

    /** Sets {@code name} (any case) to {@code value}. */
    public void set(String name, String value) {
        values.put(name.toLowerCase(Locale.ROOT), value);
    }

    /**
     * The reply to {@code sql} when it selects only variables: one row with their values, columns
     * named as selected; an ERR 1193 for an unknown one; null when {@code sql} is another query.
     */
    FakeReply select(String sql) {
        Matcher m = SELECT_VARIABLES.matcher(sql);
        if (!m.matches()) {
            return null;
        }
        List<String> columns = new ArrayList<>();
        List<String> row = new ArrayList<>();
        for (String expression : m.group(1).split(",")) {
            String column = expression.strip();
            String name = SCOPE.matcher(column).replaceFirst("").toLowerCase(Locale.ROOT);
            String value = values.get(name);
            if (value == null) {
                return FakeReply.err(ER_UNKNOWN_SYSTEM_VARIABLE, "HY000", "Unknown system variable '" + name + "'");
            }
            columns.add(column);
            row.add(value);
        }
        return FakeReply.resultSet(columns, List.of(row));
    }
}
