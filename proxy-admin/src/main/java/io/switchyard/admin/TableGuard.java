package io.switchyard.admin;

import io.switchyard.admin.SqlText.Token;
import io.switchyard.protocol.ProxyError;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Decides what an operator's SQL statement may touch: any table may be read; only the
 * configuration tables of {@code main} and {@code disk} may be written; the structure of the
 * database never changes. Stateless.
 */
final class TableGuard {
    private static final Set<String> READS = Set.of("SELECT", "VALUES");
    private static final Set<String> WRITES = Set.of("INSERT", "REPLACE", "UPDATE", "DELETE");

    private TableGuard() {}

    /** What a statement does. */
    enum Kind { READ, WRITE }

    /**
     * Checks a SELECT, WITH, VALUES, INSERT, REPLACE, UPDATE or DELETE statement.
     *
     * @throws AdminException when it writes anything but a configuration table
     */
    static Kind check(List<Token> tokens) {
        String verb = mainVerb(tokens);
        if (READS.contains(verb)) {
            return Kind.READ;
        }
        if (!WRITES.contains(verb)) {
            throw new AdminException(ProxyError.SYNTAX, "expected SELECT, INSERT, REPLACE, UPDATE or DELETE");
        }
        int i = indexOf(tokens, verb);
        i++;
        if (i + 1 < tokens.size() && tokens.get(i).keyword().equals("OR")) {
            i += 2;
        }
        if (i < tokens.size() && (tokens.get(i).keyword().equals("INTO") || tokens.get(i).keyword().equals("FROM"))) {
            i++;
        }
        if (i >= tokens.size() || tokens.get(i).identifier() == null) {
            throw new AdminException(ProxyError.SYNTAX, "no table named after " + verb);
        }
        String schema = null;
        String table = tokens.get(i).identifier();
        if (i + 2 < tokens.size() && tokens.get(i + 1).is(".") && tokens.get(i + 2).identifier() != null) {
            schema = table.toLowerCase(Locale.ROOT);
            table = tokens.get(i + 2).identifier();
        }
        checkWritable(schema, table.toLowerCase(Locale.ROOT), verb);
        return Kind.WRITE;
    }

    private static void checkWritable(String schema, String table, String verb) {
        String name = schema == null ? table : schema + "." + table;
        boolean configSchema = schema == null || schema.equals("main") || schema.equals("disk");
        if (configSchema && AdminSchema.CONFIG_TABLES.containsKey(table)) {
            return;
        }
        if (AdminSchema.RUNTIME_TABLES.contains(table)) {
            String source = table.substring("runtime_".length());
            throw new AdminException(ProxyError.READ_ONLY_TABLE, name, "it shows the configuration in force; change " + source
                    + " and LOAD it TO RUNTIME");
        }
        if ("stats".equals(schema) || "monitor".equals(schema) || AdminSchema.STATS_TABLES.containsKey(table)
                || AdminSchema.MONITOR_TABLES.containsKey(table)) {
            throw new AdminException(ProxyError.READ_ONLY_TABLE, name, "it shows what the proxy counted or observed");
        }
        if (configSchema || table.startsWith("sqlite_")) {
            throw new AdminException(ProxyError.NO_SUCH_TABLE, name);
        }
        throw new AdminException(ProxyError.UNKNOWN_DATABASE, schema);
    }

    /** The statement's verb: its first keyword, or for WITH the first verb outside parentheses after it. */
    private static String mainVerb(List<Token> tokens) {
        String first = tokens.isEmpty() ? "" : tokens.get(0).keyword();
        if (!first.equals("WITH")) {
            return first;
        }
        int depth = 0;
        for (Token t : tokens) {
            if (t.is("(")) {
                depth++;
            } else if (t.is(")")) {
                depth--;
            } else if (depth == 0 && (READS.contains(t.keyword()) || WRITES.contains(t.keyword()))) {
                return t.keyword();
            }
        }
        return "";
    }

    private static int indexOf(List<Token> tokens, String keyword) {
        int depth = 0;
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.is("(")) {
                depth++;
            } else if (t.is(")")) {
                depth--;
            } else if (depth == 0 && t.keyword().equals(keyword)) {
                return i;
            }
        }
        return 0;
    }
}
