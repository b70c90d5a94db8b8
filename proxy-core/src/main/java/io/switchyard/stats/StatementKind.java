package io.switchyard.stats;

import java.util.Locale;

/**
 * What a statement does, with the names of ProxySQL's {@code stats_mysql_commands_counters}
 * rows. Read from the first words of the statement (or its digest text); anything else is
 * {@link #UNKNOWN}.
 */
public enum StatementKind {
    ALTER_TABLE, ALTER_VIEW, ANALYZE_TABLE, BEGIN, CALL, CHANGE_MASTER, COMMIT, CREATE_DATABASE, CREATE_INDEX,
    CREATE_TABLE, CREATE_TEMPORARY, CREATE_TRIGGER, CREATE_USER, CREATE_VIEW, DEALLOCATE, DELETE, DESCRIBE,
    DROP_DATABASE, DROP_INDEX, DROP_TABLE, DROP_TRIGGER, DROP_USER, DROP_VIEW, GRANT, EXECUTE, EXPLAIN, FLUSH,
    INSERT, KILL, LOAD, LOCK_TABLE, OPTIMIZE, PREPARE, PURGE, RENAME_TABLE, RESET_MASTER, RESET_SLAVE, REPLACE,
    REVOKE, ROLLBACK, SAVEPOINT, SELECT, SELECT_FOR_UPDATE, SET, SHOW_TABLE_STATUS, START_TRANSACTION,
    TRUNCATE_TABLE, UNLOCK_TABLES, UPDATE, USE, SHOW, UNKNOWN;

    /** Classifies a statement's text (leading comments and whitespace are skipped). */
    public static StatementKind of(String sql) {
        String first = word(sql, 1);
        return switch (first) {
            case "" -> UNKNOWN;
            case "SELECT", "WITH" -> containsIgnoreCase(sql, "FOR UPDATE") ? SELECT_FOR_UPDATE : SELECT;
            case "INSERT" -> INSERT;
            case "UPDATE" -> UPDATE;
            case "DELETE" -> DELETE;
            case "REPLACE" -> REPLACE;
            case "SET" -> SET;
            case "USE" -> USE;
            case "BEGIN" -> BEGIN;
            case "COMMIT" -> COMMIT;
            case "ROLLBACK" -> word(sql, 2).equals("TO") ? SAVEPOINT : ROLLBACK;
            case "SAVEPOINT", "RELEASE" -> SAVEPOINT;
            case "START" -> word(sql, 2).equals("TRANSACTION") ? START_TRANSACTION : UNKNOWN;
            case "CALL" -> CALL;
            case "PREPARE" -> PREPARE;
            case "EXECUTE" -> EXECUTE;
            case "DEALLOCATE" -> DEALLOCATE;
            case "DESCRIBE", "DESC" -> DESCRIBE;
            case "EXPLAIN" -> EXPLAIN;
            case "FLUSH" -> FLUSH;
            case "GRANT" -> GRANT;
            case "REVOKE" -> REVOKE;
            case "KILL" -> KILL;
            case "LOAD" -> LOAD;
            case "LOCK" -> LOCK_TABLE;
            case "UNLOCK" -> UNLOCK_TABLES;
            case "OPTIMIZE" -> OPTIMIZE;
            case "ANALYZE" -> ANALYZE_TABLE;
            case "PURGE" -> PURGE;
            case "TRUNCATE" -> TRUNCATE_TABLE;
            case "RENAME" -> RENAME_TABLE;
            case "CHANGE" -> CHANGE_MASTER;
            case "RESET" -> switch (word(sql, 2)) {
                case "MASTER" -> RESET_MASTER;
                case "SLAVE", "REPLICA" -> RESET_SLAVE;
                default -> UNKNOWN;
            };
            case "SHOW" -> word(sql, 2).equals("TABLE") && word(sql, 3).equals("STATUS") ? SHOW_TABLE_STATUS : SHOW;
            case "ALTER" -> switch (word(sql, 2)) {
                case "TABLE" -> ALTER_TABLE;
                case "VIEW" -> ALTER_VIEW;
                default -> UNKNOWN;
            };
            case "CREATE" -> switch (word(sql, 2)) {
                case "DATABASE", "SCHEMA" -> CREATE_DATABASE;
                case "INDEX", "UNIQUE", "FULLTEXT", "SPATIAL" -> CREATE_INDEX;
                case "TABLE" -> CREATE_TABLE;
                case "TEMPORARY" -> CREATE_TEMPORARY;
                case "TRIGGER" -> CREATE_TRIGGER;
                case "USER" -> CREATE_USER;
                case "VIEW", "OR" -> CREATE_VIEW;
                default -> UNKNOWN;
            };
            case "DROP" -> switch (word(sql, 2)) {
                case "DATABASE", "SCHEMA" -> DROP_DATABASE;
                case "INDEX" -> DROP_INDEX;
                case "TABLE", "TEMPORARY" -> DROP_TABLE;
                case "TRIGGER" -> DROP_TRIGGER;
                case "USER" -> DROP_USER;
                case "VIEW" -> DROP_VIEW;
                default -> UNKNOWN;
            };
            default -> UNKNOWN;
        };
    }

    /** True when {@code sql} holds {@code upper} (upper case, no letters outside ASCII) in any case; allocates nothing. */
    private static boolean containsIgnoreCase(String sql, String upper) {
        int last = sql.length() - upper.length();
        char first = upper.charAt(0);
        for (int i = 0; i <= last; i++) {
            char c = sql.charAt(i);
            if ((c == first || c == Character.toLowerCase(first)) && sql.regionMatches(true, i, upper, 0, upper.length())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The {@code n}-th word (from 1) of {@code sql}, upper-cased, after comments, whitespace and
     * opening parentheses; "" when there is none (something else comes first). Only the verbs
     * that need a second or third word read it.
     */
    private static String word(String sql, int n) {
        int i = 0;
        int len = sql.length();
        int count = 0;
        while (i < len) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c) || c == '(') {
                i++;
            } else if (c == '/' && i + 1 < len && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? len : end + 2;
            } else if ((c == '#') || (c == '-' && i + 2 < len && sql.charAt(i + 1) == '-' && Character.isWhitespace(sql.charAt(i + 2)))) {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? len : end + 1;
            } else if (Character.isLetter(c)) {
                int start = i;
                while (i < len && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
                    i++;
                }
                if (++count == n) {
                    return sql.substring(start, i).toUpperCase(Locale.ROOT);
                }
            } else {
                break;
            }
        }
        return "";
    }
}
