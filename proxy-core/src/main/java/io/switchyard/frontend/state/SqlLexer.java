package io.switchyard.frontend.state;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits statement text into {@link SqlToken}s, the way the server's lexer would, without
 * understanding the grammar: comments ({@code /* *}{@code /}, {@code -- }, {@code #}) are
 * skipped, the body of MySQL executable comments ({@code /*!40101 ... *}{@code /}) is read as
 * ordinary text, strings keep backslash escapes and doubled quotes, and {@code `identifiers`}
 * are one token.
 *
 * <p>Stateless and thread-safe.
 */
public final class SqlLexer {

    private SqlLexer() {
    }

    /** Tokenises one statement (or several; {@code ;} is an ordinary {@link SqlToken.Kind#SYMBOL}). */
    public static List<SqlToken> tokenize(String sql) {
        List<SqlToken> tokens = new ArrayList<>();
        int n = sql.length();
        int i = 0;
        boolean inExecutableComment = false;
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                if (i + 2 < n && (sql.charAt(i + 2) == '!' || sql.startsWith("M!", i + 2))) {
                    i += sql.charAt(i + 2) == '!' ? 3 : 4;
                    while (i < n && Character.isDigit(sql.charAt(i))) {
                        i++;
                    }
                    inExecutableComment = true;
                } else {
                    int close = sql.indexOf("*/", i + 2);
                    i = close < 0 ? n : close + 2;
                }
            } else if (c == '*' && inExecutableComment && i + 1 < n && sql.charAt(i + 1) == '/') {
                inExecutableComment = false;
                i += 2;
            } else if (c == '#' || (c == '-' && sql.startsWith("--", i)
                    && (i + 2 >= n || Character.isWhitespace(sql.charAt(i + 2))))) {
                int eol = sql.indexOf('\n', i);
                i = eol < 0 ? n : eol + 1;
            } else if (c == '\'' || c == '"') {
                i = quoted(sql, i, c, SqlToken.Kind.STRING, tokens);
            } else if (c == '`') {
                i = quoted(sql, i, c, SqlToken.Kind.QUOTED_IDENTIFIER, tokens);
            } else if (c == '@') {
                i = variable(sql, i, tokens);
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(sql.charAt(i + 1)))) {
                int end = i + 1;
                while (end < n && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '.')) {
                    end++;
                }
                tokens.add(new SqlToken(SqlToken.Kind.NUMBER, sql.substring(i, end), i, end));
                i = end;
            } else if (isWordChar(c)) {
                int end = wordEnd(sql, i);
                tokens.add(new SqlToken(SqlToken.Kind.WORD, sql.substring(i, end), i, end));
                i = end;
            } else if (c == ':' && i + 1 < n && sql.charAt(i + 1) == '=') {
                tokens.add(new SqlToken(SqlToken.Kind.SYMBOL, ":=", i, i + 2));
                i += 2;
            } else {
                tokens.add(new SqlToken(SqlToken.Kind.SYMBOL, String.valueOf(c), i, i + 1));
                i++;
            }
        }
        return tokens;
    }

    /**
     * Splits multi-statement text on top-level {@code ;} (not inside strings, identifiers or
     * comments) and returns the non-empty statements, trimmed.
     */
    public static List<String> splitStatements(String sql) {
        List<String> statements = new ArrayList<>();
        int from = 0;
        for (SqlToken token : tokenize(sql)) {
            if (token.isSymbol(";")) {
                addTrimmed(statements, sql.substring(from, token.start()));
                from = token.end();
            }
        }
        addTrimmed(statements, sql.substring(from));
        return statements;
    }

    private static void addTrimmed(List<String> statements, String statement) {
        String trimmed = statement.strip();
        if (!trimmed.isEmpty() && !tokenize(trimmed).isEmpty()) {
            statements.add(trimmed);
        }
    }

    private static int quoted(String sql, int start, char quote, SqlToken.Kind kind, List<SqlToken> out) {
        StringBuilder value = new StringBuilder();
        int i = start + 1;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\\' && kind == SqlToken.Kind.STRING && i + 1 < n) {
                value.append(unescape(sql.charAt(i + 1)));
                i += 2;
            } else if (c == quote && i + 1 < n && sql.charAt(i + 1) == quote) {
                value.append(quote);
                i += 2;
            } else if (c == quote) {
                i++;
                break;
            } else {
                value.append(c);
                i++;
            }
        }
        out.add(new SqlToken(kind, value.toString(), start, i));
        return i;
    }

    private static char unescape(char c) {
        return switch (c) {
            case 'n' -> '\n';
            case 't' -> '\t';
            case 'r' -> '\r';
            case '0' -> '\0';
            case 'b' -> '\b';
            case 'Z' -> '\032';
            default -> c;
        };
    }

    private static int variable(String sql, int start, List<SqlToken> out) {
        int n = sql.length();
        boolean system = start + 1 < n && sql.charAt(start + 1) == '@';
        int i = start + (system ? 2 : 1);
        if (!system && i < n && (sql.charAt(i) == '\'' || sql.charAt(i) == '"' || sql.charAt(i) == '`')) {
            List<SqlToken> name = new ArrayList<>(1);
            int end = quoted(sql, i, sql.charAt(i), SqlToken.Kind.QUOTED_IDENTIFIER, name);
            out.add(new SqlToken(SqlToken.Kind.USER_VARIABLE, name.get(0).text(), start, end));
            return end;
        }
        int end = i;
        while (end < n && (isWordChar(sql.charAt(end)) || sql.charAt(end) == '.')) {
            end++;
        }
        out.add(new SqlToken(system ? SqlToken.Kind.SYSTEM_VARIABLE : SqlToken.Kind.USER_VARIABLE,
                sql.substring(i, end), start, end));
        return end;
    }

    private static int wordEnd(String sql, int start) {
        int end = start;
        while (end < sql.length() && isWordChar(sql.charAt(end))) {
            end++;
        }
        return end;
    }

    static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c > 127;
    }
}
