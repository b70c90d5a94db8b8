package io.switchyard.backend;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Turns a system variable's value, as the server reports or returns it, into the SQL literal that
 * sets it again: numbers bare (numeric variables refuse quoted strings), SQL NULL as {@code NULL},
 * everything else as a string. A string with a quote, a backslash or a byte outside printable
 * ASCII is written as a hexadecimal literal, which reads the same whatever {@code sql_mode}
 * ({@code NO_BACKSLASH_ESCAPES}, {@code ANSI_QUOTES}) the connection has.
 *
 * <p>Stateless and thread-safe.
 */
public final class SqlLiteral {
    private static final Pattern NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?");
    private static final Pattern PLAIN = Pattern.compile("[ -&(-\\[\\]-~]*");

    private SqlLiteral() {
    }

    /** The literal for {@code value}; {@code null} means SQL NULL. */
    public static String of(String value) {
        if (value == null) {
            return "NULL";
        }
        if (NUMBER.matcher(value).matches()) {
            return value;
        }
        if (PLAIN.matcher(value).matches()) {
            return "'" + value + "'";
        }
        return "X'" + HexFormat.of().formatHex(value.getBytes(StandardCharsets.UTF_8)) + "'";
    }

    /**
     * The name a literal of {@link #of} holds (a character set or collation name): quotes taken
     * off, in lower case; null for {@code NULL}, {@code DEFAULT} and null.
     */
    public static String name(String literal) {
        if (literal == null || literal.equals("NULL") || literal.equals("DEFAULT")) {
            return null;
        }
        String bare = literal.startsWith("'") && literal.endsWith("'") && literal.length() >= 2
                ? literal.substring(1, literal.length() - 1) : literal;
        return bare.toLowerCase(java.util.Locale.ROOT);
    }
}
