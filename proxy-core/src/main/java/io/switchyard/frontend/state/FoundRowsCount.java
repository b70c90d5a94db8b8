package io.switchyard.frontend.state;

import io.switchyard.stats.StatementKind;

/**
 * Which statements leave a {@code FOUND_ROWS()} the proxy can tell from their response (MariaDB
 * 10.11, checked statement by statement).
 *
 * <ul>
 *   <li>A result set counts only when the statement is a query ({@code SELECT}, {@code WITH}, a
 *       query in parentheses). Of the others, those {@link #leftByResult} names leave the count
 *       as it was; {@code SHOW TABLES} or {@code DESCRIBE} set it to what the rows returned do not
 *       show; {@code EXPLAIN} leaves it or sets it to 0, depending on the query.</li>
 *   <li>An OK leaves it, except after a statement with a query of its own at the top
 *       ({@code SELECT ... INTO}, {@code INSERT ... SELECT}, {@code CREATE TABLE ... SELECT}),
 *       which sets it to that query's count (0 after {@code SELECT 1 INTO @x}); a subquery does
 *       not. {@code EXECUTE} and {@code CALL} run any statement.</li>
 * </ul>
 *
 * <p>Where the response does not tell, the value counts as unknown: the proxy reads it on the
 * connection before the session leaves it, and gives it no other connection until then.
 */
final class FoundRowsCount {
    private static final java.util.regex.Pattern DIAGNOSTICS = java.util.regex.Pattern.compile(
            "\\s*SHOW\\s+(WARNINGS|ERRORS)(\\s+LIMIT\\s+[0-9]+(\\s*,\\s*[0-9]+)?)?\\s*;?\\s*", java.util.regex.Pattern.CASE_INSENSITIVE);

    private static final java.util.regex.Pattern LEFT_BY_RESULT = java.util.regex.Pattern.compile(
            "\\s*(VALUES\\b|HELP\\b|CHECKSUM\\s+TABLES?\\b"
                    + "|(ANALYZE|CHECK|OPTIMIZE|REPAIR)(\\s+(NO_WRITE_TO_BINLOG|LOCAL))?\\s+TABLES?\\b"
                    + "|SHOW\\s+(CREATE|GRANTS|PRIVILEGES|PROFILES|ENGINE|(FULL\\s+)?PROCESSLIST|(MASTER|SLAVE)\\s+STATUS)\\b)",
            java.util.regex.Pattern.CASE_INSENSITIVE);

    private FoundRowsCount() {
    }

    /**
     * True when, after the statement of text {@code sql} (null for a command without text)
     * returned {@code resultSet} or an OK, {@code FOUND_ROWS()} is what its response shows: a
     * query's rows, or the value before it.
     */
    static boolean shownByResponse(String sql, boolean resultSet) {
        if (sql == null) {
            return !resultSet;
        }
        StatementKind kind = StatementKind.of(sql);
        boolean query = kind == StatementKind.SELECT || kind == StatementKind.SELECT_FOR_UPDATE;
        if (resultSet) {
            return query;
        }
        return switch (kind) {
            case SELECT, SELECT_FOR_UPDATE, EXECUTE, CALL -> false;
            case INSERT, REPLACE, CREATE_TABLE, CREATE_TEMPORARY, CREATE_VIEW, UNKNOWN -> !containsWord(sql, "SELECT");
            default -> true;
        };
    }

    /**
     * True when the result set of the statement {@code sql} leaves {@code FOUND_ROWS()} as it was
     * and sets {@code ROW_COUNT()} to -1, wherever it runs (MariaDB 10.11, checked for each):
     * {@code SHOW WARNINGS} or {@code SHOW ERRORS} alone (not {@code SHOW COUNT(*) ...}), which
     * drivers send after a statement that warned (Connector/J 5.1 after every statement);
     * {@code VALUES}; {@code CHECKSUM TABLE}; {@code ANALYZE}, {@code CHECK}, {@code OPTIMIZE}
     * and {@code REPAIR TABLE}; {@code HELP}; {@code SHOW CREATE ...}, {@code SHOW GRANTS},
     * {@code SHOW [FULL] PROCESSLIST}, {@code SHOW ENGINE ... STATUS}, {@code SHOW MASTER STATUS},
     * {@code SHOW SLAVE STATUS}, {@code SHOW PRIVILEGES} and {@code SHOW PROFILES}. A query
     * (the common case) is told apart by its kind, without a regular expression.
     */
    static boolean leftByResult(String sql) {
        if (sql == null) {
            return false;
        }
        StatementKind kind = StatementKind.of(sql);
        if (kind == StatementKind.SELECT || kind == StatementKind.SELECT_FOR_UPDATE) {
            return false;
        }
        return kind == StatementKind.SHOW && DIAGNOSTICS.matcher(sql).matches() || LEFT_BY_RESULT.matcher(sql).lookingAt();
    }

    /** True when each statement of the text {@code sql} (false for null) leaves the count with an OK ({@link #shownByResponse}). */
    static boolean leftByEach(String sql) {
        if (sql == null) {
            return false;
        }
        for (String each : SqlLexer.splitStatements(sql)) {
            if (!shownByResponse(each, false)) {
                return false;
            }
        }
        return true;
    }

    private static boolean containsWord(String sql, String word) {
        int n = word.length();
        for (int i = 0; i + n <= sql.length(); i++) {
            if (sql.regionMatches(true, i, word, 0, n) && (i == 0 || !wordChar(sql.charAt(i - 1)))
                    && (i + n == sql.length() || !wordChar(sql.charAt(i + n)))) {
                return true;
            }
        }
        return false;
    }

    private static boolean wordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
