package io.switchyard.admin;

import io.switchyard.admin.SqlText.Token;
import io.switchyard.protocol.ProxyError;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The MySQL introspection statements clients and operators use, answered from the admin's
 * own catalogue: {@code SHOW DATABASES}, {@code SHOW [FULL] TABLES [FROM db] [LIKE …]},
 * {@code SHOW CREATE TABLE}, {@code SHOW COLUMNS}/{@code DESCRIBE}, {@code SHOW VARIABLES}
 * (from {@code global_variables} and the session variables), {@code SHOW STATUS} (from
 * {@code stats_mysql_global}), {@code SHOW [FULL] PROCESSLIST} and {@code SHOW WARNINGS}.
 * Confined to the admin's SQL thread.
 */
final class ShowStatements {
    private final Connection c;
    private final AdminStatements statements;

    ShowStatements(Connection c, AdminStatements statements) {
        this.c = c;
        this.statements = statements;
    }

    AdminResult run(SessionView session, List<Token> tokens) {
        List<String> words = SqlText.leadingKeywords(tokens, 4);
        try {
            String first = words.get(0);
            if (first.equals("DESCRIBE") || first.equals("DESC") || first.equals("EXPLAIN")) {
                return columns(session, tokens, 1);
            }
            int i = 1;
            boolean full = at(tokens, i, "FULL");
            if (full) {
                i++;
            }
            if (at(tokens, i, "GLOBAL") || at(tokens, i, "SESSION")) {
                i++;
            }
            String what = i < tokens.size() ? tokens.get(i).keyword() : "";
            switch (what) {
                case "DATABASES", "SCHEMAS" -> {
                    return filtered(List.of("Database"), AdminSchema.SCHEMAS.stream().map(s -> List.of(s)).toList(), like(tokens, i + 1));
                }
                case "TABLES" -> {
                    return tables(session, tokens, i + 1, full);
                }
                case "CREATE" -> {
                    if (!at(tokens, i + 1, "TABLE")) {
                        throw new AdminException(ProxyError.SYNTAX, "only SHOW CREATE TABLE is supported");
                    }
                    return createTable(session, tokens, i + 2);
                }
                case "COLUMNS", "FIELDS" -> {
                    return columns(session, tokens, i + 1);
                }
                case "VARIABLES" -> {
                    return variables(like(tokens, i + 1));
                }
                case "STATUS" -> {
                    return status(like(tokens, i + 1));
                }
                case "PROCESSLIST" -> {
                    statements.refreshReferenced(List.of(new Token("stats_mysql_processlist", (char) 0)));
                    return query("SELECT * FROM stats.stats_mysql_processlist ORDER BY SessionID");
                }
                case "WARNINGS", "ERRORS" -> {
                    return warnings(session, what.equals("ERRORS"));
                }
                default -> throw new AdminException(ProxyError.SYNTAX, "SHOW " + (what.isEmpty() ? "" : what + " ")
                        + "is not supported; the admin knows SHOW DATABASES, TABLES, CREATE TABLE, COLUMNS, VARIABLES, "
                        + "STATUS, PROCESSLIST and WARNINGS");
            }
        } catch (SQLException e) {
            return new AdminResult.Error(SqlErrors.toErr(e));
        }
    }

    /** The warnings (or only the errors) the session's previous statement left. */
    private static AdminResult warnings(SessionView session, boolean errorsOnly) {
        List<List<String>> rows = new ArrayList<>();
        for (AdminWarning w : session.warnings()) {
            if (!errorsOnly || w.level() == AdminWarning.Level.ERROR) {
                rows.add(List.of(w.level().spelling, Integer.toString(w.code()), w.message()));
            }
        }
        return new AdminResult.Rows(List.of("Level", "Code", "Message"), rows);
    }

    private AdminResult tables(SessionView session, List<Token> tokens, int i, boolean full) throws SQLException {
        String schema = session.schema();
        if (at(tokens, i, "FROM") || at(tokens, i, "IN")) {
            schema = AdminStatements.checkSchema(identifier(tokens, i + 1));
            i += 2;
        }
        Pattern like = like(tokens, i);
        List<List<String>> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT name FROM " + schema
                + ".sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")) {
            while (rs.next()) {
                String name = rs.getString(1);
                if (like == null || like.matcher(name).matches()) {
                    rows.add(full ? List.of(name, "BASE TABLE") : List.of(name));
                }
            }
        }
        List<String> columns = full ? List.of("Tables_in_" + schema, "Table_type") : List.of("Tables_in_" + schema);
        return new AdminResult.Rows(columns, rows);
    }

    private AdminResult createTable(SessionView session, List<Token> tokens, int i) throws SQLException {
        String[] name = qualifiedName(session, tokens, i);
        try (PreparedStatement p = c.prepareStatement("SELECT sql FROM " + name[0] + ".sqlite_master WHERE type = 'table' AND name = ?")) {
            p.setString(1, name[1]);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    throw new AdminException(ProxyError.NO_SUCH_TABLE, name[0] + "." + name[1]);
                }
                return new AdminResult.Rows(List.of("Table", "Create Table"), List.of(List.of(name[1], rs.getString(1))));
            }
        }
    }

    private AdminResult columns(SessionView session, List<Token> tokens, int i) throws SQLException {
        if (at(tokens, i, "FROM") || at(tokens, i, "IN")) {
            i++;
        }
        String[] name = qualifiedName(session, tokens, i);
        int after = i + (i + 1 < tokens.size() && tokens.get(i + 1).is(".") ? 3 : 1);
        if (at(tokens, after, "FROM") || at(tokens, after, "IN")) {
            name[0] = AdminStatements.checkSchema(identifier(tokens, after + 1));
        }
        List<List<String>> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + name[0] + ".table_info("
                + SqlText.literal(name[1]) + ")")) {
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                row.add(rs.getString("name"));
                row.add(rs.getString("type"));
                row.add(rs.getInt("notnull") == 1 ? "NO" : "YES");
                row.add(rs.getInt("pk") > 0 ? "PRI" : "");
                row.add(rs.getString("dflt_value"));
                row.add("");
                rows.add(row);
            }
        }
        if (rows.isEmpty()) {
            throw new AdminException(ProxyError.NO_SUCH_TABLE, name[0] + "." + name[1]);
        }
        return new AdminResult.Rows(List.of("Field", "Type", "Null", "Key", "Default", "Extra"), rows);
    }

    private AdminResult variables(Pattern like) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT variable_name, variable_value FROM main.global_variables ORDER BY variable_name")) {
            while (rs.next()) {
                rows.add(List.of(rs.getString(1), rs.getString(2)));
            }
        }
        for (Map.Entry<String, String> e : SessionVariables.all().entrySet()) {
            rows.add(List.of(e.getKey(), e.getValue()));
        }
        return filtered(List.of("Variable_name", "Value"), rows, like);
    }

    private AdminResult status(Pattern like) throws SQLException {
        statements.refreshReferenced(List.of(new Token("stats_mysql_global", (char) 0)));
        AdminResult.Rows all = (AdminResult.Rows) query("SELECT Variable_Name, Variable_Value FROM stats.stats_mysql_global");
        return filtered(List.of("Variable_name", "Value"), all.rows(), like);
    }

    private AdminResult query(String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return AdminStatements.rows(rs);
        }
    }

    private static AdminResult.Rows filtered(List<String> columns, List<List<String>> rows, Pattern like) {
        List<List<String>> out = new ArrayList<>();
        for (List<String> row : rows) {
            if (like == null || like.matcher(row.get(0)).matches()) {
                out.add(row);
            }
        }
        return new AdminResult.Rows(columns, out);
    }

    /** {schema, table} for a possibly qualified name at {@code i}; unqualified names are looked up in main, stats, monitor. */
    private String[] qualifiedName(SessionView session, List<Token> tokens, int i) throws SQLException {
        String first = identifier(tokens, i);
        if (i + 2 < tokens.size() && tokens.get(i + 1).is(".")) {
            return new String[] {AdminStatements.checkSchema(first), identifier(tokens, i + 2)};
        }
        for (String schema : List.of(session.schema(), "main", "stats", "monitor")) {
            try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM " + schema + ".sqlite_master WHERE type = 'table' AND name = ?")) {
                p.setString(1, first);
                try (ResultSet rs = p.executeQuery()) {
                    if (rs.next()) {
                        return new String[] {schema, first};
                    }
                }
            }
        }
        throw new AdminException(ProxyError.NO_SUCH_TABLE, first);
    }

    private static String identifier(List<Token> tokens, int i) {
        if (i >= tokens.size() || tokens.get(i).identifier() == null) {
            throw new AdminException(ProxyError.SYNTAX, "a name was expected");
        }
        return tokens.get(i).identifier();
    }

    private static Pattern like(List<Token> tokens, int i) {
        if (!at(tokens, i, "LIKE")) {
            if (i < tokens.size()) {
                throw new AdminException(ProxyError.SYNTAX, "unexpected '" + tokens.get(i).text() + "'; only LIKE 'pattern' may follow");
            }
            return null;
        }
        if (i + 1 >= tokens.size() || tokens.get(i + 1).quote() != '\'') {
            throw new AdminException(ProxyError.SYNTAX, "LIKE takes a quoted pattern");
        }
        return Pattern.compile(io.switchyard.frontend.state.SqlLike.regex(tokens.get(i + 1).text()));
    }

    private static boolean at(List<Token> tokens, int i, String keyword) {
        return i < tokens.size() && tokens.get(i).keyword().equals(keyword);
    }
}
