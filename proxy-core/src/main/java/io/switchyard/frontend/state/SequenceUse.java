package io.switchyard.frontend.state;

import java.util.List;

/**
 * Where a statement's tokens take a sequence's next value or read its last one. MariaDB keeps,
 * per connection, the last value each sequence gave it: {@code LASTVAL(s)} and
 * {@code PREVIOUS VALUE FOR s} read it, {@code NEXTVAL(s)} and {@code NEXT VALUE FOR s} set it
 * (so does a column default, a trigger or a view that takes a value; {@code SETVAL} does not). In
 * Oracle mode ({@code sql_mode=ORACLE}) {@code s.nextval} and {@code s.currval} say the same.
 *
 * <p>Stateless; thread-safe.
 */
final class SequenceUse {
    private SequenceUse() {
    }

    /** True when the word at {@code i} takes a sequence's next value. */
    static boolean takes(List<SqlToken> t, int i, int to) {
        SqlToken w = t.get(i);
        return (w.isWord("NEXTVAL") && (opensCall(t, i, to) || afterDot(t, i)))
                || (w.isWord("NEXT") && valueFor(t, i, to));
    }

    /** True when the word at {@code i} reads a sequence's last value. */
    static boolean reads(List<SqlToken> t, int i, int to) {
        SqlToken w = t.get(i);
        return (w.isWord("LASTVAL") && opensCall(t, i, to))
                || (w.isWord("CURRVAL") && afterDot(t, i))
                || (w.isWord("PREVIOUS") && valueFor(t, i, to));
    }

    private static boolean opensCall(List<SqlToken> t, int i, int to) {
        return i + 1 < to && t.get(i + 1).isSymbol("(");
    }

    private static boolean afterDot(List<SqlToken> t, int i) {
        return i > 0 && t.get(i - 1).isSymbol(".");
    }

    private static boolean valueFor(List<SqlToken> t, int i, int to) {
        return i + 2 < to && t.get(i + 1).isWord("VALUE") && t.get(i + 2).isWord("FOR");
    }
}
