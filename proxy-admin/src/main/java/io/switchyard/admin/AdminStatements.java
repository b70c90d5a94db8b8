package io.switchyard.admin;

import io.switchyard.admin.SqlText.Token;
import io.switchyard.protocol.ProxyError;
import io.switchyard.runtime.InvalidConfigException;
import io.switchyard.runtime.RuntimeConfig;
import io.switchyard.runtime.RuntimeRows;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Runs what an admin client sends: the layer verbs ({@code LOAD}/{@code SAVE}), the statements
 * MySQL clients send on their own ({@code SET}, {@code USE}, {@code SHOW …}, session variables),
 * and the operator's SQL on the tables, refreshing the runtime, stats and monitor tables a
 * statement reads right before it runs. Confined to the admin's SQL thread.
 */
final class AdminStatements {
    private static final Logger log = LoggerFactory.getLogger(AdminStatements.class);
    private static final Set<String> STRUCTURE = Set.of("CREATE", "DROP", "ALTER", "ATTACH", "DETACH", "PRAGMA", "VACUUM",
            "REINDEX", "ANALYZE", "SAVEPOINT", "RELEASE", "GRANT", "REVOKE", "RENAME", "LOCK", "UNLOCK", "KILL", "FLUSH");

    /** How the rule compiler names a rule in its messages; the admin names rows the same way everywhere. */
    private static final Pattern RULE_PREFIX = Pattern.compile("^rule (-?\\d+): ");

    private final AdminDatabase db;
    private final Connection c;
    private final ProxyHandles proxy;
    private final StatsTables stats;
    private final ShowStatements show;

    AdminStatements(AdminDatabase db, ProxyHandles proxy, StatsTables stats) {
        this.db = db;
        this.c = db.connection();
        this.proxy = proxy;
        this.stats = stats;
        this.show = new ShowStatements(c, this);
    }

    /**
     * The results of every statement of {@code sql}, stopping at the first error, and the session
     * after them (its schema, and the warnings of its last statement).
     */
    record Reply(List<AdminResult> results, SessionView session) {}

    Reply execute(SessionView session, String sql) {
        List<AdminResult> results = new ArrayList<>();
        SessionView s = session;
        List<String> statements = SqlText.statements(sql);
        if (statements.isEmpty()) {
            results.add(new AdminResult.Error(ProxyError.SYNTAX.format("empty statement")));
        }
        for (String statement : statements) {
            AdminResult r;
            try {
                List<Token> tokens = SqlText.tokens(statement);
                String next = useTarget(tokens);
                if (next != null) {
                    s = s.withSchema(next);
                    r = AdminResult.ok();
                } else {
                    r = one(s, statement, tokens);
                }
            } catch (AdminException e) {
                r = new AdminResult.Error(e.error());
            } catch (RuntimeException e) {
                log.warn("admin statement failed unexpectedly: {}", statement, e);
                r = new AdminResult.Error(ProxyError.INTERNAL.format(e.toString()));
            }
            results.add(r);
            if (!readsWarnings(statement)) {
                s = s.withWarnings(AdminWarning.of(r));
            }
            if (r instanceof AdminResult.Error) {
                break;
            }
        }
        return new Reply(results, s);
    }

    private static final Pattern SHOW_WARNINGS = Pattern.compile("^\\s*SHOW\\s+(?:WARNINGS|ERRORS)\\b.*",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    /** As in MySQL, SHOW WARNINGS and SHOW ERRORS leave the warnings they show in place. */
    private static boolean readsWarnings(String statement) {
        return SHOW_WARNINGS.matcher(statement).matches();
    }

    /** The schema a USE statement (or COM_INIT_DB) names, checked; null when {@code tokens} are not a USE. */
    static String useTarget(List<Token> tokens) {
        if (tokens.isEmpty() || !tokens.get(0).keyword().equals("USE")) {
            return null;
        }
        if (tokens.size() != 2 || tokens.get(1).identifier() == null) {
            throw new AdminException(ProxyError.SYNTAX, "USE takes one schema name");
        }
        return checkSchema(tokens.get(1).identifier());
    }

    static String checkSchema(String name) {
        String schema = name.toLowerCase(Locale.ROOT);
        if (!AdminSchema.SCHEMAS.contains(schema)) {
            throw new AdminException(ProxyError.UNKNOWN_DATABASE, name);
        }
        return schema;
    }

    private AdminResult one(SessionView session, String sql, List<Token> tokens) {
        String first = tokens.get(0).keyword();
        switch (first) {
            case "LOAD", "SAVE" -> {
                LayerVerb verb = LayerVerb.parse(sql);
                if (verb == null) {
                    throw new AdminException(ProxyError.SYNTAX, "'" + sql + "': LOAD and SAVE take MYSQL SERVERS, MYSQL USERS, "
                            + "MYSQL QUERY RULES or MYSQL VARIABLES, then TO or FROM RUNTIME, MEMORY, DISK or CONFIG");
                }
                return verb(session, verb);
            }
            case "SET", "BEGIN", "START", "COMMIT", "ROLLBACK" -> {
                return AdminResult.ok();
            }
            case "SHOW", "DESCRIBE", "DESC" -> {
                return show.run(session, tokens);
            }
            case "EXPLAIN" -> {
                return tokens.size() <= 4 ? show.run(session, tokens) : sql(session, sql, tokens);
            }
            case "SELECT", "WITH", "VALUES", "INSERT", "REPLACE", "UPDATE", "DELETE" -> {
                return sql(session, sql, tokens);
            }
            case "TRUNCATE" -> {
                String rest = sql.strip().substring("TRUNCATE".length()).strip().replaceFirst("(?i)^TABLE\\s+", "");
                String delete = "DELETE FROM " + rest;
                return sql(session, delete, SqlText.tokens(delete));
            }
            default -> {
                if (STRUCTURE.contains(first)) {
                    throw new AdminException(ProxyError.NOT_ALLOWED, first, "the admin's tables and their structure are fixed");
                }
                throw new AdminException(ProxyError.SYNTAX, "unknown statement '" + (first.isEmpty() ? tokens.get(0).text() : first)
                        + "'; the admin runs SQL on its tables (SELECT, INSERT, UPDATE, DELETE, REPLACE) and LOAD/SAVE verbs");
            }
        }
    }

    /** Runs operator SQL on the tables. */
    AdminResult sql(SessionView session, String sql, List<Token> tokens) {
        TableGuard.check(tokens);
        String text = SessionVariables.rewrite(sql, session);
        try {
            refreshReferenced(tokens);
            try (Statement st = c.createStatement()) {
                if (st.execute(text)) {
                    try (ResultSet rs = st.getResultSet()) {
                        return rows(rs);
                    }
                }
                return new AdminResult.Ok(Math.max(0, st.getUpdateCount()), "");
            }
        } catch (SQLException e) {
            return new AdminResult.Error(SqlErrors.toErr(e));
        }
    }

    static AdminResult.Rows rows(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        List<String> columns = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            columns.add(md.getColumnLabel(i));
        }
        List<List<String>> rows = new ArrayList<>();
        while (rs.next()) {
            List<String> row = new ArrayList<>(columns.size());
            for (int i = 1; i <= columns.size(); i++) {
                row.add(rs.getString(i));
            }
            rows.add(row);
        }
        return new AdminResult.Rows(columns, rows);
    }

    /** Regenerates the runtime, stats and monitor tables that {@code tokens} name. */
    void refreshReferenced(List<Token> tokens) throws SQLException {
        Set<String> tables = new LinkedHashSet<>();
        for (Token t : tokens) {
            String id = t.identifier();
            if (id != null) {
                tables.add(id.toLowerCase(Locale.ROOT));
            }
        }
        Set<ConfigPart> runtimeParts = new LinkedHashSet<>();
        for (String table : tables) {
            if (AdminSchema.RUNTIME_TABLES.contains(table)) {
                String config = table.substring("runtime_".length());
                for (ConfigPart p : ConfigPart.values()) {
                    if (p.tables.contains(config)) {
                        runtimeParts.add(p);
                    }
                }
            } else if (AdminSchema.STATS_TABLES.containsKey(table) || AdminSchema.MONITOR_TABLES.containsKey(table)) {
                db.inTransaction(() -> stats.refresh(c, table));
            }
        }
        if (!runtimeParts.isEmpty()) {
            RuntimeRows current = proxy.runtime().current().rows();
            db.inTransaction(() -> {
                for (ConfigPart p : runtimeParts) {
                    ConfigRows.write(c, "main", "runtime_", p, current);
                }
            });
        }
    }

    private AdminResult verb(SessionView session, LayerVerb verb) {
        try {
            switch (verb.move()) {
                case MEMORY_TO_RUNTIME -> {
                    RuntimeRows memory;
                    RuntimeConfig next;
                    try {
                        memory = ConfigRows.read(c, "main", verb.part(), RuntimeRows.empty());
                        UnaryOperator<RuntimeRows> change = current -> verb.part().take(current, memory);
                        next = proxy.fleet() == null ? proxy.runtime().update(change)
                                : proxy.fleet().load(change, current -> db.memoryBasedOn(verb.part(), current), verb.text());
                    } catch (FleetLink.Refused e) {
                        // The operator now knows the fleet's version: a LOAD of the same edit puts it in force.
                        db.memoryBase(verb.part(), proxy.runtime().current().rows());
                        log.info("admin {}@{}: {} refused: {}", session.user(), session.clientHost(), verb.text(), e.getMessage());
                        return new AdminResult.Error(e.error());
                    } catch (ConfigRows.BadRow | InvalidConfigException | IllegalArgumentException e) {
                        String problem = RULE_PREFIX.matcher(String.valueOf(e.getMessage())).replaceFirst("mysql_query_rules row (rule_id=$1): ");
                        log.info("admin {}@{}: {} refused: {}", session.user(), session.clientHost(), verb.text(), problem);
                        return new AdminResult.Error(ProxyError.CONFIG_REFUSED.format(verb.text(), problem));
                    }
                    db.memoryBase(verb.part(), next.rows());
                    List<AdminWarning> warnings = next.danglingReferences().stream()
                            .map(d -> AdminWarning.warning(ProxyError.DANGLING_HOSTGROUP, d.message())).toList();
                    log.info("admin {}@{}: {}{}", session.user(), session.clientHost(), verb.text(),
                            warnings.isEmpty() ? "" : " (" + warnings.size() + " dangling hostgroup references)");
                    return new AdminResult.Ok(0, "", warnings);
                }
                case RUNTIME_TO_MEMORY -> {
                    RuntimeRows current = proxy.runtime().current().rows();
                    db.inTransaction(() -> ConfigRows.write(c, "main", "", verb.part(), current));
                    db.memoryBase(verb.part(), current);
                }
                case MEMORY_TO_DISK -> db.copy(verb.part(), "main", "disk");
                case DISK_TO_MEMORY -> db.copy(verb.part(), "disk", "main");
                case CONFIG_TO_MEMORY -> {
                    RuntimeRows file;
                    try {
                        file = proxy.configFile().get();
                    } catch (RuntimeException e) {
                        return new AdminResult.Error(ProxyError.LAYER_FAILED.format(verb.text(), e.getMessage()));
                    }
                    db.inTransaction(() -> ConfigRows.write(c, "main", "", verb.part(), file));
                }
            }
        } catch (SQLException e) {
            return new AdminResult.Error(ProxyError.LAYER_FAILED.format(verb.text(), SqlErrors.toErr(e).message()));
        }
        log.info("admin {}@{}: {}", session.user(), session.clientHost(), verb.text());
        return AdminResult.ok();
    }
}
