package io.switchyard.frontend.state;

import io.switchyard.frontend.state.SessionState.Charset;
import io.switchyard.frontend.state.SessionState.VerbatimSet;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Applies one {@code SET} statement to a {@link SessionState}. Each assignment of a
 * comma-separated list is read on its own: session variables assigned a literal (number, quoted
 * string, bare word such as {@code ON} or {@code DEFAULT}) become typed state; session
 * variables assigned an expression become a verbatim {@code SET SESSION name = expr}; user
 * variables assigned an expression become unreplayable. {@code GLOBAL}/{@code PERSIST}
 * assignments and {@code SET PASSWORD} change no session state. A scope keyword applies to the
 * assignments after it until the next one, as in MySQL.
 *
 * <p>Not thread-safe: create one per statement.
 */
final class SetStatementReader {

    /** What a {@code SET} did. */
    record Outcome(SessionState state, boolean understood, boolean verbatim, Set<String> unreplayableUserVariables,
            Set<String> replayableUserVariables, boolean nextTransactionOnly) {
    }

    private static final Set<String> ISOLATION_LEVELS =
            Set.of("READ UNCOMMITTED", "READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE");
    /** Bare words that are constants as a user variable's value; others ({@code CURRENT_USER}) are not. */
    private static final Set<String> USER_VARIABLE_WORDS = Set.of("NULL", "TRUE", "FALSE");
    private static final Set<String> CHARSET_VARIABLES =
            Set.of("character_set_client", "character_set_results", "character_set_connection", "collation_connection");

    private final String sql;
    private final List<SqlToken> tokens;
    private final SessionState original;
    private SessionState state;
    private boolean understood = true;
    private boolean verbatim;
    private boolean nextTransactionOnly;
    private final Set<String> unreplayable = new LinkedHashSet<>();
    private final Set<String> replayable = new LinkedHashSet<>();

    SetStatementReader(String sql, List<SqlToken> tokens, SessionState state) {
        this.sql = sql;
        this.tokens = tokens;
        this.original = state;
        this.state = state;
    }

    /** Reads the statement; {@code tokens.get(0)} is the {@code SET} keyword. */
    Outcome read() {
        SqlToken second = tokens.size() > 1 ? tokens.get(1) : null;
        if (second != null && (second.isWord("PASSWORD") || second.isWord("STATEMENT"))) {
            return outcome();
        }
        if (second != null && second.isWord("TRANSACTION")) {
            nextTransactionOnly = true;
            return outcome();
        }
        boolean session = true;
        for (List<SqlToken> assignment : splitAssignments()) {
            int i = 0;
            SqlToken first = assignment.get(0);
            if (first.isWord("GLOBAL") || first.isWord("PERSIST") || first.isWord("PERSIST_ONLY")) {
                session = false;
                i++;
            } else if (first.isWord("SESSION") || first.isWord("LOCAL")) {
                session = true;
                i++;
            }
            if (!assign(assignment.subList(i, assignment.size()), session)) {
                return wholeStatementVerbatim();
            }
        }
        return outcome();
    }

    private boolean assign(List<SqlToken> a, boolean sessionScope) {
        if (a.isEmpty()) {
            return false;
        }
        SqlToken target = a.get(0);
        if (target.isWord("TRANSACTION")) {
            return sessionScope ? transactionCharacteristics(a.subList(1, a.size())) : true;
        }
        if (target.isWord("NAMES")) {
            return names(a.subList(1, a.size()));
        }
        if (target.isWord("CHARSET") || (target.isWord("CHARACTER") && a.size() > 1 && a.get(1).isWord("SET"))) {
            int at = target.isWord("CHARSET") ? 1 : 2;
            if (a.size() != at + 1 || !isLiteral(a.subList(at, a.size()))) {
                return false;
            }
            state = withoutCharsetVariables().withCharset(new Charset(false, charsetName(a.get(at)), null));
            return true;
        }
        if (a.size() < 3 || !(a.get(1).isSymbol("=") || a.get(1).isSymbol(":="))) {
            return false;
        }
        List<SqlToken> value = a.subList(2, a.size());
        String valueText = sql.substring(value.get(0).start(), value.get(value.size() - 1).end());
        noteUserVariableReads(value);
        if (target.kind() == SqlToken.Kind.USER_VARIABLE) {
            userVariable(target.text(), value, valueText);
            return true;
        }
        String name;
        if (target.kind() == SqlToken.Kind.SYSTEM_VARIABLE) {
            String[] parts = target.text().toLowerCase(Locale.ROOT).split("\\.", 2);
            if (parts.length == 2) {
                sessionScope = !parts[0].equals("global") && !parts[0].equals("persist")
                        && !parts[0].equals("persist_only");
            }
            name = parts[parts.length - 1];
        } else if (target.kind() == SqlToken.Kind.WORD || target.kind() == SqlToken.Kind.QUOTED_IDENTIFIER) {
            name = target.identifier();
        } else {
            return false;
        }
        if (sessionScope) {
            systemVariable(name, value, valueText);
        }
        return true;
    }

    private void userVariable(String name, List<SqlToken> value, String valueText) {
        boolean bareWord = value.size() == 1 && value.get(0).kind() == SqlToken.Kind.WORD;
        if (isLiteral(value) && (!bareWord || USER_VARIABLE_WORDS.contains(value.get(0).text().toUpperCase(Locale.ROOT)))) {
            state = state.withUserVariable(name, valueText);
            replayable.add(name);
            unreplayable.remove(name);
        } else {
            state = state.withUserVariable(name, null);
            unreplayable.add(name);
            replayable.remove(name);
        }
    }

    private void systemVariable(String name, List<SqlToken> value, String valueText) {
        if (!isLiteral(value) || !typed(name, value.get(value.size() - 1), valueText)) {
            state = state.withVerbatimSet(new VerbatimSet(name, "SET SESSION " + name + " = " + valueText));
            verbatim = true;
            understood = false;
            return;
        }
        state = state.withoutVerbatimSetsOf(name);
    }

    /** Applies a literal to a known variable; false if the literal makes no sense for it. */
    private boolean typed(String name, SqlToken literal, String text) {
        String word = literal.text().toUpperCase(Locale.ROOT);
        switch (name) {
            case "autocommit" -> {
                Boolean on = switch (word) {
                    case "1", "ON", "TRUE" -> Boolean.TRUE;
                    case "0", "OFF", "FALSE" -> Boolean.FALSE;
                    default -> null;
                };
                if (on == null && !word.equals("DEFAULT")) {
                    return false;
                }
                state = state.withAutocommit(on);
            }
            case "sql_mode" -> state = state.withSqlMode(word.equals("DEFAULT") ? null : text);
            case "time_zone" -> state = state.withTimeZone(word.equals("DEFAULT") ? null : text);
            case "transaction_isolation", "tx_isolation" -> {
                String level = word.replace('-', ' ');
                if (!ISOLATION_LEVELS.contains(level)) {
                    return false;
                }
                state = state.withIsolationLevel(level);
            }
            case "transaction_read_only", "tx_read_only" -> {
                if (!Set.of("0", "1", "ON", "OFF", "TRUE", "FALSE").contains(word)) {
                    return false;
                }
                state = state.withReadOnly(word.equals("1") || word.equals("ON") || word.equals("TRUE"));
            }
            default -> state = state.withVariable(name, text);
        }
        return true;
    }

    private boolean transactionCharacteristics(List<SqlToken> rest) {
        String words = String.join(" ", rest.stream().map(t -> t.text().toUpperCase(Locale.ROOT)).toList());
        for (String characteristic : words.split("\\s*,\\s*")) {
            if (characteristic.startsWith("ISOLATION LEVEL ")
                    && ISOLATION_LEVELS.contains(characteristic.substring("ISOLATION LEVEL ".length()))) {
                state = state.withIsolationLevel(characteristic.substring("ISOLATION LEVEL ".length()));
            } else if (characteristic.equals("READ ONLY") || characteristic.equals("READ WRITE")) {
                state = state.withReadOnly(characteristic.equals("READ ONLY"));
            } else {
                return false;
            }
        }
        return true;
    }

    private boolean names(List<SqlToken> rest) {
        if (rest.size() == 1 && isLiteral(rest)) {
            state = withoutCharsetVariables().withCharset(new Charset(true, charsetName(rest.get(0)), null));
            return true;
        }
        if (rest.size() == 3 && rest.get(1).isWord("COLLATE") && isLiteral(rest.subList(0, 1))
                && isLiteral(rest.subList(2, 3))) {
            state = withoutCharsetVariables()
                    .withCharset(new Charset(true, charsetName(rest.get(0)), charsetName(rest.get(2))));
            return true;
        }
        return false;
    }

    private SessionState withoutCharsetVariables() {
        SessionState s = state;
        for (String v : CHARSET_VARIABLES) {
            s = s.withVariable(v, null).withoutVerbatimSetsOf(v);
        }
        return s;
    }

    private static String charsetName(SqlToken token) {
        return token.text().toLowerCase(Locale.ROOT);
    }

    private void noteUserVariableReads(List<SqlToken> value) {
        for (SqlToken t : value) {
            if (t.kind() == SqlToken.Kind.USER_VARIABLE && !state.userVariables().containsKey(t.text())) {
                unreplayable.add(t.text());
            }
        }
    }

    /** A single literal: number (optionally signed), string, or a bare word not called as a function. */
    static boolean isLiteral(List<SqlToken> value) {
        if (value.size() == 2 && (value.get(0).isSymbol("-") || value.get(0).isSymbol("+"))) {
            return value.get(1).kind() == SqlToken.Kind.NUMBER;
        }
        if (value.size() != 1) {
            return false;
        }
        SqlToken.Kind kind = value.get(0).kind();
        return kind == SqlToken.Kind.NUMBER || kind == SqlToken.Kind.STRING || kind == SqlToken.Kind.WORD;
    }

    private List<List<SqlToken>> splitAssignments() {
        List<List<SqlToken>> parts = new ArrayList<>();
        int depth = 0;
        int from = 1;
        for (int i = 1; i < tokens.size(); i++) {
            SqlToken t = tokens.get(i);
            if (t.isSymbol("(")) {
                depth++;
            } else if (t.isSymbol(")")) {
                depth--;
            } else if (depth == 0 && t.isSymbol(",") && !insideTransactionList(from)) {
                parts.add(tokens.subList(from, i));
                from = i + 1;
            }
        }
        parts.add(tokens.subList(from, tokens.size()));
        return parts.stream().filter(p -> !p.isEmpty()).toList();
    }

    /** {@code SET SESSION TRANSACTION ISOLATION LEVEL x, READ ONLY} keeps its comma. */
    private boolean insideTransactionList(int from) {
        return (tokens.get(from).isWord("TRANSACTION"))
                || (from + 1 < tokens.size() && tokens.get(from + 1).isWord("TRANSACTION"));
    }

    private Outcome wholeStatementVerbatim() {
        return new Outcome(original.withVerbatimSet(new VerbatimSet(null, sql)), false, true, Set.of(), Set.of(), false);
    }

    private Outcome outcome() {
        return new Outcome(state, understood, verbatim, unreplayable, replayable, nextTransactionOnly);
    }
}
