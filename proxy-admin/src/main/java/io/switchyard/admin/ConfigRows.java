package io.switchyard.admin;

import io.switchyard.backend.ServerState;
import io.switchyard.routing.QueryRule;
import io.switchyard.runtime.GlobalVariables;
import io.switchyard.runtime.RuntimeRows;
import io.switchyard.topology.ReplicationHostgroup;
import io.switchyard.topology.ServerRow;
import io.switchyard.topology.UserConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Moves configuration between the admin's tables and the proxy's row types. Reading checks
 * every value (an integer column holding text, a status the proxy does not configure, a column
 * the proxy does not apply) and names the row in its error; whole-configuration checks
 * (duplicates, unknown hostgroups, regexes) are {@code ConfigRuntime}'s. Stateless; callers
 * run it on the admin's SQL thread.
 */
final class ConfigRows {
    private ConfigRows() {}

    /** A value the proxy cannot use; the message names the row and the column. */
    static final class BadRow extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRow(String message) {
            super(message);
        }
    }

    /** The rows of {@code part} in {@code schema} ({@code main} or {@code disk}), over {@code base}. */
    static RuntimeRows read(Connection c, String schema, ConfigPart part, RuntimeRows base) throws SQLException {
        return switch (part) {
            case SERVERS -> base.withServers(servers(c, schema)).withReplicationHostgroups(replicationHostgroups(c, schema));
            case USERS -> base.withUsers(users(c, schema));
            case QUERY_RULES -> base.withRules(rules(c, schema));
            case VARIABLES -> base.withVariables(variables(c, schema));
        };
    }

    /** Replaces the tables of {@code part} named {@code prefix + table} in {@code schema} with {@code rows}. */
    static void write(Connection c, String schema, String prefix, ConfigPart part, RuntimeRows rows) throws SQLException {
        switch (part) {
            case SERVERS -> {
                writeServers(c, schema + "." + prefix + AdminSchema.SERVERS, rows.servers());
                writeReplicationHostgroups(c, schema + "." + prefix + AdminSchema.REPLICATION_HOSTGROUPS, rows.replicationHostgroups());
            }
            case USERS -> writeUsers(c, schema + "." + prefix + AdminSchema.USERS, rows.users());
            case QUERY_RULES -> writeRules(c, schema + "." + prefix + AdminSchema.QUERY_RULES, rows.rules());
            case VARIABLES -> writeVariables(c, schema + "." + prefix + AdminSchema.VARIABLES, rows.variables());
        }
    }

    // ---- reading -------------------------------------------------------------------------

    /** Reads one row of a configuration table into its row type; throws {@link BadRow} for a value the proxy cannot use. */
    private interface RowReader<T> {
        T read(Row r) throws SQLException;
    }

    /** Every row of {@code schema.table} in {@code order}, each described by {@code where} in errors and read by {@code reader}. */
    private static <T> List<T> table(Connection c, String schema, String table, String order, RowDescription where,
                                     RowReader<T> reader) throws SQLException {
        List<T> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + schema + "." + table + " ORDER BY " + order)) {
            while (rs.next()) {
                out.add(reader.read(new Row(rs, table + " row (" + where.of(rs) + ")")));
            }
        }
        return out;
    }

    /** The key columns that name a row in an error message. */
    private interface RowDescription {
        String of(ResultSet rs) throws SQLException;
    }

    private static List<ServerRow> servers(Connection c, String schema) throws SQLException {
        return table(c, schema, AdminSchema.SERVERS, "hostgroup_id, hostname, port", rs -> "hostgroup_id=" + rs.getString("hostgroup_id")
                + ", hostname='" + rs.getString("hostname") + "', port=" + rs.getString("port"), r -> {
            r.unsupportedUnless("gtid_port", 0);
            r.unsupportedUnless("max_latency_ms", 0);
            String statusText = r.string("status", "ONLINE");
            ServerState status = ServerState.parse(statusText);
            if (status == null || status == ServerState.SHUNNED || status == ServerState.SHUNNED_REPLICATION_LAG) {
                throw r.bad("status must be ONLINE, OFFLINE_SOFT or OFFLINE_HARD, got '" + statusText + "'");
            }
            return r.construct(() -> new ServerRow(r.integer("hostgroup_id"), r.string("hostname", ""), r.integer("port"), status,
                    r.integer("weight"), r.flag("compression"), r.integer("max_connections"), r.integer("max_replication_lag"),
                    r.flag("use_ssl"), r.string("comment", "")));
        });
    }

    private static List<ReplicationHostgroup> replicationHostgroups(Connection c, String schema) throws SQLException {
        return table(c, schema, AdminSchema.REPLICATION_HOSTGROUPS, "writer_hostgroup",
                rs -> "writer_hostgroup=" + rs.getString("writer_hostgroup"),
                r -> r.construct(() -> new ReplicationHostgroup(r.integer("writer_hostgroup"), r.integer("reader_hostgroup"),
                        r.string("check_type", "read_only"), r.string("comment", ""))));
    }

    private static List<UserConfig> users(Connection c, String schema) throws SQLException {
        return table(c, schema, AdminSchema.USERS, "username, backend", rs -> "username='" + rs.getString("username") + "'", r -> {
            if (!r.flag("frontend")) {
                throw r.bad("frontend=0 rows (users only for backends) are not supported: the proxy logs in to servers as the client's user");
            }
            r.unsupportedUnless("use_ssl", 0);
            r.unsupportedUnless("schema_locked", 0);
            r.unsupportedUnless("fast_forward", 0);
            if (!r.string("attributes", "").isEmpty()) {
                throw r.bad("attributes are not supported; leave the column ''");
            }
            return r.construct(() -> new UserConfig(r.string("username", ""), r.string("password", ""),
                    r.string("default_schema", null), r.integer("default_hostgroup"), r.flag("active"),
                    r.integer("max_connections"), r.flag("transaction_persistent")));
        });
    }

    private static List<QueryRule> rules(Connection c, String schema) throws SQLException {
        return table(c, schema, AdminSchema.QUERY_RULES, "rule_id", rs -> "rule_id=" + rs.getString("rule_id"), r -> {
            for (String column : List.of("cache_empty_result", "cache_timeout", "reconnect", "next_query_flagIN", "sticky_conn",
                    "gtid_from_hostgroup")) {
                if (r.optionalInteger(column) != null) {
                    throw r.bad(column + " is not supported; leave it NULL");
                }
            }
            String causalReads = causalReadsAttribute(c, r);
            String digest = r.string("digest", null);
            Long digestValue = null;
            if (digest != null) {
                try {
                    digestValue = Long.parseUnsignedLong(digest.replaceFirst("^0[xX]", ""), 16);
                } catch (NumberFormatException e) {
                    throw r.bad("digest must be 0x and up to 16 hex digits, got '" + digest + "'");
                }
            }
            Long digestHash = digestValue;
            return r.construct(() -> QueryRule.builder(r.integer("rule_id"))
                    .active(r.flag("active"))
                    .username(r.string("username", null))
                    .schemaname(r.string("schemaname", null))
                    .flagIn(r.integer("flagIN"))
                    .clientAddr(r.string("client_addr", null))
                    .proxyAddr(r.string("proxy_addr", null))
                    .proxyPort(r.optionalInteger("proxy_port"))
                    .digest(digestHash)
                    .matchDigest(r.string("match_digest", null))
                    .matchPattern(r.string("match_pattern", null))
                    .negateMatchPattern(r.flag("negate_match_pattern"))
                    .reModifiers(r.string("re_modifiers", null))
                    .flagOut(r.optionalInteger("flagOUT"))
                    .replacePattern(r.string("replace_pattern", null))
                    .destinationHostgroup(r.optionalInteger("destination_hostgroup"))
                    .cacheTtl(r.optionalInteger("cache_ttl"))
                    .timeout(r.optionalInteger("timeout"))
                    .retries(r.optionalInteger("retries"))
                    .delay(r.optionalInteger("delay"))
                    .mirrorFlagOut(r.optionalInteger("mirror_flagOUT"))
                    .mirrorHostgroup(r.optionalInteger("mirror_hostgroup"))
                    .errorMsg(r.string("error_msg", null))
                    .okMsg(r.string("OK_msg", null))
                    .multiplex(r.optionalInteger("multiplex"))
                    .log(r.optionalInteger("log"))
                    .apply(r.flag("apply"))
                    .comment(r.string("comment", null))
                    .causalReads(causalReads)
                    .build());
        });
    }

    private static GlobalVariables variables(Connection c, String schema) throws SQLException {
        GlobalVariables vars = GlobalVariables.defaults();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT variable_name, variable_value FROM "
                + schema + "." + AdminSchema.VARIABLES + " ORDER BY variable_name")) {
            while (rs.next()) {
                String name = rs.getString(1);
                try {
                    vars = vars.with(name, rs.getString(2));
                } catch (IllegalArgumentException e) {
                    throw new BadRow("global_variables row (variable_name='" + name + "'): " + e.getMessage());
                }
            }
        }
        return vars;
    }

    /** One result row being read, with the description of the row for error messages. */
    private record Row(ResultSet rs, String where) {
        int integer(String column) {
            Integer v = optionalInteger(column);
            if (v == null) {
                throw bad(column + " must not be NULL");
            }
            return v;
        }

        Integer optionalInteger(String column) {
            Object v;
            try {
                v = rs.getObject(column);
            } catch (SQLException e) {
                throw bad("cannot read " + column + ": " + e.getMessage());
            }
            if (v == null) {
                return null;
            }
            if (v instanceof Integer i) {
                return i;
            }
            if (v instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
                return l.intValue();
            }
            if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE) {
                return d.intValue();
            }
            try {
                return Integer.parseInt(v.toString().trim());
            } catch (NumberFormatException e) {
                throw bad(column + " must be an integer, got '" + v + "'");
            }
        }

        boolean flag(String column) {
            int v = integer(column);
            if (v != 0 && v != 1) {
                throw bad(column + " must be 0 or 1, got " + v);
            }
            return v == 1;
        }

        void unsupportedUnless(String column, int expected) {
            Integer v = optionalInteger(column);
            if (v != null && v != expected) {
                throw bad(column + " = " + v + " is not supported; set it to " + expected);
            }
        }

        String string(String column, String ifNull) {
            try {
                String v = rs.getString(column);
                return v == null ? ifNull : v;
            } catch (SQLException e) {
                throw bad("cannot read " + column + ": " + e.getMessage());
            }
        }

        BadRow bad(String problem) {
            return new BadRow(where + ": " + problem);
        }

        <T> T construct(java.util.function.Supplier<T> constructor) {
            try {
                return constructor.get();
            } catch (BadRow e) {
                throw e;
            } catch (IllegalArgumentException e) {
                String m = e.getMessage();
                throw new BadRow(m != null && m.startsWith(where.substring(0, where.indexOf(' '))) ? m : where + ": " + m);
            }
        }
    }

    // ---- writing -------------------------------------------------------------------------

    private static void writeServers(Connection c, String table, List<ServerRow> rows) throws SQLException {
        replace(c, table, "hostgroup_id, hostname, port, gtid_port, status, weight, compression, max_connections, "
                + "max_replication_lag, use_ssl, max_latency_ms, comment", rows.size(), (p, i) -> {
            ServerRow s = rows.get(i);
            bind(p, s.hostgroup(), s.host(), s.port(), 0, s.status().name(), s.weight(), s.compression() ? 1 : 0, s.maxConnections(),
                    s.maxReplicationLag(), s.useSsl() ? 1 : 0, 0, s.comment());
        });
    }

    private static void writeReplicationHostgroups(Connection c, String table, List<ReplicationHostgroup> rows) throws SQLException {
        replace(c, table, "writer_hostgroup, reader_hostgroup, check_type, comment", rows.size(), (p, i) -> {
            ReplicationHostgroup r = rows.get(i);
            bind(p, r.writerHostgroup(), r.readerHostgroup(), r.checkType(), r.comment());
        });
    }

    private static void writeUsers(Connection c, String table, List<UserConfig> rows) throws SQLException {
        replace(c, table, "username, password, active, use_ssl, default_hostgroup, default_schema, schema_locked, "
                + "transaction_persistent, fast_forward, backend, frontend, max_connections, attributes, comment", rows.size(), (p, i) -> {
            UserConfig u = rows.get(i);
            bind(p, u.username(), u.password(), u.active() ? 1 : 0, 0, u.defaultHostgroup(), u.defaultSchema(), 0,
                    u.transactionPersistent() ? 1 : 0, 0, 1, 1, u.maxConnections(), "", "");
        });
    }

    private static void writeRules(Connection c, String table, List<QueryRule> rows) throws SQLException {
        replace(c, table, "rule_id, active, username, schemaname, flagIN, client_addr, proxy_addr, proxy_port, digest, "
                + "match_digest, match_pattern, negate_match_pattern, re_modifiers, flagOUT, replace_pattern, "
                + "destination_hostgroup, cache_ttl, timeout, retries, delay, mirror_flagOUT, mirror_hostgroup, error_msg, "
                + "OK_msg, multiplex, log, apply, attributes, comment", rows.size(), (p, i) -> {
            QueryRule r = rows.get(i);
            bind(p, r.ruleId(), r.active() ? 1 : 0, r.username(), r.schemaname(), r.flagIn(), r.clientAddr(), r.proxyAddr(),
                    r.proxyPort(), r.digest() == null ? null : String.format("0x%016X", r.digest()), r.matchDigest(),
                    r.matchPattern(), r.negateMatchPattern() ? 1 : 0, r.reModifiers(), r.flagOut(), r.replacePattern(),
                    r.destinationHostgroup(), r.cacheTtl(), r.timeout(), r.retries(), r.delay(), r.mirrorFlagOut(),
                    r.mirrorHostgroup(), r.errorMsg(), r.okMsg(), r.multiplex(), r.log(), r.apply() ? 1 : 0,
                    r.causalReads() == null ? "" : "{\"causal_reads\":\"" + r.causalReads() + "\"}", r.comment());
        });
    }

    /**
     * The {@code causal_reads} key of a rule's {@code attributes} (JSON, read by SQLite's own JSON
     * functions), or null when the column is ''; any other key is refused.
     */
    private static String causalReadsAttribute(Connection c, Row r) throws SQLException {
        String attributes = r.string("attributes", "");
        if (attributes.isEmpty()) {
            return null;
        }
        try (java.sql.PreparedStatement p = c.prepareStatement(
                "SELECT json_extract(?1, '$.causal_reads'), (SELECT group_concat(key) FROM json_each(?1) WHERE key <> 'causal_reads'),"
                        + " json_type(?1)")) {
            p.setString(1, attributes);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                if (!"object".equals(rs.getString(3)) || rs.getString(2) != null) {
                    throw r.bad("attributes may only hold causal_reads (e.g. '{\"causal_reads\":\"local\"}'), got '" + attributes + "'");
                }
                return rs.getString(1);
            }
        } catch (SQLException e) {
            throw r.bad("attributes must be a JSON object, got '" + attributes + "'");
        }
    }

    private static void writeVariables(Connection c, String table, GlobalVariables vars) throws SQLException {
        List<Map.Entry<String, String>> rows = List.copyOf(vars.asMap().entrySet());
        replace(c, table, "variable_name, variable_value", rows.size(), (p, i) -> bind(p, rows.get(i).getKey(), rows.get(i).getValue()));
    }

    @FunctionalInterface
    interface Binder {
        void bind(PreparedStatement p, int row) throws SQLException;
    }

    /** Deletes every row of {@code table} and inserts {@code count} rows bound by {@code binder}. */
    static void replace(Connection c, String table, String columns, int count, Binder binder) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM " + table);
        }
        if (count == 0) {
            return;
        }
        String marks = "?" + ", ?".repeat(columns.split(",").length - 1);
        try (PreparedStatement p = c.prepareStatement("INSERT INTO " + table + " (" + columns + ") VALUES (" + marks + ")")) {
            for (int i = 0; i < count; i++) {
                binder.bind(p, i);
                p.addBatch();
            }
            p.executeBatch();
        }
    }

    static void bind(PreparedStatement p, Object... values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            p.setObject(i + 1, values[i]);
        }
    }
}
