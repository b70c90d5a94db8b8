package io.switchyard.admin;

import io.switchyard.protocol.auth.NativePassword;
import io.switchyard.runtime.RuntimeRows;
import io.switchyard.topology.UserConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configuration as the admin's tables hold it ({@code mysql_servers}, {@code mysql_users},
 * …): each table a list of rows, each row its columns by name, with the admin's own mapping
 * between rows and {@link RuntimeRows} (an in-memory copy of the tables does the work), so a
 * configuration written this way reads back exactly as the admin reads its layers. Passwords
 * are written as MySQL native hashes only. Stateless.
 */
public final class ConfigTables {
    private ConfigTables() {
    }

    /** The variables that hold secrets: they are not written, and each node keeps its own. */
    public static final List<String> LOCAL_VARIABLES = List.of("mysql-monitor_password");

    /**
     * {@code rows} as tables; clear-text passwords become their native hashes and
     * {@link #LOCAL_VARIABLES} are left out.
     */
    public static Map<String, List<Map<String, Object>>> write(RuntimeRows rows) {
        List<UserConfig> hashed = rows.users().stream().map(ConfigTables::hashed).toList();
        RuntimeRows out = rows.withUsers(hashed);
        try (Connection c = open()) {
            for (ConfigPart part : ConfigPart.values()) {
                ConfigRows.write(c, "main", "", part, out);
            }
            Map<String, List<Map<String, Object>>> tables = new LinkedHashMap<>();
            for (String table : AdminSchema.CONFIG_TABLES.keySet()) {
                tables.put(table, select(c, table));
            }
            tables.put(AdminSchema.VARIABLES, tables.get(AdminSchema.VARIABLES).stream()
                    .filter(r -> !LOCAL_VARIABLES.contains(String.valueOf(r.get("variable_name")))).toList());
            return tables;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write the configuration as tables: " + e.getMessage(), e);
        }
    }

    /**
     * Reads tables written by {@link #write} back as rows; the variables {@link #LOCAL_VARIABLES}
     * name are taken from {@code local}.
     *
     * @throws IllegalArgumentException naming the table and the problem when a row is not valid
     */
    public static RuntimeRows read(Map<String, List<Map<String, Object>>> tables, RuntimeRows local) {
        try (Connection c = open()) {
            for (Map.Entry<String, List<Map<String, Object>>> t : tables.entrySet()) {
                if (!AdminSchema.CONFIG_TABLES.containsKey(t.getKey())) {
                    throw new IllegalArgumentException("unknown table " + t.getKey());
                }
                for (Map<String, Object> row : t.getValue()) {
                    insert(c, t.getKey(), row);
                }
            }
            RuntimeRows rows = RuntimeRows.empty();
            for (ConfigPart part : ConfigPart.values()) {
                rows = ConfigRows.read(c, "main", part, rows);
            }
            Map<String, String> kept = new LinkedHashMap<>();
            for (String name : LOCAL_VARIABLES) {
                kept.put(name, local.variables().get(name));
            }
            return rows.withVariables(rows.variables().withAll(kept));
        } catch (SQLException | ConfigRows.BadRow e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** {@code rows} with every password as its native hash: equal when they authenticate the same. */
    public static RuntimeRows comparable(RuntimeRows rows) {
        return rows.withUsers(rows.users().stream().map(ConfigTables::hashed).toList());
    }

    private static UserConfig hashed(UserConfig u) {
        if (u.hashedPassword() || u.password().isEmpty()) {
            return u;
        }
        return new UserConfig(u.username(), NativePassword.toMysqlHash(u.nativeStage2()), u.defaultSchema(), u.defaultHostgroup(),
                u.active(), u.maxConnections(), u.transactionPersistent());
    }

    private static Connection open() throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite::memory:");
        try (Statement s = c.createStatement()) {
            for (Map.Entry<String, String> t : AdminSchema.CONFIG_TABLES.entrySet()) {
                s.execute(AdminSchema.create("main." + t.getKey(), t.getValue()));
            }
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private static List<Map<String, Object>> select(Connection c, String table) throws SQLException {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM main." + table)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    row.put(md.getColumnName(i), rs.getObject(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private static void insert(Connection c, String table, Map<String, Object> row) throws SQLException {
        List<String> columns = new ArrayList<>(row.keySet());
        for (String column : columns) {
            if (!column.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException(table + ": bad column name " + column);
            }
        }
        String sql = "INSERT INTO main." + table + " (" + String.join(", ", columns) + ") VALUES ("
                + String.join(", ", columns.stream().map(x -> "?").toList()) + ")";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < columns.size(); i++) {
                ps.setObject(i + 1, row.get(columns.get(i)));
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new SQLException(table + ": " + e.getMessage(), e);
        }
    }
}
