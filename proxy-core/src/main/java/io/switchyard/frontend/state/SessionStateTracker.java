package io.switchyard.frontend.state;

import io.switchyard.backend.ConnectionState;
import io.switchyard.backend.GlobalValues;
import io.switchyard.backend.SessionBaseline;
import io.switchyard.backend.SqlLiteral;
import io.switchyard.backend.TrackingSettings;
import io.switchyard.protocol.OkPacket;
import io.switchyard.protocol.SessionStateInfo;
import io.switchyard.stats.StatementKind;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One client session's movable state ({@link ConnectionState}: schema and system variables), as
 * the server reports it, and the reasons the session cannot move to another backend connection.
 *
 * <p>The state is learned from the session-state information of the server's OK packets (backend
 * connections track every system variable, the schema, state changes and the transaction's
 * characteristics), never from what a statement's text seems to say; a statement that fails
 * reports nothing and so changes nothing. The statement's text ({@link StatementClassifier}) adds
 * only what the server does not report: user variables, locks, stored programs and dynamic SQL
 * pin the session; the bodies of the stored functions it calls are read before the session may
 * move ({@link #functionsToCheck}); the character-set variables and the variables of a statement
 * that changes the client's session tracking are read back from the server afterwards
 * ({@link #completed}), because MariaDB reports neither completely. A change the proxy cannot
 * reproduce exactly pins the session.
 *
 * <p>Also filters the server's reports to what the client's own session-tracking settings ask for
 * ({@link #forClient}).
 *
 * <p>Not thread-safe: owned by one session and confined to its event loop.
 *
 * <p>Longer than 400 lines on purpose: what the server reported, what must be read back and what
 * pins the session are decided from the same state, and are read together to see that no change
 * a statement made is lost or replayed twice. What {@code FOUND_ROWS()} and {@code ROW_COUNT()}
 * return after the last statement is kept apart, in {@link LastResults}; the collations the
 * reports do not show, in {@link SessionCollations}; what waits to be read back before the next
 * statement, in {@link PendingReadBack}.
 */
public final class SessionStateTracker {
    /** Variables whose value is consumed or changes by itself, so setting it again elsewhere would differ. */
    private static final Set<String> UNREPLAYABLE = Set.of("insert_id", "identity", "rand_seed1", "rand_seed2",
            "timestamp", "pseudo_thread_id", "gtid_seq_no", "wsrep_gtid_seq_no", "profiling", "debug_sync",
            // Like profiling: the trace shows the connection's last statement, which on an
            // unpinned session may be the proxy's own read of what the session's left.
            "optimizer_trace");
    /** Read-only variables the server reports as they change by themselves: not state the session set. */
    private static final Set<String> STATUS_VARIABLES = Set.of("last_gtid", "in_transaction", "warning_count", "error_count");
    /** Variables whose empty report means SQL NULL. */
    private static final Set<String> NULLABLE = Set.of("character_set_results", "character_set_client",
            "character_set_connection", "collation_connection", "enforce_storage_engine", "innodb_tmpdir");
    static final List<String> TRACKING_VARIABLES = List.of("session_track_system_variables",
            "session_track_schema", "session_track_state_change", "session_track_transaction_info");
    /** The variable that holds {@code LAST_INSERT_ID()}. */
    public static final String LAST_INSERT_ID = "last_insert_id";
    /**
     * Pseudo-variables of the state: the collations the server holds for
     * {@code character_set_client} and {@code character_set_results} (as a {@code SET NAMES ...
     * COLLATE} or the login gave them) where they are not the login's; no server variable shows
     * them, but they are the character set of every column definition the server sends, and the
     * server sends a prepared statement's definitions again when the client's one changes.
     */
    public static final String CLIENT_COLLATION = "#client_collation";
    public static final String RESULTS_COLLATION = "#results_collation";

    private ConnectionState state;
    /** What {@code FOUND_ROWS()} and {@code ROW_COUNT()} return after the session's last statement. */
    private final LastResults lastResults = new LastResults();
    private final EnumSet<PinReason> pins = EnumSet.noneOf(PinReason.class);
    private StatementTraits traits = StatementTraits.PLAIN;
    private TrackingSettings clientTracking;
    /** See {@link #namesItsChanges(StatementTraits, String)}; true for a command that is not a statement. */
    private boolean namesItsChanges = true;
    /** The running statement's text, null for a command without one: what {@link #mayRead} looks at. */
    private String runningSql;
    /** Whether the running statement is a {@code CALL} or an {@code EXECUTE}; null until asked ({@link #runsOtherStatements}). */
    private Boolean runsOthers;
    /** The last statement failed: it assigned nothing. */
    private boolean lastFailed;
    private String nextTransaction = "";
    /** The GTID of the session's last write the server reported ({@code last_gtid}), or "". */
    private String lastGtid = "";
    /**
     * What is read before the session's next statement that does not read the last results, not
     * at once; after a reset, that is the schema's character sets too (a {@code SELECT} would
     * count in the session's fresh status counters, which a {@code SHOW STATUS} right after the
     * reset reads).
     */
    private final PendingReadBack pending = new PendingReadBack();
    private boolean readsPreviousResults;
    private boolean keepForNext;
    /** The connection holds warnings or errors of an earlier statement that a statement may still read. */
    private boolean diagnosticsHeld;
    /** The running statement clears those ({@link TableUse#usesTables}); decided only while they are held. */
    private boolean clearsDiagnostics;
    /**
     * The stored functions the session's statements called on its connection since the proxy
     * last read their bodies ({@link #functionsToCheck}), each with its database.
     */
    private final List<StoredFunctionCalls.Call> functionsUnchecked = new ArrayList<>();
    /** The running statement gets the client's tracking settings for itself alone ({@link #clientTrackingForOneStatement}). */
    private boolean clientTrackingPrefixed;
    private final SessionCollations collations = new SessionCollations();
    private final TextReading reading = new TextReading();

    public SessionStateTracker(ConnectionState initial) {
        this.state = initial;
    }

    /** The state a connection must carry before the session's next statement runs there. */
    public ConnectionState state() {
        return state;
    }

    /**
     * The session starts now (login): its state dates from the last change of the globals seen
     * so far ({@link GlobalValues}). True when that changed the state, which its connection must
     * then be brought to again.
     */
    public boolean startWithGlobalsOfNow() {
        long now = GlobalValues.now();
        if (state.globalsAsOf() == now) {
            return false;
        }
        state = new ConnectionState(state.schema(), state.variables(), now);
        return true;
    }

    /** The session's default schema. */
    public String schema() {
        return state.schema();
    }

    /** Sets the schema (COM_CHANGE_USER, login). */
    public void schema(String schema) {
        state = state.withSchema(schema);
    }

    /** Why the session cannot move; empty when it may. A read-only view. */
    public Set<PinReason> pins() {
        return java.util.Collections.unmodifiableSet(pins);
    }

    /** True when something pins the session to its connection. */
    public boolean pinned() {
        return !pins.isEmpty();
    }

    /** Pins the session (something about it cannot be known or moved). */
    public void pin(PinReason reason) {
        pins.add(reason);
    }

    /** The traits of the statement now running (or last run). */
    public StatementTraits traits() {
        return traits;
    }

    /** The GTID of the session's last committed write, as the server reported it; "" before the first. */
    public String lastGtid() {
        return lastGtid;
    }

    /** The characteristics reported for the next (or running) transaction, as statements; empty when none. */
    public String nextTransactionCharacteristics() {
        return nextTransaction;
    }

    /** True while {@code SET TRANSACTION} characteristics wait for the next transaction on this connection. */
    public boolean nextTransactionPending() {
        return !nextTransaction.isEmpty();
    }

    /** True when the next statement must run on the connection of the last one (it may read its result). */
    public boolean keepForNext() {
        return keepForNext;
    }

    /** The client's session-tracking settings: the server's defaults until the client changes them. */
    public void clientTracking(TrackingSettings settings) {
        this.clientTracking = settings;
    }

    public TrackingSettings clientTracking() {
        return clientTracking;
    }

    /**
     * True when the statement about to run reads the session-tracking settings: the client's own
     * must be put on its connection first ({@link TrackingSettings#assignment()}); the read-back
     * after it turns full tracking on again, in a pinned session too.
     */
    public boolean readsClientTracking() {
        return traits.readsTracking() && clientTracking != null && !clientTrackingPrefixed;
    }

    /**
     * For a single {@code SELECT} that reads the session-tracking settings and
     * {@code ROW_COUNT()} right after a write that changed rows: the {@code SET STATEMENT ... FOR }
     * to put before its text, which gives it the client's own settings without the {@code SET}
     * that would replace the write's count (no statement gives a connection a count above 0
     * without writing); null otherwise, when {@link #readsClientTracking} tells whether a
     * {@code SET} comes first. {@link #clientTrackingPrefixed} once the text carries it.
     */
    public String clientTrackingForOneStatement() {
        boolean single = runningSql != null && runningSql.indexOf(';') < 0
                && runningSql.stripLeading().regionMatches(true, 0, "SELECT", 0, 6);
        return traits.readsTracking() && clientTracking != null && single && mayRead("ROW_COUNT") && lastResults.rowsChanged()
                ? clientTracking.forOneStatement() : null;
    }

    /** The running statement's text starts with {@link #clientTrackingForOneStatement}: no {@code SET} before it. */
    public void clientTrackingPrefixed() {
        clientTrackingPrefixed = true;
    }

    /**
     * What the session's text is read under where its state sets nothing: the SQL literals of
     * its login's {@code sql_mode} and {@code character_set_client}.
     */
    public void loginReading(String sqlMode, String characterSetClient) {
        reading.login(sqlMode, characterSetClient);
    }

    /** The character set the session's statement text is read in now ({@link TextCharsets}). */
    public Charset textCharset() {
        return reading.charset(state);
    }

    /** How the server reads quotes in the session's statements now, under its {@code sql_mode}. */
    public QuoteRules quoteRules() {
        return reading.quoteRules(state);
    }

    /**
     * A statement is about to run: its text decides the pins the server will not report.
     * {@code sql} as the default quoting rules read it ({@link QuoteRules#standardText} of the
     * session's {@link #quoteRules}).
     */
    public StatementTraits before(String sql) {
        traits = StatementClassifier.classify(sql);
        runningSql = sql;
        runsOthers = null;
        clientTrackingPrefixed = false;
        calls(traits.functions(), state.schema());
        namesItsChanges = namesItsChanges(traits, sql);
        clearsDiagnostics = diagnosticsHeld && TableUse.usesTables(sql);
        collations.statementStarts();
        pins.addAll(traits.pins());
        if (traits.readsPrevious()) {
            readsPreviousResults = true;
        }
        return traits;
    }

    /** A prepared statement or a command other than COM_QUERY runs; {@code traits} come from its text, if any. */
    public void before(StatementTraits commandTraits) {
        before(commandTraits, null);
    }

    /** Same, for a prepared statement of text {@code sql} (null when the command has none). */
    public void before(StatementTraits commandTraits, String sql) {
        before(commandTraits, sql, state.schema());
    }

    /**
     * Same, for a prepared statement of text {@code sql} prepared in database {@code schema}
     * (where the server resolved the functions it calls).
     */
    public void before(StatementTraits commandTraits, String sql, String schema) {
        traits = commandTraits;
        runningSql = sql;
        runsOthers = null;
        clientTrackingPrefixed = false;
        calls(traits.functions(), schema);
        namesItsChanges = sql == null || namesItsChanges(traits, sql);
        clearsDiagnostics = diagnosticsHeld && sql != null && TableUse.usesTables(sql);
        collations.statementStarts();
        pins.addAll(traits.pins());
    }

    /**
     * True when the statement's text names the state it changes, so that the system variables
     * and schema the server reports for it account for the server's "state changed": a
     * {@code SET} of system variables or {@code USE}. Any other statement reports them only from
     * stored code it called (a stored function's {@code SET}, or the schema a function of another
     * database switches to and back), which may have changed what no report names (user
     * variables, temporary tables) under the same flag.
     */
    private static boolean namesItsChanges(StatementTraits traits, String sql) {
        return !traits.assigned().isEmpty() || traits.charset() || traits.tracking()
                || StatementKind.of(sql) == StatementKind.USE;
    }

    /** Learns from one OK packet (a statement's, or the one ending a result) of the running command. */
    public void onOk(OkPacket ok) {
        if (ok.lastInsertId() != 0) {
            pending.lastInsertIdChanged();
        }
        SessionStateInfo info = ok.sessionState();
        if (info.isEmpty()) {
            return;
        }
        boolean explained = false;
        boolean changed = false;
        for (SessionStateInfo.Entry e : info.entries()) {
            switch (e.type()) {
                case SessionStateInfo.SYSTEM_VARIABLES -> {
                    explained |= namesItsChanges;
                    learnVariable(e.variableName().toLowerCase(Locale.ROOT), e.variableValue());
                }
                case SessionStateInfo.SCHEMA -> {
                    String schema = e.text().isEmpty() ? null : e.text();
                    explained |= namesItsChanges || !Objects.equals(schema, state.schema());
                    // Selecting a schema gives its character-set variables the schema's values
                    // (a reset had left them at the globals), as selecting it elsewhere does.
                    state = state.withSchema(schema).withSchemaCharsets();
                    pending.schemaSelected();
                }
                case SessionStateInfo.STATE_CHANGE -> changed = true;
                case SessionStateInfo.TRANSACTION_CHARACTERISTICS -> nextTransaction = e.text();
                default -> { }
            }
        }
        // A SET of the tracking variables changes what the server reports for it (not the
        // variables it assigns, once they are not tracked): the read-back after it explains it.
        explained |= traits.tracking();
        if (changed && (!explained || !traits.trustedReports())) {
            pins.add(PinReason.UNEXPLAINED_CHANGE);
        }
    }

    private void learnVariable(String name, String value) {
        if (traits.temporaryVariables()) {
            return;
        }
        if (name.startsWith("session_track_")) {
            if (!traits.tracking()) {
                pins.add(PinReason.SESSION_TRACKING);
            }
            return;
        }
        if (STATUS_VARIABLES.contains(name)) {
            if (name.equals("last_gtid") && !value.isEmpty()) {
                lastGtid = value;
            }
            return;
        }
        if (UNREPLAYABLE.contains(name)) {
            pins.add(PinReason.UNREPLAYABLE_VARIABLE);
            return;
        }
        collations.reported(name);
        String literal = SqlLiteral.of(value.isEmpty() && NULLABLE.contains(name) ? null : value);
        if (!traits.trustedReports() && !traits.assigned().contains(name)) {
            if (!literal.equals(state.variables().get(name))) {
                pins.add(PinReason.UNEXPLAINED_CHANGE);
            }
            return;
        }
        state = state.withVariable(name, literal);
    }

    /**
     * The command ended: decides whether its result must stay reachable for the next statement,
     * and returns the variables to read back from the connection before it is given up (empty
     * when none): the character-set group after a possible change, and the variables of a
     * statement that changed the client's session tracking. {@code LAST_INSERT_ID()} is read
     * later, when the session is about to run a statement that does not read the last one's
     * result ({@link #lastInsertIdUnknown()}): a read-back now would replace the
     * {@code ROW_COUNT()}, {@code FOUND_ROWS()} and warnings the next statement may read.
     */
    public List<String> completed(boolean failed, int warnings) {
        lastFailed = failed;
        // A statement that uses no table leaves the warnings and errors of the one before it.
        diagnosticsHeld = failed || warnings > 0 || (diagnosticsHeld && !clearsDiagnostics);
        clearsDiagnostics = false;
        keepForNext = traits.keepsResult() || diagnosticsHeld || readsPreviousResults;
        // Marked only now: the value an earlier statement left is read back just before this one
        // runs, and would otherwise count as this one's.
        if (traits.setsLastInsertId()) {
            pending.lastInsertIdChanged();
        }
        state = collations.completed(state, traits.namesCollation(), failed);
        return readBackNames();
    }

    /**
     * A COM_STMT_PREPARE completed: it changes no session state and leaves the last statement's
     * results and warnings, so what that statement left stands (what it keeps for the next one,
     * its read-back done); a failed prepare, or one with warnings, holds them for the next
     * statement. Nothing is read back.
     */
    public List<String> prepareCompleted(boolean failed, int warnings) {
        if (failed || warnings > 0) {
            diagnosticsHeld = true;
            keepForNext = true;
        }
        return List.of();
    }

    /** The {@code FOUND_ROWS()} and {@code ROW_COUNT()} the proxy's read-back read: see {@link LastResults#read}. */
    public void previousResultsRead(long found, long count) {
        lastResults.read(found, count);
    }

    /** The session's statement failed before any result: see {@link LastResults#failed}. */
    public void statementFailed() {
        lastResults.failed();
    }

    /**
     * True when each statement of the running text leaves {@code FOUND_ROWS()} with an OK
     * ({@link FoundRowsCount}: a {@code SET}, a write without a query of its own): a text of them
     * that failed part of the way, before any result set, leaves it as it was, as a statement
     * that failed before any result does.
     */
    public boolean textLeavesFoundRows() {
        return FoundRowsCount.leftByEach(runningSql);
    }

    /**
     * True when the running statement's one result set leaves the session's known
     * {@code FOUND_ROWS()} as it was: a {@code SHOW WARNINGS}, a {@code VALUES}, a
     * {@code CHECKSUM TABLE} and the like ({@link FoundRowsCount#leftByResult}). Where it ran then
     * does not hold the count.
     */
    public boolean resultLeavesFoundRows() {
        return lastResults.foundRowsKnown() && FoundRowsCount.leftByResult(runningSql);
    }

    /** What a statement returned: see {@link LastResults#ended}. */
    public void statementResult(boolean uncounted, boolean resultSet, long rows, long affectedRows) {
        if (resultSet && !uncounted && resultLeavesFoundRows()) {
            lastResults.countLeftByResult();
            return;
        }
        lastResults.ended(traits, uncounted, resultSet, rows, affectedRows, FoundRowsCount.shownByResponse(runningSql, resultSet));
    }

    /** True when the last statement left values its response does not show: see {@link LastResults#unknownByLast}. */
    public boolean previousResultsUnknownByLast() {
        return lastResults.unknownByLast();
    }

    /** True when the session's {@code FOUND_ROWS()} or {@code ROW_COUNT()} is not known. */
    public boolean previousResultsUnknown() {
        return lastResults.unknown();
    }

    /**
     * The statements that put {@code FOUND_ROWS()} and {@code ROW_COUNT()} back as the session's
     * last statement left them, after the proxy read the session-tracking settings or the
     * globals a {@code SET GLOBAL} assigned back on its connection (a one-row {@code SELECT});
     * none when the statement replaced nothing, or while warnings or errors are held and a
     * statement that reads a table (which clears them) would be needed. Not after the read-back
     * of the character-set variables alone (a {@code SET NAMES} at every connect: the extra round
     * trips are not spent there); always after a read of values the proxy did not know
     * ({@code resultsRead}).
     */
    public List<String> resultsAfterReadBack(boolean resultsRead) {
        boolean resultsReplaced = resultsRead || traits.tracking() || traits.readsTracking() || !traits.globals().isEmpty();
        return resultsReplaced ? lastResults.afterOneRowRead(diagnosticsHeld, state.schema() != null) : List.of();
    }

    /**
     * After the proxy read back, before the session's next statement (one that reads no previous
     * result, so it replaces {@code ROW_COUNT()}), values on the connection the session holds (a
     * one-row {@code SELECT}): the query that gives it the session's {@code FOUND_ROWS()} again,
     * which that statement may leave for the one after it; none when it is 1 or not known, or
     * would need a table while warnings or errors are held.
     */
    public List<String> foundRowsAfterReadBack() {
        return lastResults.foundRowsAfterOneRowRead(diagnosticsHeld, state.schema() != null);
    }

    /** Statements that give another connection what the session's last statement left: see {@link LastResults#setUp}. */
    public List<String> previousResultSetUp() {
        return setUp(false);
    }

    /**
     * The same, for the connection the session holds, where the server keeps the session's
     * warnings and errors: only statements that read no table (which leave them), else none.
     */
    public List<String> previousResultSetUpKeepingDiagnostics() {
        return setUp(diagnosticsHeld);
    }

    /**
     * {@link LastResults#setUp} for the running statement, none when it reads neither value. A
     * {@code CALL} or an {@code EXECUTE} runs statements its text does not show, which may read
     * either, or leave {@code FOUND_ROWS()} as it was for the statement after it.
     */
    private List<String> setUp(boolean keepDiagnostics) {
        boolean runsOthers = runsOtherStatements();
        boolean readsRowCount = runsOthers || mayRead("ROW_COUNT");
        boolean readsFoundRows = runsOthers || mayRead("FOUND_ROWS");
        return readsRowCount || readsFoundRows ? lastResults.setUp(keepDiagnostics, state.schema() != null, readsRowCount, readsFoundRows) : List.of();
    }

    /**
     * For a connection the session holds that has its {@code ROW_COUNT()} but not its
     * {@code FOUND_ROWS()} (a statement that returned no result set, such as a write, ran there
     * after the last result set came from another connection): the statement that gives it the
     * session's {@code FOUND_ROWS()}, when the running statement reads it; for a statement that
     * reads {@code ROW_COUNT()} too (which that statement sets to -1), only where a statement can
     * give the session's back after it (0 after a {@code DO}, not a write's count); else none.
     */
    public List<String> foundRowsSetUp() {
        return runsOtherStatements() || mayRead("FOUND_ROWS") ? setUp(diagnosticsHeld) : List.of();
    }

    /**
     * True when the running statement may read the values the session's last statement left, or
     * pass {@code FOUND_ROWS()} on to the one after it unseen: one that reads them
     * ({@link StatementTraits#readsPrevious}), a {@code CALL} or an {@code EXECUTE}. Such a
     * statement gets them set up first on a connection that does not hold them.
     */
    public boolean mayUsePreviousResults() {
        return traits.readsPrevious() || runsOtherStatements();
    }

    /** True when the running statement is a {@code CALL} or an {@code EXECUTE [IMMEDIATE]}; read once per statement. */
    private boolean runsOtherStatements() {
        if (runsOthers == null) {
            StatementKind kind = runningSql == null ? null : StatementKind.of(runningSql);
            runsOthers = kind == StatementKind.CALL || kind == StatementKind.EXECUTE;
        }
        return runsOthers;
    }

    /**
     * True unless the running statement cannot read {@code function} (upper case): its text does
     * not name it (a command without text may). Asked only when a set-up is considered.
     */
    private boolean mayRead(String function) {
        String sql = runningSql;
        if (sql == null) {
            return true;
        }
        for (int i = 0; i + function.length() <= sql.length(); i++) {
            if (sql.regionMatches(true, i, function, 0, function.length())) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when {@code LAST_INSERT_ID()} may have changed on the connection the session is on and
     * has not been read yet: the session keeps that connection, and reads the value before its
     * next statement that does not read the last one's result.
     */
    public boolean lastInsertIdUnknown() {
        return pending.lastInsertIdUnknown() && pins.isEmpty();
    }

    /**
     * For a session that keeps its connection for the next statement: when {@code names} (what
     * {@link #completed} returned) is the character-set group alone, its read-back waits, as
     * {@code LAST_INSERT_ID()}'s does, until the session is about to run a statement that does
     * not read the last one's results (it would replace a {@code ROW_COUNT()} above 0, which no
     * statement can put back without writing); returns what to read now.
     */
    public List<String> deferCharsetReadBack(List<String> names) {
        if (!names.equals(SessionBaseline.CHARSET_VARIABLES)) {
            return names;
        }
        pending.charsetsChanged();
        return List.of();
    }

    /**
     * True while the character-set group on the session's connection may differ from the
     * session's view, until {@link #readBackBeforeNext} reads it: a statement prepared there now
     * is prepared under what that read finds.
     */
    public boolean charsetsUnread() {
        return pending.charsetsUnread();
    }

    /** True when {@link #readBackBeforeNext} names something: asked after every statement, so it allocates nothing. */
    public boolean readBackPending() {
        return pending.pending(pins.isEmpty(), readsCharsetsWhilePinned());
    }

    /**
     * True when the character-set group is read back in a pinned session too (after a text that
     * failed part of the way, or one of several statements): the session stays on its connection, but what its statements are
     * prepared under ({@code collation_connection}, which MariaDB does not report after
     * {@code SET NAMES ... COLLATE}) decides how the proxy prepares them again and which column
     * definitions it sends. Not in a session pinned by reading its status: the read would count
     * in {@code Com_select}.
     */
    private boolean readsCharsetsWhilePinned() {
        return !pins.contains(PinReason.SESSION_STATUS);
    }

    /**
     * What the session's connection knows and the session does not, to be read there before its
     * next statement that does not read the last one's results: {@code LAST_INSERT_ID()}
     * ({@link #lastInsertIdUnknown}; not while pinned: the session stays there), the
     * character-set group ({@link #deferCharsetReadBack}), the schema's character-set variables
     * after a reset (these two while pinned too, see {@link #readsCharsetsWhilePinned}).
     */
    public List<String> readBackBeforeNext() {
        return pending.names(pins.isEmpty(), readsCharsetsWhilePinned());
    }

    private List<String> readBackNames() {
        List<String> names = new ArrayList<>();
        boolean trackingTouched = traits.tracking() || traits.readsTracking();
        if (!pins.isEmpty() && !trackingTouched) {
            // The session stays on its connection; only a connection that stopped tracking
            // everything (the client changed or read its settings) is read back, and turned back,
            // and the character-set group after a text that failed (its statements before the
            // failure took effect) or that holds several statements (a SET NAMES and a later
            // SET of collation_connection, say), which the text alone does not tell; that read
            // waits for the next statement.
            if (traits.charset() && (lastFailed || (runningSql != null && SqlLexer.splitStatements(runningSql).size() > 1))
                    && readsCharsetsWhilePinned()) {
                names.addAll(SessionBaseline.CHARSET_VARIABLES);
            }
            return names;
        }
        if (traits.charset() || traits.tracking()) {
            names.addAll(SessionBaseline.CHARSET_VARIABLES);
        }
        if (traits.tracking()) {
            for (String n : traits.assigned()) {
                if (!names.contains(n) && !n.startsWith("session_track_")) {
                    names.add(n);
                }
            }
        }
        if (trackingTouched) {
            names.addAll(TRACKING_VARIABLES);
        }
        return names;
    }


    /** True when reading back {@code names} must be followed by turning full session tracking on again. */
    public boolean restoresTracking(List<String> names) {
        return names.contains(TRACKING_VARIABLES.get(0));
    }

    /**
     * The values read back for {@code names} ({@code null} for SQL NULL): each becomes part of the
     * state, or leaves it when it equals the connection's login value.
     */
    public void readBack(List<String> names, List<String> values, SessionBaseline baseline) {
        String[] tracking = new String[TRACKING_VARIABLES.size()];
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            String value = values.get(i);
            int t = TRACKING_VARIABLES.indexOf(name);
            if (t >= 0) {
                tracking[t] = value;
                continue;
            }
            if (name.equals(LAST_INSERT_ID)) {
                state = state.withVariable(name, "0".equals(value) ? null : SqlLiteral.of(value));
                continue;
            }
            if (UNREPLAYABLE.contains(name)) {
                pins.add(PinReason.UNREPLAYABLE_VARIABLE);
                continue;
            }
            String literal = SqlLiteral.of(value);
            boolean login = baseline != null && literal.equals(baseline.loginValues().get(name));
            state = state.withVariable(name, login ? null : literal);
        }
        if (tracking[0] != null || tracking[1] != null) {
            // The connection has the proxy's settings but where the statement assigned the client's.
            TrackingSettings client = clientTracking;
            if (client == null) {
                client = TrackingSettings.of(tracking[0], tracking[1], tracking[2], tracking[3]);
            } else {
                for (int t = 0; t < tracking.length; t++) {
                    if (!lastFailed && traits.assigned().contains(TRACKING_VARIABLES.get(t))) {
                        client = client.with(TRACKING_VARIABLES.get(t), tracking[t]);
                    }
                }
            }
            clientTracking = client;
        }
        pending.read(names);
        if (names.contains(SessionCollations.CHARACTER_SET_CLIENT)) {
            if (baseline != null) {
                state = collations.readBack(state, baseline);
            }
        }
    }

    /**
     * The collation the server holds for {@code character_set_client} in this session (a
     * {@code SET NAMES ... COLLATE} gives one the variable's value does not show), by name; what
     * a MariaDB server compares to decide that a prepared statement's column definitions must be
     * sent again. {@code baseline} gives the login's; "?" when it is not known.
     */
    public String clientCollation(SessionBaseline baseline) {
        return collations.client(state, baseline);
    }

    /** Same, for {@code character_set_results} ("null" when it is SQL NULL). */
    public String resultsCollation(SessionBaseline baseline) {
        return collations.results(state, baseline);
    }

    /** Adds the stored functions of {@code calls} to those to read, in {@code schema} where a call names none. */
    private void calls(List<StoredFunctionCalls.Call> calls, String schema) {
        for (StoredFunctionCalls.Call call : calls) {
            String database = call.schema() != null ? call.schema() : schema;
            StoredFunctionCalls.Call resolved = new StoredFunctionCalls.Call(database, call.name());
            if (database != null && !functionsUnchecked.contains(resolved)) {
                functionsUnchecked.add(resolved);
            }
        }
    }

    /**
     * The stored functions whose bodies the proxy reads before the session may leave its
     * connection ({@link StoredFunctionCalls#mayLeaveUnreportedState}); none when the session is
     * pinned (it stays anyway).
     */
    public List<StoredFunctionCalls.Call> functionsToCheck() {
        if (!pins.isEmpty()) {
            functionsUnchecked.clear();
        }
        return List.copyOf(functionsUnchecked);
    }

    /** True while stored functions the session called wait for their bodies to be read: it stays on its connection. */
    public boolean functionsUnchecked() {
        return pins.isEmpty() && !functionsUnchecked.isEmpty();
    }

    /**
     * The bodies of {@link #functionsToCheck} were read: with {@code unreportedState}, one may
     * have left state the server does not report, or could not be read, and the session is pinned.
     */
    public void functionsChecked(boolean unreportedState) {
        functionsUnchecked.clear();
        if (unreportedState) {
            pins.add(PinReason.STORED_FUNCTION);
        }
    }

    /**
     * The proxy ended the session's transaction itself (a {@code COMMIT} of its own): the
     * characteristics the server reported for it no longer apply.
     */
    public void transactionEndedByProxy() {
        nextTransaction = "";
    }

    /**
     * The session's state was reset on the server (COM_RESET_CONNECTION): back to a fresh login,
     * schema kept, with the globals as they are now ({@code globals}, may be null: what the proxy
     * saw change on the server).
     */
    public void onReset(SessionBaseline baseline, GlobalValues globals) {
        pending.reset();
        state = baseline == null ? ConnectionState.initial(state.schema()) : baseline.afterReset(state.schema());
        TrackingSettings defaults = baseline == null ? null
                : globals == null ? baseline.tracking() : globals.tracking(baseline.tracking(), state.globalsAsOf());
        pins.clear();
        functionsUnchecked.clear();
        nextTransaction = "";
        readsPreviousResults = false;
        keepForNext = false;
        diagnosticsHeld = false;
        clearsDiagnostics = false;
        lastResults.forget();
        collations.reset();
        traits = StatementTraits.PLAIN;
        clientTracking = defaults;
    }

    /**
     * The server's session-state information as the client would have got it from a server with
     * its own tracking settings: entries it does not track are left out.
     */
    public SessionStateInfo forClient(SessionStateInfo info) {
        TrackingSettings c = clientTracking;
        if (info.isEmpty() || c == null) {
            return c == null ? SessionStateInfo.EMPTY : info;
        }
        return info.filter(e -> switch (e.type()) {
            case SessionStateInfo.SYSTEM_VARIABLES -> c.tracksVariable(e.variableName());
            case SessionStateInfo.SCHEMA -> c.schema();
            case SessionStateInfo.STATE_CHANGE -> c.stateChange();
            case SessionStateInfo.TRANSACTION_STATE -> c.tracksTransactionState();
            case SessionStateInfo.TRANSACTION_CHARACTERISTICS -> c.tracksTransactionCharacteristics();
            default -> false;
        });
    }
}
