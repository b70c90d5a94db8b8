package io.switchyard.frontend.state;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Follows one client session's statements (the text of each {@code COM_QUERY}) and keeps its
 * {@link SessionState} and the reasons its state cannot move to another backend connection.
 *
 * <p>Rules, applied to each statement of multi-statement text in order:
 * <ul>
 *   <li>{@code SET}: see {@link SetStatementReader}; unreadable {@code SET}s are kept verbatim
 *       and replayed instead of pinning the session.</li>
 *   <li>{@code USE db}: changes the schema.</li>
 *   <li>User variables: assigned from an expression ({@code SET @v = NOW()},
 *       {@code SELECT @v := 1}, {@code SELECT 1 INTO @v}) or read without a known literal value
 *       pin the session ({@link PinReason#USER_VARIABLE}) until reassigned from a literal or
 *       reset. Reading a variable the tracker holds as a literal does not pin: it is restored.</li>
 *   <li>{@code CREATE TEMPORARY TABLE}: pins until every such table is dropped
 *       ({@code DROP [TEMPORARY] TABLE}); names are compared case-insensitively, unqualified
 *       names against the current schema.</li>
 *   <li>{@code LOCK TABLES}, {@code FLUSH TABLES ... WITH READ LOCK}: pin until
 *       {@code UNLOCK TABLES}.</li>
 *   <li>{@code GET_LOCK(}: each call counts one; {@code RELEASE_LOCK(} counts one down,
 *       {@code RELEASE_ALL_LOCKS(} to zero; pinned while above zero.</li>
 *   <li>{@code PREPARE name}: pins until {@code DEALLOCATE|DROP PREPARE name}.</li>
 *   <li>{@code HANDLER t OPEN [AS a]}: pins until {@code HANDLER a CLOSE}.</li>
 *   <li>Writes, {@code SQL_CALC_FOUND_ROWS} and {@code SET TRANSACTION} without a scope keep the
 *       connection for the next statement only; see {@link StatementEffect}.</li>
 *   <li>{@code CREATE PROCEDURE|FUNCTION|TRIGGER|EVENT} is one statement with no session effect:
 *       its body is neither split nor tracked.</li>
 *   <li>{@code START TRANSACTION}, {@code BEGIN}, {@code COMMIT} are not tracked here: the
 *       backend's in-transaction status flag decides. {@code SET autocommit} is state.</li>
 * </ul>
 *
 * <p>Not thread-safe: owned by one session and confined to that session's event loop.
 */
public final class SessionStateTracker {

    private static final Set<String> NO_SESSION_EFFECT = Set.of("SELECT", "INSERT", "UPDATE", "DELETE",
            "REPLACE", "WITH", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "START", "BEGIN", "COMMIT", "ROLLBACK",
            "SAVEPOINT", "RELEASE", "CREATE", "DROP", "ALTER", "TRUNCATE", "RENAME", "GRANT", "REVOKE", "ANALYZE",
            "OPTIMIZE", "CHECK", "CHECKSUM", "REPAIR", "LOAD", "DO", "VALUES", "TABLE", "KILL", "FLUSH", "LOCK",
            "UNLOCK", "PREPARE", "EXECUTE", "DEALLOCATE", "USE", "SET", "HELP", "XA", "HANDLER");
    private static final Set<String> WRITES = Set.of("INSERT", "REPLACE", "UPDATE", "DELETE", "LOAD", "CALL");

    private SessionState state;
    private final Set<String> unreplayableUserVariables = new HashSet<>();
    private final Set<String> temporaryTables = new HashSet<>();
    private final Set<String> preparedStatements = new HashSet<>();
    private final Set<String> openHandlers = new HashSet<>();
    private boolean tablesLocked;
    private int advisoryLocks;

    /** Starts tracking a session whose state is {@code initial}. */
    public SessionStateTracker(SessionState initial) {
        this.state = initial;
    }

    /** The current state. */
    public SessionState state() {
        return state;
    }

    /** The reasons multiplexing is currently suspended. */
    public Set<PinReason> pins() {
        Set<PinReason> pins = EnumSet.noneOf(PinReason.class);
        if (!unreplayableUserVariables.isEmpty()) {
            pins.add(PinReason.USER_VARIABLE);
        }
        if (!temporaryTables.isEmpty()) {
            pins.add(PinReason.TEMPORARY_TABLE);
        }
        if (tablesLocked) {
            pins.add(PinReason.TABLE_LOCK);
        }
        if (advisoryLocks > 0) {
            pins.add(PinReason.ADVISORY_LOCK);
        }
        if (!preparedStatements.isEmpty()) {
            pins.add(PinReason.PREPARED_STATEMENT);
        }
        if (!openHandlers.isEmpty()) {
            pins.add(PinReason.HANDLER);
        }
        return pins;
    }

    /** {@code COM_INIT_DB}: the client switched schema. */
    public void onInitDb(String schema) {
        state = state.withSchema(schema);
    }

    /**
     * {@code COM_RESET_CONNECTION} or {@code COM_CHANGE_USER}: the server forgot the session's
     * state, so every pin is lifted and tracking restarts from {@code fresh}.
     */
    public void onReset(SessionState fresh) {
        state = fresh;
        unreplayableUserVariables.clear();
        temporaryTables.clear();
        preparedStatements.clear();
        openHandlers.clear();
        tablesLocked = false;
        advisoryLocks = 0;
    }

    /** Reads the text of a {@code COM_QUERY} (one statement or several) before it is sent. */
    public StatementEffect onStatement(String sql) {
        if (isPlainSelect(sql)) {
            return new StatementEffect(state, true, false, pins(), false, false);
        }
        boolean understood = true;
        boolean verbatim = false;
        boolean keepNext = false;
        boolean readsPrevious = false;
        List<String> statements = definesStoredProgram(SqlLexer.tokenize(sql)) ? List.of() : SqlLexer.splitStatements(sql);
        for (int s = 0; s < statements.size(); s++) {
            String statement = statements.get(s);
            List<SqlToken> tokens = SqlLexer.tokenize(statement);
            String verb = tokens.get(0).kind() == SqlToken.Kind.WORD
                    ? tokens.get(0).text().toUpperCase(Locale.ROOT) : "";
            keepNext = WRITES.contains(verb);
            understood &= NO_SESSION_EFFECT.contains(verb);
            if (verb.equals("SET")) {
                SetStatementReader.Outcome outcome = new SetStatementReader(statement, tokens, state).read();
                state = outcome.state();
                understood &= outcome.understood();
                verbatim |= outcome.verbatim();
                keepNext = outcome.nextTransactionOnly();
                unreplayableUserVariables.addAll(outcome.unreplayableUserVariables());
                unreplayableUserVariables.removeAll(outcome.replayableUserVariables());
            } else {
                userVariableUse(tokens);
            }
            readsPrevious |= s == 0 && callsAny(tokens, "LAST_INSERT_ID", "ROW_COUNT", "FOUND_ROWS");
            keepNext |= tokens.stream().anyMatch(t -> t.isWord("SQL_CALC_FOUND_ROWS"));
            statementSpecific(verb, tokens);
            locks(tokens);
        }
        return new StatementEffect(state, understood, verbatim, pins(), keepNext, readsPrevious);
    }

    /**
     * Anything in a statement that could touch session state, for the fast path: user
     * variables, several statements, comments (which may hide versioned SQL), locks,
     * {@code INTO}, and the functions that read the previous statement's result.
     */
    private static final java.util.regex.Pattern MAY_AFFECT_SESSION = java.util.regex.Pattern.compile(
            "[@;#]|/\\*|--|LOCK|INTO|FOUND_ROWS|LAST_INSERT_ID|ROW_COUNT", java.util.regex.Pattern.CASE_INSENSITIVE);

    /** A single {@code SELECT} with none of {@link #MAY_AFFECT_SESSION}: it has no effect on the session. */
    private static boolean isPlainSelect(String sql) {
        int i = 0;
        while (i < sql.length() && Character.isWhitespace(sql.charAt(i))) {
            i++;
        }
        return sql.regionMatches(true, i, "SELECT", 0, 6) && sql.length() > i + 6
                && Character.isWhitespace(sql.charAt(i + 6)) && !MAY_AFFECT_SESSION.matcher(sql).find();
    }

    private void statementSpecific(String verb, List<SqlToken> tokens) {
        switch (verb) {
            case "USE" -> {
                if (tokens.size() > 1) {
                    state = state.withSchema(tokens.get(1).text());
                }
            }
            case "CREATE" -> {
                if (at(tokens, 1, "TEMPORARY") && at(tokens, 2, "TABLE")) {
                    int i = at(tokens, 3, "IF") ? 6 : 3;
                    TableNames.read(tokens, i, state.schema(), temporaryTables::add);
                }
            }
            case "DROP" -> {
                if (at(tokens, 1, "TEMPORARY") || at(tokens, 1, "TABLE")) {
                    int i = at(tokens, 1, "TEMPORARY") ? 3 : 2;
                    i = at(tokens, i, "IF") ? i + 2 : i;
                    TableNames.readList(tokens, i, state.schema(), temporaryTables::remove);
                } else if (at(tokens, 1, "PREPARE") && tokens.size() > 2) {
                    preparedStatements.remove(tokens.get(2).identifier());
                }
            }
            case "DEALLOCATE" -> {
                if (at(tokens, 1, "PREPARE") && tokens.size() > 2) {
                    preparedStatements.remove(tokens.get(2).identifier());
                }
            }
            case "PREPARE" -> {
                if (tokens.size() > 1) {
                    preparedStatements.add(tokens.get(1).identifier());
                }
            }
            case "HANDLER" -> handler(tokens);
            case "LOCK" -> tablesLocked |= at(tokens, 1, "TABLES") || at(tokens, 1, "TABLE");
            case "UNLOCK" -> tablesLocked &= !(at(tokens, 1, "TABLES") || at(tokens, 1, "TABLE"));
            case "FLUSH" -> tablesLocked |= tokens.stream().anyMatch(t -> t.isWord("LOCK"))
                    && tokens.stream().anyMatch(t -> t.isWord("READ"));
            default -> { }
        }
    }

    /** {@code HANDLER [schema.]t OPEN [[AS] alias]}, {@code HANDLER name CLOSE}. */
    private void handler(List<SqlToken> tokens) {
        if (tokens.size() < 3) {
            return;
        }
        int i = tokens.size() > 2 && tokens.get(2).isSymbol(".") ? 4 : 2;
        String name = tokens.get(i - 1).identifier();
        if (at(tokens, i, "OPEN")) {
            int alias = at(tokens, i + 1, "AS") ? i + 2 : i + 1;
            openHandlers.add(alias < tokens.size() ? tokens.get(alias).identifier() : name);
        } else if (at(tokens, i, "CLOSE")) {
            openHandlers.remove(name);
        }
    }

    private void locks(List<SqlToken> tokens) {
        for (int i = 0; i + 1 < tokens.size(); i++) {
            if (!tokens.get(i + 1).isSymbol("(")) {
                continue;
            }
            SqlToken t = tokens.get(i);
            if (t.isWord("GET_LOCK")) {
                advisoryLocks++;
            } else if (t.isWord("RELEASE_LOCK")) {
                advisoryLocks = Math.max(0, advisoryLocks - 1);
            } else if (t.isWord("RELEASE_ALL_LOCKS")) {
                advisoryLocks = 0;
            }
        }
    }

    /** Outside {@code SET}: {@code :=}, {@code INTO @v} and reads of unknown variables pin. */
    private void userVariableUse(List<SqlToken> tokens) {
        for (int i = 0; i < tokens.size(); i++) {
            SqlToken t = tokens.get(i);
            if (t.kind() != SqlToken.Kind.USER_VARIABLE) {
                continue;
            }
            boolean assigned = (i + 1 < tokens.size() && tokens.get(i + 1).isSymbol(":="))
                    || intoList(tokens, i);
            if (assigned) {
                state = state.withUserVariable(t.text(), null);
            }
            if (assigned || !state.userVariables().containsKey(t.text())) {
                unreplayableUserVariables.add(t.text());
            }
        }
    }

    /** Whether the variable at {@code i} is in an {@code INTO @a, @b} list. */
    private static boolean intoList(List<SqlToken> tokens, int i) {
        int j = i - 1;
        while (j > 0 && tokens.get(j).isSymbol(",") && tokens.get(j - 1).kind() == SqlToken.Kind.USER_VARIABLE) {
            j -= 2;
        }
        return j >= 0 && tokens.get(j).isWord("INTO");
    }

    private static boolean callsAny(List<SqlToken> tokens, String... functions) {
        for (int i = 0; i + 1 < tokens.size(); i++) {
            if (tokens.get(i + 1).isSymbol("(")) {
                for (String f : functions) {
                    if (tokens.get(i).isWord(f)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * {@code CREATE [DEFINER = ...] PROCEDURE|FUNCTION|TRIGGER|EVENT}: its body's {@code ;} do not
     * separate statements and nothing in it runs now, so it has no session effect.
     */
    private static boolean definesStoredProgram(List<SqlToken> tokens) {
        if (tokens.isEmpty() || !tokens.get(0).isWord("CREATE")) {
            return false;
        }
        for (int i = 1; i < Math.min(tokens.size(), 12); i++) {
            SqlToken t = tokens.get(i);
            if (t.isWord("PROCEDURE") || t.isWord("FUNCTION") || t.isWord("TRIGGER") || t.isWord("EVENT")) {
                return true;
            }
            if (t.isWord("TABLE") || t.isWord("VIEW") || t.isSymbol("(")) {
                return false;
            }
        }
        return false;
    }

    private static boolean at(List<SqlToken> tokens, int i, String word) {
        return i < tokens.size() && tokens.get(i).isWord(word);
    }
}
