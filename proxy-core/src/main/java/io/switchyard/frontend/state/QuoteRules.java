package io.switchyard.frontend.state;

/**
 * How the server reads quotes under a session's {@code sql_mode}: with
 * {@code NO_BACKSLASH_ESCAPES} a backslash in a string is an ordinary character (so
 * {@code 'C:\'} is a whole string), with {@code ANSI_QUOTES} {@code "…"} is an identifier, in
 * which a backslash never escapes, and with {@code MSSQL} so is {@code […]}. The proxy's readers
 * of statement text ({@link SqlLexer} and everything built on it) read the default rules; {@link #standardText} rewrites a text so that
 * they find the strings, identifiers, comments and words between them where the server finds
 * them under these rules. Read with the default rules instead, {@code SELECT 'C:\', @v := 1}
 * would hide its user variable inside a string that never ends.
 *
 * <p>Immutable; thread-safe.
 *
 * @param noBackslashEscapes {@code sql_mode} has {@code NO_BACKSLASH_ESCAPES}
 * @param ansiQuotes {@code sql_mode} has {@code ANSI_QUOTES} (also part of {@code ANSI}, {@code ORACLE} and {@code MSSQL})
 * @param brackets {@code sql_mode} has {@code MSSQL}: {@code [a'b]} is a name, {@code ]]} in it one {@code ]}
 */
public record QuoteRules(boolean noBackslashEscapes, boolean ansiQuotes, boolean brackets) {
    /** The server's default rules, which {@link SqlLexer} reads. */
    public static final QuoteRules DEFAULT = new QuoteRules(false, false, false);

    /**
     * The rules of a {@code sql_mode} value as the server reports or returns it (a list of mode
     * names; {@code ANSI} and {@code ORACLE} are reported with the modes they stand for), or of
     * its SQL literal.
     */
    public static QuoteRules of(String sqlMode) {
        if (sqlMode == null) {
            return DEFAULT;
        }
        boolean noBackslashEscapes = sqlMode.contains("NO_BACKSLASH_ESCAPES");
        boolean ansiQuotes = sqlMode.contains("ANSI_QUOTES");
        boolean brackets = sqlMode.contains("MSSQL");
        return noBackslashEscapes || ansiQuotes || brackets ? new QuoteRules(noBackslashEscapes, ansiQuotes, brackets) : DEFAULT;
    }

    /** True when some {@code sql_mode} reads {@code sql} otherwise than the default rules: it has a backslash, {@code "} or {@code [}. */
    public static boolean mayReadDifferently(String sql) {
        return sql.indexOf('\\') >= 0 || sql.indexOf('"') >= 0 || sql.indexOf('[') >= 0;
    }

    /**
     * {@code sql} written so that the default rules read the same tokens from it as the server
     * reads from {@code sql} under these: under {@code NO_BACKSLASH_ESCAPES} each backslash in a
     * string is doubled, under {@code ANSI_QUOTES} a {@code "…"} identifier, under {@code MSSQL} a
     * {@code […]} one, becomes a {@code `…`} one. {@code sql} itself when nothing in it reads
     * differently. For reading only: what the server runs is always the client's text.
     */
    public String standardText(String sql) {
        boolean backslashes = noBackslashEscapes && sql.indexOf('\\') >= 0;
        boolean identifiers = (ansiQuotes && sql.indexOf('"') >= 0) || (brackets && sql.indexOf('[') >= 0);
        if (!backslashes && !identifiers) {
            return sql;
        }
        StringBuilder out = new StringBuilder(sql.length() + 16);
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '/' && sql.startsWith("/*", i) && !sql.startsWith("/*!", i) && !sql.startsWith("/*M!", i)) {
                int close = sql.indexOf("*/", i + 2);
                i = copy(sql, i, close < 0 ? n : close + 2, out);
            } else if (c == '#' || (c == '-' && sql.startsWith("--", i)
                    && (i + 2 >= n || Character.isWhitespace(sql.charAt(i + 2))))) {
                int eol = sql.indexOf('\n', i);
                i = copy(sql, i, eol < 0 ? n : eol + 1, out);
            } else if (c == '`') {
                i = copy(sql, i, past(sql, closingQuote(sql, i, '`', false)), out);
            } else if ((c == '"' && ansiQuotes) || (c == '[' && brackets)) {
                char quote = c == '[' ? ']' : c;
                int close = closingQuote(sql, i, quote, false);
                out.append('`');
                for (int j = i + 1; j < close; j++) {
                    char d = sql.charAt(j);
                    if (d == quote) {
                        j++; // the first of a doubled quote
                    }
                    if (d == '`') {
                        out.append('`');
                    }
                    out.append(d);
                }
                out.append('`');
                i = past(sql, close);
            } else if (c == '\'' || c == '"') {
                int end = past(sql, closingQuote(sql, i, c, !noBackslashEscapes));
                for (int j = i; j < end; j++) {
                    char d = sql.charAt(j);
                    if (d == '\\' && noBackslashEscapes) {
                        out.append('\\');
                    }
                    out.append(d);
                }
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static int copy(String sql, int from, int to, StringBuilder out) {
        out.append(sql, from, to);
        return to;
    }

    /** The index after the closing quote at {@code close}, or the text's end when it has none. */
    private static int past(String sql, int close) {
        return Math.min(close + 1, sql.length());
    }

    /**
     * The index of the quote that closes the one at {@code open} (a doubled quote does not close;
     * with {@code escapes} a backslash takes the character after it), or the text's length when
     * none does.
     */
    private static int closingQuote(String sql, int open, char quote, boolean escapes) {
        int n = sql.length();
        int i = open + 1;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\\' && escapes) {
                i += 2;
            } else if (c == quote && i + 1 < n && sql.charAt(i + 1) == quote) {
                i += 2;
            } else if (c == quote) {
                return i;
            } else {
                i++;
            }
        }
        return n;
    }
}
