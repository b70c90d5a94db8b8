package io.switchyard.frontend.state;

import java.util.Locale;

/**
 * One lexical token of a client statement, with its position in the statement text so that a
 * caller can cut the exact source of an expression out of it.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param kind what sort of token this is
 * @param text the token's value: a word or symbol as written, a string without its quotes and
 *     with escapes resolved, a variable name without its {@code @} / {@code @@} prefix
 * @param start offset of the token's first character in the statement text
 * @param end offset just past the token's last character
 */
public record SqlToken(Kind kind, String text, int start, int end) {

    /** The token kinds the lexer tells apart. */
    public enum Kind {
        /** An unquoted identifier or keyword. */
        WORD,
        /** A {@code `backquoted`} identifier. */
        QUOTED_IDENTIFIER,
        /** A {@code 'single'} or {@code "double"} quoted string. */
        STRING,
        /** A numeric literal (decimal, hexadecimal or with an exponent). */
        NUMBER,
        /** A user variable, {@code @name}; {@link #text} holds the name. */
        USER_VARIABLE,
        /** A system variable, {@code @@[scope.]name}; {@link #text} holds {@code scope.name}. */
        SYSTEM_VARIABLE,
        /** Punctuation or an operator; {@code :=} is one token. */
        SYMBOL
    }

    /** Whether this is a word equal to {@code keyword}, ignoring case. */
    public boolean isWord(String keyword) {
        return kind == Kind.WORD && text.equalsIgnoreCase(keyword);
    }

    /** Whether this is the symbol {@code symbol}. */
    public boolean isSymbol(String symbol) {
        return kind == Kind.SYMBOL && text.equals(symbol);
    }

    /** Identifier text lower-cased, for words and backquoted identifiers. */
    public String identifier() {
        return text.toLowerCase(Locale.ROOT);
    }
}
