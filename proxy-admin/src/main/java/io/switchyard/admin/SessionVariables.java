package io.switchyard.admin;

import io.switchyard.protocol.ProxyError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The MySQL session variables and functions clients read when they connect
 * ({@code @@version_comment}, Connector/J's {@code SELECT @@session.auto_increment_increment …},
 * {@code DATABASE()}, …), which SQLite does not know. {@link #rewrite} replaces them with
 * literals before the statement runs, keeping MySQL's column names. Stateless.
 */
final class SessionVariables {
    /** Version string in the admin's greeting. */
    static final String SERVER_VERSION = "8.0.36-switchyard-admin";
    /** Largest packet the admin accepts. */
    static final int MAX_ALLOWED_PACKET = 4 * 1024 * 1024;

    private static final Map<String, String> VALUES = new LinkedHashMap<>();

    static {
        VALUES.put("auto_increment_increment", "1");
        VALUES.put("auto_increment_offset", "1");
        VALUES.put("autocommit", "1");
        VALUES.put("character_set_client", "utf8mb4");
        VALUES.put("character_set_connection", "utf8mb4");
        VALUES.put("character_set_database", "utf8mb4");
        VALUES.put("character_set_results", "utf8mb4");
        VALUES.put("character_set_server", "utf8mb4");
        VALUES.put("character_set_system", "utf8mb3");
        VALUES.put("collation_connection", "utf8mb4_general_ci");
        VALUES.put("collation_database", "utf8mb4_general_ci");
        VALUES.put("collation_server", "utf8mb4_general_ci");
        VALUES.put("error_count", "0");
        VALUES.put("have_ssl", "DISABLED");
        VALUES.put("init_connect", "");
        VALUES.put("interactive_timeout", "28800");
        VALUES.put("license", "Switchyard");
        VALUES.put("lower_case_table_names", "0");
        VALUES.put("max_allowed_packet", Integer.toString(MAX_ALLOWED_PACKET));
        VALUES.put("max_execution_time", "0");
        VALUES.put("net_buffer_length", "16384");
        VALUES.put("net_write_timeout", "60");
        VALUES.put("performance_schema", "0");
        VALUES.put("query_cache_size", "0");
        VALUES.put("query_cache_type", "OFF");
        VALUES.put("read_only", "0");
        VALUES.put("sql_mode", "");
        VALUES.put("sql_select_limit", "18446744073709551615");
        VALUES.put("system_time_zone", "UTC");
        VALUES.put("time_zone", "SYSTEM");
        VALUES.put("transaction_isolation", "REPEATABLE-READ");
        VALUES.put("transaction_read_only", "0");
        VALUES.put("tx_isolation", "REPEATABLE-READ");
        VALUES.put("tx_read_only", "0");
        VALUES.put("version", SERVER_VERSION);
        VALUES.put("version_comment", "Switchyard admin");
        VALUES.put("wait_timeout", "28800");
        VALUES.put("warning_count", "0");
    }

    private static final Pattern CONSTRUCT = Pattern.compile(
            "@@(?:(?:session|global|local)\\.)?([A-Za-z_][A-Za-z0-9_]*)"
                    + "|\\b(DATABASE|SCHEMA|USER|CURRENT_USER|SESSION_USER|SYSTEM_USER|VERSION|CONNECTION_ID)\\s*\\(\\s*\\)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern ITEM_END = Pattern.compile(
            "\\s*(?:$|,|;|(?i:FROM|LIMIT|WHERE|ORDER|GROUP|HAVING|UNION)\\b)");
    private static final Pattern ITEM_START = Pattern.compile("(?:(?i:SELECT)|,)\\s*$");

    private SessionVariables() {}

    /** Session variables with their values, for {@code SHOW VARIABLES}. */
    static Map<String, String> all() {
        return VALUES;
    }

    /** The value of {@code @@name}. */
    static String value(String name) {
        String v = VALUES.get(name.toLowerCase(Locale.ROOT));
        if (v == null) {
            throw new AdminException(ProxyError.UNKNOWN_VARIABLE, name);
        }
        return v;
    }

    /**
     * {@code sql} with session variables and MySQL's session functions replaced by literals; a
     * select item that was only such a construct is named after it, as MySQL names it.
     */
    static String rewrite(String sql, SessionView session) {
        List<int[]> quoted = quotedRanges(sql);
        Matcher m = CONSTRUCT.matcher(sql);
        StringBuilder out = new StringBuilder();
        int last = 0;
        while (m.find()) {
            if (inside(quoted, m.start())) {
                continue;
            }
            String literal;
            if (m.group(1) != null) {
                literal = SqlText.literal(value(m.group(1)));
            } else {
                literal = switch (m.group(2).toUpperCase(Locale.ROOT)) {
                    case "DATABASE", "SCHEMA" -> SqlText.literal(session.schema());
                    case "VERSION" -> SqlText.literal(SERVER_VERSION);
                    case "CONNECTION_ID" -> Long.toString(session.connectionId());
                    default -> SqlText.literal(session.user() + "@" + session.clientHost());
                };
            }
            boolean wholeItem = ITEM_START.matcher(sql.substring(0, m.start())).find()
                    && ITEM_END.matcher(sql).region(m.end(), sql.length()).lookingAt();
            out.append(sql, last, m.start()).append(literal);
            if (wholeItem) {
                out.append(" AS \"").append(m.group().replace("\"", "\"\"")).append('"');
            }
            last = m.end();
        }
        return last == 0 ? sql : out.append(sql.substring(last)).toString();
    }

    private static boolean inside(List<int[]> ranges, int index) {
        for (int[] r : ranges) {
            if (index > r[0] && index < r[1]) {
                return true;
            }
        }
        return false;
    }

    private static List<int[]> quotedRanges(String sql) {
        List<int[]> out = new ArrayList<>();
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"' || c == '`') {
                int j = i + 1;
                while (j < sql.length() && sql.charAt(j) != c) {
                    j += sql.charAt(j) == '\\' && c != '`' ? 2 : 1;
                }
                out.add(new int[] {i, j});
                i = j + 1;
            } else {
                i++;
            }
        }
        return out;
    }
}
