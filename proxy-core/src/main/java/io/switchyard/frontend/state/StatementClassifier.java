package io.switchyard.frontend.state;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a statement's text (one statement or several) and tells its {@link StatementTraits}.
 * Only what the server does not report is decided here; a statement whose effect cannot be told
 * from its text pins the session rather than being guessed.
 *
 * <p>Rules, per statement:
 * <ul>
 *   <li>a user variable ({@code @v}) anywhere outside strings and comments pins
 *       ({@link PinReason#USER_VARIABLE}): {@code SELECT @v := 1} and {@code SELECT ... INTO @v}
 *       are not reported by the server;</li>
 *   <li>{@code CALL}, compound statements ({@code BEGIN NOT ATOMIC}, {@code FOR}, {@code IF},
 *       {@code WHILE}, {@code LOOP}, {@code REPEAT}, a label) and {@code EXECUTE [IMMEDIATE]} pin
 *       ({@link PinReason#STORED_PROGRAM}); so do {@code GET_LOCK(}, {@code CONNECTION_ID(}, {@code HANDLER},
 *       a sequence's {@code NEXTVAL}, {@code NEXT VALUE FOR}, {@code LASTVAL} and
 *       {@code PREVIOUS VALUE FOR} (and Oracle mode's {@code s.nextval}, {@code s.currval}),
 *       {@code PREPARE}, {@code LOCK TABLES}, {@code FLUSH ... WITH READ LOCK}, {@code XA},
 *       {@code FLUSH STATUS}, {@code SHOW [SESSION] STATUS} and a read of
 *       {@code information_schema.SESSION_STATUS},
 *       {@code CREATE TEMPORARY TABLE};</li>
 *   <li>a call of a stored function in a statement that evaluates expressions is named
 *       ({@link StatementTraits#functions}; {@link StoredFunctionCalls}): the proxy reads its
 *       body before the session may move; in a text of several statements it pins;</li>
 *   <li>a read of a sequence's last value also reads the previous statement's result: an
 *       {@code INSERT} whose column default took a value (unseen in its text) leaves it on the
 *       connection it ran on, where the read then runs;</li>
 *   <li>{@code SET} of system variables is trusted when its values call no function outside a
 *       short list of built-ins; {@code SET NAMES}, {@code SET CHARACTER SET} and any
 *       character-set or collation variable mark a read-back of the character-set variables;
 *       {@code session_track_*} marks a read-back of the variables assigned;
 *       a read of the session-tracking settings ({@code @@session_track_*},
 *       {@code SHOW [SESSION] VARIABLES} that may list them,
 *       {@code information_schema.SESSION_VARIABLES}) runs with the client's own settings on
 *       its connection, and full tracking is turned on again after it;
 *       {@code SET STATEMENT ... FOR} marks its variables temporary and is classified by the
 *       statement after {@code FOR};</li>
 *   <li>{@code CREATE PROCEDURE|FUNCTION|TRIGGER|EVENT} is one statement: its body runs later.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class StatementClassifier {

    static final Set<String> WRITES = Set.of("INSERT", "REPLACE", "UPDATE", "DELETE", "LOAD");
    private static final Set<String> COMPOUND = Set.of("FOR", "IF", "WHILE", "LOOP", "REPEAT", "CASE", "DECLARE");
    private static final Set<String> SAFE_FUNCTIONS = Set.of("CONCAT", "CONCAT_WS", "REPLACE", "IF", "IFNULL",
            "COALESCE", "NULLIF", "LOWER", "UPPER", "LCASE", "UCASE", "TRIM", "LTRIM", "RTRIM", "SUBSTRING", "SUBSTR",
            "LEFT", "RIGHT", "LENGTH", "CHAR_LENGTH", "GREATEST", "LEAST", "CAST", "CONVERT", "FIND_IN_SET",
            "REGEXP_REPLACE", "LPAD", "RPAD", "ABS", "FLOOR", "CEIL", "ROUND");
    private static final Set<String> READS_PREVIOUS_FUNCTIONS = Set.of("ROW_COUNT", "FOUND_ROWS");
    private static final Set<String> READS_PREVIOUS_VARIABLES = Set.of("warning_count", "error_count");
    private StatementClassifier() {
    }

    /** The traits of {@code sql} (a {@code COM_QUERY} text or a prepared statement's text). */
    public static StatementTraits classify(String sql) {
        StatementTraits plain = plainSelect(sql);
        if (plain != null) {
            return plain;
        }
        List<SqlToken> all = SqlLexer.tokenize(sql);
        StatementTraits.Builder b = new StatementTraits.Builder();
        if (all.isEmpty()) {
            return StatementTraits.PLAIN;
        }
        if (definesStoredProgram(all)) {
            return StatementTraits.PLAIN;
        }
        if (isCompound(all, 0)) {
            b.pins.add(PinReason.STORED_PROGRAM);
            b.trustedReports = false;
            scanTokens(all, 0, all.size(), b);
            return b.build();
        }
        int from = 0;
        int statements = 0;
        boolean modeChanged = false;
        boolean charsetChanged = false;
        for (int i = 0; i <= all.size(); i++) {
            if (i == all.size() || all.get(i).isSymbol(";")) {
                if (i > from) {
                    modeChanged |= b.assigned.contains("sql_mode");
                    charsetChanged |= b.assigned.contains("character_set_client") || b.namesCollation != null;
                    statement(all, from, i, b);
                    statements++;
                }
                from = i + 1;
            }
        }
        if ((modeChanged && QuoteRules.mayReadDifferently(sql)) || (charsetChanged && !isAscii(sql))) {
            // A statement after the change is read by the server under rules the text was not read with.
            b.pins.add(PinReason.READING_CHANGED_IN_TEXT);
        }
        if (statements > 1 && !b.functions.isEmpty()) {
            // A USE in the text may change the database its calls are resolved in.
            b.pins.add(PinReason.STORED_FUNCTION);
        }
        if (b.limited && sql.indexOf(';') < 0 && (all.get(0).isWord("SELECT") || all.get(0).isWord("WITH") || all.get(0).isSymbol("("))
                && !LimitClause.joinsResults(sql)) {
            b.limitOffset = LimitClause.offset(sql);
            if (b.limitOffset < 0) {
                b.offsetParameter = LimitClause.offsetParameter(sql, all);
            }
        }
        return b.build();
    }

    /** Every character set a client may have reads ASCII alike. */
    private static boolean isAscii(String sql) {
        for (int i = 0; i < sql.length(); i++) {
            if (sql.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /**
     * The fast path, in one pass over the text: {@link StatementTraits#PLAIN} (or
     * {@link StatementTraits#plainLimited} when a {@code LIMIT}, {@code OFFSET} or {@code FETCH}
     * may be in it) for a single {@code SELECT} that reads and changes nothing else; null when
     * anything in it could make it more than a plain read, and the lexer must look: variables,
     * several statements, comments (which may hide versioned SQL), locks, {@code INTO}, the
     * functions that read or set the previous statement's results, and a name before {@code (}
     * that may be a stored function's. Words are matched anywhere,
     * inside longer words and literals too, so a doubt always goes to the lexer.
     */
    private static StatementTraits plainSelect(String sql) {
        int n = sql.length();
        int i = 0;
        while (i < n && Character.isWhitespace(sql.charAt(i))) {
            i++;
        }
        if (!sql.regionMatches(true, i, "SELECT", 0, 6) || n <= i + 6 || !Character.isWhitespace(sql.charAt(i + 6))) {
            return null;
        }
        boolean limited = false;
        boolean setOperation = false;
        for (int j = i + 7; j < n; j++) {
            switch (sql.charAt(j)) {
                case '@', ';', '#' -> {
                    return null;
                }
                case '/' -> {
                    if (j + 1 < n && sql.charAt(j + 1) == '*') {
                        return null;
                    }
                }
                case '-' -> {
                    if (j + 1 < n && sql.charAt(j + 1) == '-') {
                        return null;
                    }
                }
                case 'L', 'l' -> {
                    if (at(sql, j, "LOCK") || at(sql, j, "LAST_INSERT_ID") || at(sql, j, "LASTVAL")) {
                        return null;
                    }
                    limited |= at(sql, j, "LIMIT");
                }
                case 'I', 'i' -> {
                    if (at(sql, j, "INTO")) {
                        return null;
                    }
                    setOperation |= at(sql, j, "INTERSECT");
                }
                case 'U', 'u' -> setOperation |= at(sql, j, "UNION");
                case 'E', 'e' -> setOperation |= at(sql, j, "EXCEPT");
                case 'F', 'f' -> {
                    if (at(sql, j, "FOUND_ROWS")) {
                        return null;
                    }
                    limited |= at(sql, j, "FETCH");
                }
                case 'R', 'r' -> {
                    if (at(sql, j, "ROW_COUNT")) {
                        return null;
                    }
                }
                case 'C', 'c' -> {
                    if (at(sql, j, "CONNECTION_ID") || at(sql, j, "CURRVAL")) {
                        return null;
                    }
                }
                case 'S', 's' -> {
                    if (at(sql, j, "SESSION_STATUS") || at(sql, j, "SESSION_VARIABLES")) {
                        return null;
                    }
                }
                case 'N', 'n' -> {
                    if (at(sql, j, "NEXT")) {
                        return null;
                    }
                }
                case 'P', 'p' -> {
                    if (at(sql, j, "PREVIOUS")) {
                        return null;
                    }
                }
                case 'O', 'o' -> limited |= at(sql, j, "OFFSET");
                case '(' -> {
                    if (StoredFunctionCalls.mayBeStoredBefore(sql, j)) {
                        return null;
                    }
                }
                default -> { }
            }
        }
        if (!limited) {
            return StatementTraits.PLAIN;
        }
        long offset = setOperation ? -1 : LimitClause.offset(sql);
        // An offset that may be a parameter, or a clause that may belong to a subquery: the lexer
        // finds which.
        return offset < 0 && !setOperation ? null : StatementTraits.plainLimited(offset);
    }

    /** True when {@code word} (upper case) is at {@code index} of {@code sql}, in any case. */
    private static boolean at(String sql, int index, String word) {
        return sql.regionMatches(true, index, word, 0, word.length());
    }

    private static void statement(List<SqlToken> t, int from, int to, StatementTraits.Builder b) {
        int start = from;
        while (start < to && t.get(start).isSymbol("(")) {
            start++;
        }
        if (start >= to) {
            return;
        }
        String verb = word(t, start);
        if (isCompound(t, start)) {
            b.pins.add(PinReason.STORED_PROGRAM);
            b.trustedReports = false;
        }
        switch (verb) {
            case "SET" -> set(t, start + 1, to, b);
            case "CALL", "EXECUTE" -> {
                b.pins.add(PinReason.STORED_PROGRAM);
                b.trustedReports = false;
            }
            case "PREPARE", "DEALLOCATE" -> b.pins.add(PinReason.PREPARED_STATEMENT);
            case "HANDLER" -> b.pins.add(PinReason.HANDLER);
            case "UNINSTALL" -> b.uninstallsPlugin = true;
            case "XA" -> b.pins.add(PinReason.XA_TRANSACTION);
            case "LOCK" -> b.pins.add(PinReason.TABLE_LOCK);
            case "FLUSH" -> {
                if (contains(t, start, to, "LOCK")) {
                    b.pins.add(PinReason.TABLE_LOCK);
                }
                if (contains(t, start, to, "STATUS")) {
                    b.pins.add(PinReason.SESSION_STATUS);
                }
            }
            case "CREATE" -> {
                if (word(t, start + 1).equals("TEMPORARY") || word(t, start + 2).equals("TEMPORARY")) {
                    b.pins.add(PinReason.TEMPORARY_TABLE);
                }
            }
            case "SHOW" -> {
                String what = word(t, start + 1);
                if (what.equals("WARNINGS") || what.equals("ERRORS") || what.equals("COUNT")) {
                    b.readsPrevious = true;
                }
                if (what.equals("STATUS") || ((what.equals("SESSION") || what.equals("LOCAL")) && word(t, start + 2).equals("STATUS"))) {
                    b.pins.add(PinReason.SESSION_STATUS);
                }
                int variables = what.equals("SESSION") || what.equals("LOCAL") ? start + 2 : start + 1;
                if (word(t, variables).equals("VARIABLES") && mayListTracking(t, variables + 1, to)) {
                    b.readsTracking = true;
                }
            }
            case "GET" -> b.readsPrevious |= word(t, start + 1).equals("DIAGNOSTICS")
                    || word(t, start + 2).equals("DIAGNOSTICS");
            default -> { }
        }
        StoredFunctionCalls.collect(verb, t, start, to, b.functions);
        if (WRITES.contains(verb)) {
            b.keepsResult = true;
            // An insert that returns rows ends with an OK that carries no insert id: the
            // LAST_INSERT_ID() it may have set is read from the connection.
            b.setsLastInsertId |= (verb.equals("INSERT") || verb.equals("REPLACE")) && contains(t, start, to, "RETURNING");
        }
        scanTokens(t, start, to, b);
    }

    /** What any statement may contain: user variables, lock functions, reads of the previous result. */
    private static void scanTokens(List<SqlToken> t, int from, int to, StatementTraits.Builder b) {
        // In a SET (scanned from its verb, or from just after it), @@x = ... assigns x rather than reading it.
        boolean set = word(t, from).equals("SET") || (from > 0 && word(t, from - 1).equals("SET"));
        // Parentheses opened since from: a LIMIT inside a subquery, derived table or common table
        // expression does not change what FOUND_ROWS() counts.
        int depth = 0;
        for (int i = from; i < to; i++) {
            SqlToken token = t.get(i);
            switch (token.kind()) {
                case SYMBOL -> depth += token.isSymbol("(") ? 1 : token.isSymbol(")") ? -1 : 0;
                case USER_VARIABLE -> b.pins.add(PinReason.USER_VARIABLE);
                case SYSTEM_VARIABLE -> {
                    String name = bareName(token.text());
                    if (READS_PREVIOUS_VARIABLES.contains(name)) {
                        b.readsPrevious = true;
                    }
                    boolean assignedHere = set && i + 1 < to && (t.get(i + 1).isSymbol("=") || t.get(i + 1).isSymbol(":="));
                    if (name.startsWith(TRACKING_PREFIX) && !assignedHere && !token.text().toLowerCase(Locale.ROOT).startsWith("global.")) {
                        b.readsTracking = true;
                    }
                }
                case QUOTED_IDENTIFIER -> {
                    if (token.text().equalsIgnoreCase("SESSION_STATUS")) {
                        b.pins.add(PinReason.SESSION_STATUS);
                    } else if (token.text().equalsIgnoreCase("SESSION_VARIABLES")) {
                        b.readsTracking = true;
                    }
                }
                case WORD -> {
                    boolean call = i + 1 < to && t.get(i + 1).isSymbol("(");
                    String w = token.text().toUpperCase(Locale.ROOT);
                    if (w.equals("SQL_CALC_FOUND_ROWS")) {
                        b.keepsResult = true;
                    } else if (w.equals("LIMIT") || w.equals("OFFSET") || w.equals("FETCH")) {
                        b.limited |= depth <= 0;
                    } else if (call && w.equals("GET_LOCK")) {
                        b.pins.add(PinReason.ADVISORY_LOCK);
                    } else if (call && w.equals("CONNECTION_ID")) {
                        b.pins.add(PinReason.CONNECTION_ID);
                    } else if (SequenceUse.takes(t, i, to)) {
                        b.pins.add(PinReason.SEQUENCE);
                    } else if (SequenceUse.reads(t, i, to)) {
                        b.pins.add(PinReason.SEQUENCE);
                        b.readsPrevious = true;
                    } else if (w.equals("SESSION_STATUS")) {
                        b.pins.add(PinReason.SESSION_STATUS);
                    } else if (w.equals("SESSION_VARIABLES")) {
                        b.readsTracking = true;
                    } else if (call && READS_PREVIOUS_FUNCTIONS.contains(w)) {
                        b.readsPrevious = true;
                    } else if (call && w.equals("LAST_INSERT_ID") && i + 2 < to && !t.get(i + 2).isSymbol(")")) {
                        b.setsLastInsertId = true;
                    }
                }
                default -> { }
            }
        }
    }

    private static final String TRACKING_PREFIX = "session_track_";

    /**
     * True when {@code SHOW [SESSION] VARIABLES} with what follows it from {@code i} may list a
     * session-tracking variable: no filter, a {@code WHERE}, or a {@code LIKE} pattern that
     * matches one of their names.
     */
    private static boolean mayListTracking(List<SqlToken> t, int i, int to) {
        if (i >= to || !t.get(i).isWord("LIKE")) {
            return true;
        }
        if (i + 1 >= to || t.get(i + 1).kind() != SqlToken.Kind.STRING) {
            return true;
        }
        java.util.regex.Pattern like = java.util.regex.Pattern.compile(SqlLike.regex(t.get(i + 1).text()));
        return SessionStateTracker.TRACKING_VARIABLES.stream().anyMatch(n -> like.matcher(n).matches());
    }

    /** What {@code SET GLOBAL TRANSACTION} changes (MariaDB's names). */
    private static final List<String> GLOBAL_TRANSACTION = List.of("tx_isolation", "tx_read_only");

    /** {@code SET ...} after the {@code SET} keyword at {@code i}. */
    private static void set(List<SqlToken> t, int i, int to, StatementTraits.Builder b) {
        String first = word(t, i);
        switch (first) {
            case "STATEMENT" -> {
                b.temporaryVariables = true;
                b.trustedReports = false;
                int depth = 0;
                for (int j = i; j < to; j++) {
                    if (t.get(j).isSymbol("(")) {
                        depth++;
                    } else if (t.get(j).isSymbol(")")) {
                        depth--;
                    } else if (depth == 0 && t.get(j).isWord("FOR")) {
                        scanTokens(t, i, j, b);
                        statement(t, j + 1, to, b);
                        return;
                    }
                }
                return;
            }
            case "NAMES", "CHARSET", "CHARACTER" -> {
                b.charset = true;
                b.namesCollation = namesCollation(t, i, to);
                return;
            }
            case "TRANSACTION", "PASSWORD" -> {
                return;
            }
            case "ROLE", "DEFAULT" -> {
                b.pins.add(PinReason.UNEXPLAINED_CHANGE);
                return;
            }
            default -> { }
        }
        int depth = 0;
        boolean atName = true;
        // GLOBAL and SESSION hold for the assignments after them that name no scope of their own.
        boolean globalScope = false;
        for (int j = i; j < to; j++) {
            SqlToken token = t.get(j);
            if (token.isSymbol("(")) {
                depth++;
                if (j > 0 && t.get(j - 1).kind() == SqlToken.Kind.WORD
                        && !SAFE_FUNCTIONS.contains(t.get(j - 1).text().toUpperCase(Locale.ROOT))) {
                    b.trustedReports = false;
                }
                continue;
            }
            if (token.isSymbol(")")) {
                depth--;
                continue;
            }
            if (depth == 0 && token.isSymbol(",")) {
                atName = true;
                continue;
            }
            if (token.isWord("SELECT")) {
                b.trustedReports = false;
            }
            if (!atName) {
                continue;
            }
            if (token.isWord("GLOBAL") || token.isWord("PERSIST")) {
                // SET GLOBAL x = ... assigns no session variable, but is what new sessions get
                globalScope = true;
                if (j + 1 < to && t.get(j + 1).isWord("TRANSACTION")) {
                    b.globals.addAll(GLOBAL_TRANSACTION);
                    atName = false;
                }
                continue;
            }
            if (token.isWord("PERSIST_ONLY")) {
                // changes only the server's option file
                atName = false;
                continue;
            }
            if (token.isWord("SESSION") || token.isWord("LOCAL")) {
                globalScope = false;
                continue;
            }
            if (token.isWord("NAMES") || token.isWord("CHARSET") || token.isWord("CHARACTER")) {
                b.charset = true;
                b.namesCollation = namesCollation(t, j, to);
                atName = false;
                continue;
            }
            if (token.kind() == SqlToken.Kind.SYSTEM_VARIABLE) {
                String text = token.text().toLowerCase(Locale.ROOT);
                if (text.startsWith("global.") || text.startsWith("persist.")) {
                    assignGlobal(bareName(text), b);
                } else if (text.startsWith("session.") || text.startsWith("local.") || !globalScope) {
                    assign(bareName(text), b);
                } else {
                    assignGlobal(text, b);
                }
                atName = false;
                continue;
            }
            if (token.kind() == SqlToken.Kind.WORD || token.kind() == SqlToken.Kind.QUOTED_IDENTIFIER) {
                String name = token.text().toLowerCase(Locale.ROOT);
                if (j + 1 < to && t.get(j + 1).isSymbol(".")) {
                    // a structured variable (a key cache's), which is global only
                    atName = false;
                } else if (globalScope) {
                    assignGlobal(name, b);
                } else {
                    assign(name, b);
                }
                atName = false;
                continue;
            }
            atName = false;
        }
        scanTokens(t, i, to, b);
    }

    /**
     * The collation {@code NAMES cs [COLLATE c]} or {@code CHARACTER SET cs} at {@code i} gives
     * the client's and the results' character sets: {@code c} in lower case ({@code utf8_} read as
     * {@code utf8mb3_}, as MariaDB does), or empty for the default of {@code cs}.
     */
    private static String namesCollation(List<SqlToken> t, int i, int to) {
        if (!t.get(i).isWord("NAMES")) {
            return "";
        }
        for (int j = i + 1; j + 1 < to && !t.get(j).isSymbol(","); j++) {
            if (t.get(j).isWord("COLLATE")) {
                SqlToken c = t.get(j + 1);
                String name = c.isWord("DEFAULT") ? "" : c.text().toLowerCase(Locale.ROOT);
                return name.startsWith("utf8_") ? "utf8mb3_" + name.substring(5) : name;
            }
        }
        return "";
    }

    /**
     * A global assignment: recorded unless it names a structured variable ({@code cache.x}, a
     * key cache's, which no session has).
     */
    private static void assignGlobal(String name, StatementTraits.Builder b) {
        if (!name.contains(".")) {
            b.globals.add(name);
        }
    }

    private static void assign(String name, StatementTraits.Builder b) {
        b.assigned.add(name);
        if (name.startsWith("character_set_") || name.startsWith("collation_")) {
            b.charset = true;
        }
        if (name.startsWith("session_track_")) {
            b.tracking = true;
        }
    }

    /** {@code @@session.x}, {@code @@local.x}, {@code @@x} as {@code x}, lower case. */
    private static String bareName(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        int dot = lower.indexOf('.');
        return dot >= 0 ? lower.substring(dot + 1) : lower;
    }

    /** A compound statement that starts at {@code i}: {@code BEGIN NOT ATOMIC}, {@code FOR}, {@code IF}, ..., or {@code label:}. */
    private static boolean isCompound(List<SqlToken> t, int i) {
        String w = word(t, i);
        if (w.equals("BEGIN")) {
            // BEGIN [WORK] starts a transaction; BEGIN NOT ATOMIC, and under sql_mode=ORACLE a
            // BEGIN followed by statements, a block.
            return t.size() > i + 1 && !t.get(i + 1).isSymbol(";") && !word(t, i + 1).equals("WORK");
        }
        if (COMPOUND.contains(w)) {
            return true;
        }
        return t.size() > i + 1 && t.get(i).kind() == SqlToken.Kind.WORD && t.get(i + 1).isSymbol(":");
    }

    /**
     * {@code CREATE [OR REPLACE] [DEFINER = ...] [AGGREGATE] PROCEDURE|FUNCTION|TRIGGER|EVENT|PACKAGE}:
     * its body's {@code ;} do not separate statements and nothing in it runs now.
     */
    private static boolean definesStoredProgram(List<SqlToken> t) {
        if (!word(t, 0).equals("CREATE")) {
            return false;
        }
        for (int i = 1; i < Math.min(t.size(), 14); i++) {
            String w = word(t, i);
            if (w.equals("PROCEDURE") || w.equals("FUNCTION") || w.equals("TRIGGER") || w.equals("EVENT") || w.equals("PACKAGE")) {
                return true;
            }
            if (w.equals("TABLE") || w.equals("VIEW") || w.equals("INDEX") || w.equals("DATABASE") || t.get(i).isSymbol("(")) {
                return false;
            }
        }
        return false;
    }

    private static boolean contains(List<SqlToken> t, int from, int to, String word) {
        for (int i = from; i < to; i++) {
            if (t.get(i).isWord(word)) {
                return true;
            }
        }
        return false;
    }

    static String word(List<SqlToken> t, int i) {
        return i < t.size() && t.get(i).kind() == SqlToken.Kind.WORD ? t.get(i).text().toUpperCase(Locale.ROOT) : "";
    }
}
