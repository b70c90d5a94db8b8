package io.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.switchyard.backend.ConnectionState;
import io.switchyard.backend.TrackingSettings;
import io.switchyard.digest.QueryDigest;
import io.switchyard.frontend.state.PinReason;
import io.switchyard.frontend.state.ReadOnlyTransactions;
import io.switchyard.frontend.state.SessionStateTracker;
import io.switchyard.frontend.state.StatementTraits;
import io.switchyard.frontend.state.Utf8Escapes;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.Frame;
import io.switchyard.protocol.ProxyError;
import io.switchyard.protocol.ResponseTracker;
import io.switchyard.protocol.ServerStatus;
import io.switchyard.protocol.Wire;
import io.switchyard.routing.QueryContext;
import io.switchyard.routing.QueryRules;
import io.switchyard.routing.RuleOutcome;
import io.switchyard.stats.StatementKind;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Decides where each statement of a session runs, and whether the session may give its backend
 * connection back between statements (multiplexing). With query rules configured, it applies
 * their OK_msg, error_msg, rewrite and destination hostgroup; without rules every statement
 * goes to the user's default hostgroup.
 *
 * <p>The session moves to another connection only when the move is invisible: it stays where it
 * is while a transaction is open (the backend's IN_TRANS flag, autocommit off, or
 * {@code SET TRANSACTION} characteristics waiting for the next transaction), while it holds state
 * that cannot move ({@link SessionStateTracker#pins()}), while a prepared statement has a cursor
 * or long data pending, for the statement after one whose result the next may read
 * ({@code ROW_COUNT()}, {@code FOUND_ROWS()}, warnings), and for good once a rule with
 * {@code multiplex = 0} matched or the client changed a protocol option (COM_SET_OPTION).
 * Everything else (schema, system variables) is learned from the server and replayed on the next
 * connection by {@link HostgroupLeases}.
 *
 * <p>Confined to the session's event loop.
 */
final class StatementRouting {
    /**
     * Where and what to run: an OK or ERR to answer instead, or the hostgroup and, when a rule
     * rewrote the statement, its new frames; with the statement's digest and kind for statistics
     * and what the matching rules say about it (timeout, retries, delay, mirror, log), or null
     * when no rule matched.
     */
    record Decision(int hostgroup, List<Frame> rewritten, String ok, ErrPacket error, QueryDigest digest,
                    StatementKind kind, RuleOutcome rules, String query, Step step) {
        Decision(int hostgroup, List<Frame> rewritten, String ok, ErrPacket error, QueryDigest digest,
                 StatementKind kind, RuleOutcome rules, String query) {
            this(hostgroup, rewritten, ok, error, digest, kind, rules, query, Step.NONE);
        }
    }

    /** What has to happen to a read-only transaction on a reader before the statement runs. */
    enum Step {
        NONE,
        /** The statement commits implicitly: the transaction is committed on the reader, then the statement runs where it goes. */
        COMMIT_READER,
        /** The statement needs the writer: the transaction is replayed there first ({@link TransactionLog}). */
        MOVE_TO_WRITER,
        /**
         * The statement starts a transaction in another hostgroup than the connection that holds
         * the characteristics {@code SET TRANSACTION} gave the next transaction: they are given
         * to the new connection, and the old one, which still holds them, is closed.
         */
        CARRY_CHARACTERISTICS
    }

    private final FrontendContext context;
    private final SessionInfo info;
    private SessionStateTracker tracker = new SessionStateTracker(ConnectionState.initial(null));
    private boolean pinnedForGood;
    private boolean statementPinned;
    /**
     * The session's connection is in a reader hostgroup because a read-only transaction started
     * there ({@code mysql-read_only_transactions_to_readers}); the writer hostgroup it would
     * otherwise have run in, or -1.
     */
    private int readerTransactionWriter = -1;
    /**
     * The last statement (a text one after rewriting, or a prepared one executed) as the default
     * quoting rules read it ({@link io.switchyard.frontend.state.QuoteRules}) and its traits:
     * what the questions below are asked of.
     */
    private String lastQuery = "";
    /**
     * With autocommit off, a statement may leave state of the transaction it is in that the
     * server does not report as one open: a {@code SAVEPOINT} before the transaction touched a
     * table (MariaDB 10.11 keeps it, and reports no transaction). So from any statement but a
     * {@code SET} run with autocommit off until a {@code COMMIT} or {@code ROLLBACK}, the session
     * stays on its connection; between a {@code COMMIT} and the next such statement it does not.
     */
    private boolean autocommitOffTransaction;
    /** {@link #autocommitOffTransaction} before the running statement. */
    private boolean autocommitOffTransactionBefore;
    private static final java.util.regex.Pattern TO_SAVEPOINT = java.util.regex.Pattern.compile("(?i)\\bTO\\b");
    /** The causal reads the rules matching the last text statement asked for; null for the variable's. */
    private String ruleCausalReads;
    private StatementTraits lastTraits = StatementTraits.PLAIN;

    StatementRouting(FrontendContext context, SessionInfo info) {
        this.context = context;
        this.info = info;
    }

    /** Starts over with a fresh login's state in {@code schema} (login, COM_CHANGE_USER). */
    void reset(String schema) {
        autocommitOffTransaction = false;
        autocommitOffTransactionBefore = false;
        TrackingSettings tracking = tracker.clientTracking();
        tracker = new SessionStateTracker(ConnectionState.initial(schema));
        tracker.clientTracking(tracking);
        pinnedForGood = false;
        statementPinned = false;
        readerTransactionWriter = -1;
    }

    /** True while the session runs a read-only transaction on a reader (and until it next runs elsewhere). */
    boolean onReaderForReadOnlyTransaction() {
        return readerTransactionWriter >= 0;
    }

    /** The writer hostgroup a read-only transaction on a reader moves to; -1 when none runs there. */
    int readerTransactionWriter() {
        return readerTransactionWriter;
    }

    /** True when the last statement may start a transaction (so it is recorded for running the transaction again). */
    boolean mayStartTransaction() {
        return autocommitOff() || ReadOnlyTransactions.start(lastQuery) != ReadOnlyTransactions.Start.NONE;
    }

    /**
     * True when the last statement, if its connection is lost inside a transaction, may run
     * again after the transaction did: it neither ends the transaction (a lost {@code COMMIT} may
     * have committed) nor leaves state the proxy does not know.
     */
    boolean statementMayRunAgainInTransaction() {
        return ReadOnlyTransactions.inside(lastQuery, lastTraits) == ReadOnlyTransactions.Inside.STAYS
                && !lastTraits.assigned().contains("autocommit");
    }

    /**
     * True when the last statement, if its connection is lost with no transaction open and
     * autocommit off, may run again: it neither commits implicitly nor leaves state the proxy does
     * not know ({@code COMMIT} and {@code ROLLBACK} end nothing then).
     */
    boolean statementMayRunAgainOutsideTransaction() {
        ReadOnlyTransactions.Inside inside = ReadOnlyTransactions.inside(lastQuery, lastTraits);
        return (inside == ReadOnlyTransactions.Inside.STAYS || inside == ReadOnlyTransactions.Inside.ENDS)
                && !lastTraits.assigned().contains("autocommit");
    }

    /** {@code mysql-causal_reads} as the statement about to run has it: its rules' {@code causal_reads}, else the variable. */
    String causalReads() {
        return ruleCausalReads != null ? ruleCausalReads : context.variables().get("mysql-causal_reads");
    }

    /** True when nothing but the open transaction ties the session to its connection. */
    boolean tiedOnlyByTransaction() {
        return !pinnedForGood && !statementPinned && !tracker.pinned();
    }

    /** The session's state, which follows the server's reports. */
    SessionStateTracker tracker() {
        return tracker;
    }

    /** The session state connections must carry before a statement runs. */
    ConnectionState state() {
        return tracker.state();
    }

    /**
     * True when nothing ties the session to the connection it used last, so the connection may go
     * back to the pool (or the next statement may run elsewhere).
     */
    boolean mayMove() {
        return mayMoveOnceFunctionsRead() && !tracker.functionsUnchecked();
    }

    /**
     * The same, but for the stored functions the session called whose bodies the proxy has not
     * read yet ({@link SessionStateTracker#functionsToCheck}): when this holds, they are read now.
     */
    boolean mayMoveOnceFunctionsRead() {
        return !tied() && !tracker.keepForNext() && !tracker.readBackPending();
    }

    /**
     * True while a transaction, pinned state or a rule ties the session to its connection,
     * whatever runs next. {@code autocommit} off alone does not: after a {@code COMMIT} or
     * {@code ROLLBACK} nothing lives on the connection that another cannot be given
     * ({@code autocommit} is a session variable the proxy sets there); from the next statement
     * on the session is tied (see {@link #autocommitOffTransaction}).
     */
    boolean tied() {
        return ServerStatus.has(info.statusFlags(), ServerStatus.IN_TRANS) || pinnedForGood || statementPinned
                || tracker.pinned() || tracker.nextTransactionPending() || (autocommitOff() && autocommitOffTransaction);
    }

    /** Follows {@link #autocommitOffTransaction} for a statement about to run. */
    private void beforeStatement(String query) {
        autocommitOffTransactionBefore = autocommitOffTransaction;
        StatementKind kind = StatementKind.of(query);
        if ((kind == StatementKind.COMMIT || (kind == StatementKind.ROLLBACK && !TO_SAVEPOINT.matcher(query).find()))
                && single(query)) {
            autocommitOffTransaction = false;
        } else if (!autocommitOff()) {
            autocommitOffTransaction = false;
        } else if (kind != StatementKind.SET || !single(query)) {
            autocommitOffTransaction = true;
        }
    }

    private static boolean single(String query) {
        return io.switchyard.frontend.state.SqlLexer.splitStatements(query).size() == 1;
    }

    /**
     * True when autocommit is off, no transaction is open and nothing else ties the session:
     * nothing lives on its connection that another connection cannot be given, so losing the
     * connection loses nothing, and the next statement is the first of a transaction.
     */
    boolean betweenTransactionsWithAutocommitOff() {
        return betweenTransactions(autocommitOffTransaction);
    }

    /**
     * The same as it was before the running statement: true when that statement is the first of a
     * transaction with autocommit off (a loss of its connection loses nothing committed).
     */
    boolean startedBetweenTransactionsWithAutocommitOff() {
        return betweenTransactions(autocommitOffTransactionBefore);
    }

    private boolean betweenTransactions(boolean transactionState) {
        return autocommitOff() && !transactionState && !ServerStatus.has(info.statusFlags(), ServerStatus.IN_TRANS)
                && !pinnedForGood && !statementPinned && !tracker.pinned() && !tracker.nextTransactionPending();
    }

    private boolean autocommitOff() {
        String autocommit = tracker.state().variables().get("autocommit");
        return autocommit != null && (autocommit.equals("'OFF'") || autocommit.equals("0"));
    }

    /**
     * True when nothing but autocommit off or characteristics waiting for the next transaction
     * ties the session to its connection, with no transaction open: both are carried to another
     * connection (autocommit as a session variable, the characteristics by
     * {@link Step#CARRY_CHARACTERISTICS}).
     */
    private boolean freeBetweenTransactions() {
        return !ServerStatus.has(info.statusFlags(), ServerStatus.IN_TRANS) && !pinnedForGood && !statementPinned
                && !tracker.pinned();
    }

    /** The characteristics {@code SET TRANSACTION} gave the session's next transaction, as the server reports them. */
    String nextTransactionCharacteristics() {
        return tracker.nextTransactionCharacteristics();
    }

    /** True when the next transaction is read only: by {@code SET TRANSACTION READ ONLY}, else by the session's default. */
    private boolean nextTransactionReadOnly() {
        String next = tracker.nextTransactionCharacteristics().toUpperCase(java.util.Locale.ROOT);
        if (next.contains("READ ONLY")) {
            return true;
        }
        return !next.contains("READ WRITE") && sessionReadOnly();
    }

    /** The session's transactions are read only by default ({@code SET SESSION TRANSACTION READ ONLY}). */
    private boolean sessionReadOnly() {
        for (String name : new String[] {"tx_read_only", "transaction_read_only"}) {
            String value = tracker.state().variables().get(name);
            if (value != null && (value.equals("'ON'") || value.equals("1") || value.equals("ON"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when {@code query} starts a read-only transaction: {@code START TRANSACTION READ ONLY},
     * {@code BEGIN} in a session whose transactions are read only, or, with autocommit off
     * between transactions in such a session, a statement that may run in it.
     */
    private boolean startsReadOnlyTransaction(String query, StatementTraits traits) {
        return switch (ReadOnlyTransactions.start(query)) {
            case READ_ONLY -> true;
            case SESSION_MODE -> nextTransactionReadOnly();
            case READ_WRITE -> false;
            case NONE -> autocommitOff() && nextTransactionReadOnly() && !ServerStatus.has(info.statusFlags(), ServerStatus.IN_TRANS)
                    && ReadOnlyTransactions.inside(query, traits) == ReadOnlyTransactions.Inside.STAYS;
        };
    }

    /**
     * True when a statement must run where the session ran last (and nowhere else, not even when
     * that connection fails): the session is tied there, or the statement reads the result of the
     * statement before it.
     */
    boolean mustStayWhereItRan(StatementTraits traits) {
        return tied() || (tracker.keepForNext() && traits.readsPrevious());
    }

    /** True when the statement reads the result of the one before it, which only its connection holds. */
    boolean readsPreviousResult(StatementTraits traits) {
        return tracker.keepForNext() && traits.readsPrevious();
    }

    /** The client changed a protocol option on its connection: it stays there until it leaves. */
    void pinForGood() {
        pinnedForGood = true;
    }

    /** A prepared statement's cursor or pending long data ties the session to its connection (or no longer does). */
    void statementPinned(boolean pinned) {
        statementPinned = pinned;
    }

    /** The hostgroup a COM_STMT_PREPARE goes to: where the rules send its text, unless the session must stay. */
    int prepareHostgroup(String sql, int currentHostgroup) {
        if (currentHostgroup >= 0 && mustStayWhereItRan(StatementTraits.PLAIN)) {
            return currentHostgroup;
        }
        int defaultHostgroup = defaultHostgroup();
        QueryRules rules = context.router().rules();
        if (rules.rules().isEmpty()) {
            return defaultHostgroup;
        }
        RuleOutcome outcome = rules.evaluate(queryContext(sql, QueryDigest.of(sql)));
        Integer destination = outcome == null ? null : outcome.destinationHostgroup();
        return destination != null ? destination : defaultHostgroup;
    }

    /** The hostgroup of the session's user, where statements go that no rule sends elsewhere. */
    private int defaultHostgroup() {
        return context.router().hostgroupFor(info.user());
    }

    private QueryContext queryContext(String sql, QueryDigest digest) {
        return QueryContext.of(info.username(), info.schema(), info.clientHost(), sql, digest.text(), digest.hash());
    }

    /**
     * Where a text statement runs, given the hostgroup of the session's current connection and of
     * the one it gave back after its last statement (each -1 when there is none).
     */
    Decision decide(List<Frame> frames, int currentHostgroup, int previousHostgroup) {
        Frame first = frames.get(0);
        int defaultHostgroup = defaultHostgroup();
        boolean mustStay = currentHostgroup >= 0 && (tied() || frames.size() > 1);
        if (frames.size() > 1) {
            // A statement of 16 MiB or more is not read: it might change anything.
            tracker.before(new StatementTraits(java.util.Set.of(PinReason.UNEXPLAINED_CHANGE), false, false, false,
                    false, java.util.List.of(), false, true, false, null, false, false, -1, -1, java.util.List.of(), false,
                    java.util.List.of()));
            return new Decision(mustStay ? currentHostgroup : defaultHostgroup, null, null, null, null, StatementKind.UNKNOWN, null, null);
        }
        ByteBuf payload = first.payload();
        Charset charset = tracker.textCharset();
        String sql = payload.toString(payload.readerIndex() + 1, payload.readableBytes() - 1, charset);
        QueryDigest digest = QueryDigest.of(sql);
        StatementKind kind = StatementKind.of(sql);
        QueryRules rules = context.router().rules();
        if (!rules.rules().isEmpty() && charset == StandardCharsets.UTF_8 && Utf8Escapes.mayHaveLostBytes(sql)) {
            // A rule may write the text again: bytes that are not UTF-8 are kept, escaped.
            sql = Utf8Escapes.decode(payload, payload.readerIndex() + 1, payload.readableBytes() - 1);
        }
        RuleOutcome outcome = rules.rules().isEmpty() ? null
                : rules.evaluate(queryContext(sql, digest));
        if (outcome != null) {
            for (int i = 0; i < outcome.matchCount(); i++) {
                context.stats().ruleHit(outcome.matchedRuleId(i));
            }
            if (outcome.answeredWithOk()) {
                return new Decision(currentHostgroup, null, outcome.okMsg(), null, digest, kind, null, sql);
            }
            if (outcome.blocked()) {
                return new Decision(currentHostgroup, null, null, ProxyError.RULE_BLOCKED.format(outcome.errorMsg()),
                        digest, kind, null, sql);
            }
        }
        String query = outcome == null ? sql : outcome.query(sql);
        // What decides where the statement runs reads it as the server will, under the session's sql_mode.
        String read = tracker.quoteRules().standardText(query);
        boolean keptForNext = tracker.keepForNext();
        StatementTraits traits = tracker.before(read);
        mustStay |= currentHostgroup >= 0 && keptForNext && traits.readsPrevious();
        if (currentHostgroup < 0 && previousHostgroup >= 0 && traits.readsPrevious()) {
            // Back to the connection the last statement ran on, whose result this one reads.
            mustStay = true;
            currentHostgroup = previousHostgroup;
        }
        if (outcome != null && outcome.multiplex() == RuleOutcome.Multiplex.DISABLE) {
            pinnedForGood = true;
        }
        Integer destination = outcome == null ? null : outcome.destinationHostgroup();
        int routed = destination != null ? destination : defaultHostgroup;
        lastQuery = read;
        lastTraits = traits;
        beforeStatement(read);
        ruleCausalReads = outcome == null ? null : outcome.causalReads();
        Placement placed = place(read, traits, currentHostgroup, mustStay, routed, keptForNext && traits.readsPrevious());
        int hostgroup = placed.hostgroup();
        Step step = placed.step();
        List<Frame> rewritten = null;
        if (outcome != null && outcome.rewritten()) {
            ByteBuf body = ByteBufAllocator.DEFAULT.buffer(query.length() + 1);
            body.writeByte(Command.QUERY.code);
            if (charset == StandardCharsets.UTF_8) {
                Utf8Escapes.encode(query, body);
            } else {
                body.writeCharSequence(query, charset);
            }
            if (body.readableBytes() < Wire.MAX_PAYLOAD) {
                rewritten = List.of(Frame.of(0, body));
            } else {
                body.release();
            }
        }
        return new Decision(hostgroup, rewritten, null, null, digest, kind, outcome, query, step);
    }

    /** Where a statement runs and what must happen first ({@link Step}). */
    record Placement(int hostgroup, Step step) {}

    /**
     * Where a statement runs, given where the session must stay ({@code mustStay}: on
     * {@code currentHostgroup}) or else where the rules send it ({@code routed}), once read-only
     * transactions have had their say: one starting goes to the reader hostgroup of
     * {@code routed}'s pair; inside one on a reader, a statement stays, commits it first, or moves
     * it to the writer ({@link ReadOnlyTransactions#inside}).
     */
    private Placement place(String query, StatementTraits traits, int currentHostgroup, boolean mustStay, int routed,
                            boolean readsPrevious) {
        Step step = Step.NONE;
        boolean tiedBefore = tied();
        if (currentHostgroup < 0) {
            readerTransactionWriter = -1;
        }
        if (readerTransactionWriter >= 0) {
            // Inside the transaction a statement that leaves the reader takes the previous
            // results with it: run again on the writer, the transaction ends with the last one.
            if (ServerStatus.has(info.statusFlags(), ServerStatus.IN_TRANS)) {
                switch (ReadOnlyTransactions.inside(query, traits)) {
                    case COMMITS_FIRST -> {
                        step = Step.COMMIT_READER;
                        mustStay = false;
                    }
                    case MOVE -> {
                        step = Step.MOVE_TO_WRITER;
                        routed = readerTransactionWriter;
                    }
                    default -> { }
                }
            } else if (!readsPrevious && freeBetweenTransactions()) {
                mustStay = false;
            }
            if (!mustStay || step == Step.MOVE_TO_WRITER) {
                mustStay = false;
                readerTransactionWriter = -1;
            }
        } else if (mustStay && !readsPrevious && currentHostgroup >= 0 && freeBetweenTransactions()
                && readOnlyTransactionsToReaders() && context.router().readerHostgroupOf(routed) >= 0
                && startsReadOnlyTransaction(query, traits)) {
            mustStay = false;
        }
        if (!mustStay && step != Step.MOVE_TO_WRITER && readOnlyTransactionsToReaders()
                && (freeBetweenTransactions() || step == Step.COMMIT_READER)) {
            int reader = context.router().readerHostgroupOf(routed);
            if (reader >= 0 && startsReadOnlyTransaction(query, traits)) {
                readerTransactionWriter = routed;
                routed = reader;
                context.stats().readOnlyTransactionOnReader();
            }
        }
        int hostgroup = mustStay ? currentHostgroup : routed;
        if (step == Step.NONE && tiedBefore && !mustStay && currentHostgroup >= 0 && hostgroup != currentHostgroup
                && tracker.nextTransactionPending()) {
            // SET TRANSACTION ... waits for the next transaction on the connection the session leaves.
            step = Step.CARRY_CHARACTERISTICS;
        }
        return new Placement(hostgroup, step);
    }

    /**
     * Where a prepared statement's execution runs: where it was prepared ({@code prepared}), or
     * on the current connection when the session must stay there, with read-only transactions
     * placed as for text statements.
     */
    Placement placeExecution(String sql, StatementTraits traits, int currentHostgroup, int prepared) {
        ruleCausalReads = null;
        lastQuery = sql;
        lastTraits = traits;
        beforeStatement(sql);
        boolean readsPrevious = tracker.keepForNext() && traits.readsPrevious();
        boolean mustStay = currentHostgroup >= 0 && mustStayWhereItRan(traits);
        return place(sql, traits, currentHostgroup, mustStay, prepared, readsPrevious);
    }

    private boolean readOnlyTransactionsToReaders() {
        return context.variables().boolValue("mysql-read_only_transactions_to_readers");
    }

    /** Notes the outcome of a command that ran on the current connection. */
    void completed(Command command, ResponseTracker response, io.switchyard.backend.SessionBaseline baseline,
                   io.switchyard.backend.GlobalValues globals) {
        if (command == Command.RESET_CONNECTION && response.error() == null) {
            tracker.onReset(baseline, globals);
            statementPinned = false;
        }
    }
}
