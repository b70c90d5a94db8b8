package io.switchyard.frontend.state;

import java.util.List;

/**
 * Whether a statement uses a table, which decides whether it clears the warnings and errors the
 * statement before it left ({@link SessionStateTracker}).
 *
 * <p>Stateless and thread-safe.
 */
public final class TableUse {
    private TableUse() {
    }

    /**
     * True when {@code sql} certainly reads or writes a table (a derived table or a common table
     * expression counts): the server then clears the warnings and errors an earlier statement left,
     * which a statement that uses no table keeps ({@code SELECT 1}, {@code SET @a = 1},
     * {@code DO 1} leave {@code SHOW WARNINGS} showing the last ones). A write names its table; a
     * query uses one when one of its {@code FROM}s, at its own level or in a subquery, is followed
     * by anything but {@code DUAL}. A {@code FROM} inside a function's parentheses
     * ({@code EXTRACT(YEAR FROM d)}) and any other statement do not count, so that the answer
     * errs towards keeping the warnings reachable.
     */
    public static boolean usesTables(String sql) {
        List<SqlToken> t = SqlLexer.tokenize(sql);
        java.util.ArrayDeque<Boolean> inQuery = new java.util.ArrayDeque<>();
        int statementStart = 0;
        for (int i = 0; i < t.size(); i++) {
            SqlToken token = t.get(i);
            if (i == statementStart) {
                String verb = StatementClassifier.word(t, i);
                if (StatementClassifier.WRITES.contains(verb)) {
                    return true;
                }
                inQuery.clear();
                inQuery.push(verb.equals("SELECT") || verb.equals("WITH") || token.isSymbol("("));
            }
            if (token.isSymbol(";")) {
                statementStart = i + 1;
            } else if (token.isSymbol("(")) {
                String next = StatementClassifier.word(t, i + 1);
                inQuery.push(next.equals("SELECT") || next.equals("WITH"));
            } else if (token.isSymbol(")")) {
                if (inQuery.size() > 1) {
                    inQuery.pop();
                }
            } else if (token.isWord("FROM") && Boolean.TRUE.equals(inQuery.peek()) && i + 1 < t.size()) {
                SqlToken after = t.get(i + 1);
                if (after.isSymbol("(") || after.kind() == SqlToken.Kind.QUOTED_IDENTIFIER
                        || (after.kind() == SqlToken.Kind.WORD && !after.isWord("DUAL"))) {
                    return true;
                }
            }
        }
        return false;
    }
}
