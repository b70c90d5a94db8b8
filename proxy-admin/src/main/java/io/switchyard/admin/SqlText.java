package io.switchyard.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Just enough lexing of admin SQL to classify it: statements split at top-level semicolons,
 * and a statement's tokens with comments dropped and quoted text kept whole. Stateless.
 */
final class SqlText {
    private SqlText() {}

    /** A token: a word (keyword or bare identifier), a quoted string or identifier, or one punctuation character. */
    record Token(String text, char quote) {
        /** The word upper-cased, or "" for quoted tokens and punctuation. */
        String keyword() {
            return quote == 0 && !text.isEmpty() && isWordStart(text.charAt(0)) ? text.toUpperCase(Locale.ROOT) : "";
        }

        /** The identifier this token names: unquoted text of a word or a back-quoted/double-quoted name. */
        String identifier() {
            if (quote == '\'') {
                return null;
            }
            return quote != 0 || (!text.isEmpty() && isWordStart(text.charAt(0))) ? text : null;
        }

        boolean is(String punct) {
            return quote == 0 && text.equals(punct);
        }
    }

    /** The statements of {@code sql}, split at semicolons outside quotes and comments, blank ones dropped. */
    static List<String> statements(String sql) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"' || c == '`') {
                i = skipQuoted(sql, i);
            } else if (startsLineComment(sql, i)) {
                i = skipLine(sql, i);
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                i = skipBlock(sql, i);
            } else if (c == ';') {
                add(out, sql.substring(start, i));
                start = ++i;
            } else {
                i++;
            }
        }
        add(out, sql.substring(start));
        return out;
    }

    private static void add(List<String> out, String statement) {
        if (!tokens(statement).isEmpty()) {
            out.add(statement.strip());
        }
    }

    /** The tokens of one statement. */
    static List<Token> tokens(String sql) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '\'' || c == '"' || c == '`') {
                int end = skipQuoted(sql, i);
                String body = sql.substring(i + 1, Math.max(i + 1, end - 1));
                out.add(new Token(unescape(body, c), c));
                i = end;
            } else if (startsLineComment(sql, i)) {
                i = skipLine(sql, i);
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                i = skipBlock(sql, i);
            } else if (isWordStart(c) || Character.isDigit(c)) {
                int start = i;
                while (i < n && (isWordPart(sql.charAt(i)))) {
                    i++;
                }
                out.add(new Token(sql.substring(start, i), (char) 0));
            } else if (c == '@') {
                int start = i;
                i++;
                while (i < n && (isWordPart(sql.charAt(i)) || sql.charAt(i) == '@' || sql.charAt(i) == '.')) {
                    i++;
                }
                out.add(new Token(sql.substring(start, i), (char) 0));
            } else {
                out.add(new Token(String.valueOf(c), (char) 0));
                i++;
            }
        }
        return out;
    }

    /** The upper-cased leading keywords of {@code tokens}, up to {@code n}. */
    static List<String> leadingKeywords(List<Token> tokens, int n) {
        List<String> out = new ArrayList<>();
        for (Token t : tokens) {
            if (out.size() == n || t.keyword().isEmpty()) {
                break;
            }
            out.add(t.keyword());
        }
        return out;
    }

    static boolean isWordStart(char c) {
        return Character.isLetter(c) || c == '_' || c == '$';
    }

    private static boolean isWordPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    private static boolean startsLineComment(String s, int i) {
        char c = s.charAt(i);
        return c == '#' || (c == '-' && i + 1 < s.length() && s.charAt(i + 1) == '-'
                && (i + 2 == s.length() || Character.isWhitespace(s.charAt(i + 2))));
    }

    private static int skipLine(String s, int i) {
        int end = s.indexOf('\n', i);
        return end < 0 ? s.length() : end + 1;
    }

    private static int skipBlock(String s, int i) {
        int end = s.indexOf("*/", i + 2);
        return end < 0 ? s.length() : end + 2;
    }

    /** Index after the quoted run starting at {@code i}; a doubled quote or a backslash escape stays inside. */
    private static int skipQuoted(String s, int i) {
        char q = s.charAt(i);
        int j = i + 1;
        while (j < s.length()) {
            char c = s.charAt(j);
            if (c == '\\' && q != '`' && j + 1 < s.length()) {
                j += 2;
            } else if (c == q) {
                if (j + 1 < s.length() && s.charAt(j + 1) == q) {
                    j += 2;
                } else {
                    return j + 1;
                }
            } else {
                j++;
            }
        }
        return s.length();
    }

    private static String unescape(String body, char q) {
        return body.replace(String.valueOf(q) + q, String.valueOf(q));
    }

    /** {@code value} as an SQL string literal. */
    static String literal(String value) {
        return value == null ? "NULL" : "'" + value.replace("'", "''") + "'";
    }
}
