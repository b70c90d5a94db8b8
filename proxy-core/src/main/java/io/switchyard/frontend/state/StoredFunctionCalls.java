package io.switchyard.frontend.state;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Finds where a statement may call a stored function (or a loadable one): a name followed by
 * {@code (} that is not one of the server's native functions or a word its grammar reads there
 * ({@code not-stored-functions.txt}, measured on MariaDB 10.11), or any name qualified by a
 * database ({@code db.f(}), which no native function is. The body of such a function may take an
 * advisory lock ({@code GET_LOCK}) or a sequence's next value, which the server does not report:
 * the proxy reads the body ({@link #mayLeaveUnreportedState}) and pins the session when it may,
 * or when it cannot be read ({@link PinReason#STORED_FUNCTION}).
 *
 * <p>A name before {@code (} is not a call where it is a table's with its column list
 * ({@code INSERT INTO t (a, b)}, {@code LOAD DATA ... INTO TABLE t (a)}), a common table
 * expression's ({@code WITH c (a) AS (...)}), a derived table's ({@code AS d (a)}) or a type's
 * ({@code CAST(x AS DATETIME(6))}). A name the list lacks counts as a call: a doubt costs a
 * pin, not a wrong answer.
 *
 * <p>Stateless and thread-safe.
 */
public final class StoredFunctionCalls {
    /** Words after which a name followed by {@code (} names a table, a common table expression or a derived table. */
    private static final Set<String> NOT_A_CALL_AFTER = Set.of("INTO", "INSERT", "REPLACE", "IGNORE", "TABLE", "LOW_PRIORITY",
            "DELAYED", "HIGH_PRIORITY", "AS", "WITH", "RECURSIVE");
    private static final Set<String> NOT_STORED = load("not-stored-functions.txt");
    /** Statements whose expressions run when they do (not a definition's, not a plan's). */
    private static final Set<String> EVALUATES = Set.of("SELECT", "WITH", "VALUES", "DO", "SET", "INSERT", "REPLACE",
            "UPDATE", "DELETE", "LOAD");

    /**
     * A call of function {@code name} (lower case), of database {@code schema} when the call names
     * one (else null: the database the statement runs in).
     */
    public record Call(String schema, String name) {
    }

    private StoredFunctionCalls() {
    }

    /**
     * Adds to {@code calls} the stored functions the tokens {@code [from, to)} of one statement
     * may call, when its {@code verb} (upper case) is of a statement that evaluates expressions.
     */
    static void collect(String verb, List<SqlToken> t, int from, int to, List<Call> calls) {
        if (EVALUATES.contains(verb)) {
            collect(t, from, to, calls);
        }
    }

    private static void collect(List<SqlToken> t, int from, int to, List<Call> calls) {
        for (int i = from; i + 1 < to; i++) {
            SqlToken name = t.get(i);
            if (!isIdentifier(name) || !t.get(i + 1).isSymbol("(")) {
                continue;
            }
            boolean qualified = i - 2 >= from && t.get(i - 1).isSymbol(".") && isIdentifier(t.get(i - 2));
            if (!qualified && name.kind() == SqlToken.Kind.WORD && NOT_STORED.contains(name.text().toUpperCase(Locale.ROOT))) {
                continue;
            }
            int start = qualified ? i - 2 : i;
            boolean afterTableWord = start > from && t.get(start - 1).kind() == SqlToken.Kind.WORD
                    && NOT_A_CALL_AFTER.contains(t.get(start - 1).text().toUpperCase(Locale.ROOT));
            if (!afterTableWord && !columnListOfCommonTableExpression(t, i + 1, to)) {
                Call call = new Call(qualified ? t.get(i - 2).text() : null, name.text().toLowerCase(Locale.ROOT));
                if (!calls.contains(call)) {
                    calls.add(call);
                }
            }
        }
    }

    /**
     * True when a stored function's body (its {@code ROUTINE_DEFINITION}) may leave session
     * state the server does not report: it takes an advisory lock, takes or reads a sequence's
     * value, calls a procedure, runs dynamic SQL, or calls another stored function (whose body
     * is not read: a doubt).
     */
    public static boolean mayLeaveUnreportedState(String body) {
        List<SqlToken> t = SqlLexer.tokenize(body);
        for (int i = 0; i < t.size(); i++) {
            SqlToken token = t.get(i);
            if (token.kind() != SqlToken.Kind.WORD) {
                continue;
            }
            String w = token.text().toUpperCase(Locale.ROOT);
            boolean call = i + 1 < t.size() && t.get(i + 1).isSymbol("(");
            if (w.equals("CALL") || w.equals("EXECUTE") || w.equals("PREPARE") || (call && w.equals("GET_LOCK"))
                    || SequenceUse.takes(t, i, t.size()) || SequenceUse.reads(t, i, t.size())) {
                return true;
            }
        }
        List<Call> nested = new java.util.ArrayList<>();
        collect(t, 0, t.size(), nested);
        return !nested.isEmpty();
    }

    /**
     * True when the name before {@code (} at {@code sql}'s index {@code paren} may be a stored
     * function's: an unquoted name outside {@code not-stored-functions.txt}, a {@code `quoted`}
     * one or one qualified by a database. For a fast look at a text not yet split into tokens
     * (which may be inside a string or a comment there: the answer may be a doubt, never a miss).
     */
    static boolean mayBeStoredBefore(String sql, int paren) {
        int end = paren;
        while (end > 0 && Character.isWhitespace(sql.charAt(end - 1))) {
            end--;
        }
        int start = end;
        while (start > 0 && SqlLexer.isWordChar(sql.charAt(start - 1))) {
            start--;
        }
        if (start == end) {
            return end > 0 && sql.charAt(end - 1) == '`';
        }
        if (start > 0 && (sql.charAt(start - 1) == '.' || sql.charAt(start - 1) == '`')) {
            return true;
        }
        return !NOT_STORED.contains(sql.substring(start, end).toUpperCase(Locale.ROOT));
    }

    private static boolean isIdentifier(SqlToken token) {
        return token.kind() == SqlToken.Kind.WORD || token.kind() == SqlToken.Kind.QUOTED_IDENTIFIER;
    }

    /** True when the parentheses opening at {@code open} close before {@code AS (}: a column list. */
    private static boolean columnListOfCommonTableExpression(List<SqlToken> t, int open, int to) {
        int depth = 0;
        for (int i = open; i < to; i++) {
            if (t.get(i).isSymbol("(")) {
                depth++;
            } else if (t.get(i).isSymbol(")") && --depth == 0) {
                return i + 2 < to && t.get(i + 1).isWord("AS") && t.get(i + 2).isSymbol("(");
            }
        }
        return false;
    }

    private static Set<String> load(String resource) {
        Set<String> names = new HashSet<>();
        try (InputStream in = StoredFunctionCalls.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String name = line.strip();
                if (!name.isEmpty() && !name.startsWith("#")) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Set.copyOf(names);
    }
}
