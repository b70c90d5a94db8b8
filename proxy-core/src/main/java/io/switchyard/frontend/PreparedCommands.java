package io.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.switchyard.backend.BackendConnection;
import io.switchyard.backend.BackendPool;
import io.switchyard.backend.BackendStatements;
import io.switchyard.backend.ConnectionState;
import io.switchyard.backend.SessionBaseline;
import io.switchyard.frontend.state.PinReason;
import io.switchyard.frontend.state.SessionStateTracker;
import io.switchyard.frontend.state.StatementTraits;
import io.switchyard.protocol.ColumnDefinitions;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.Frame;
import io.switchyard.protocol.ProxyError;
import io.switchyard.protocol.ResponseTracker;
import io.switchyard.protocol.Wire;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A session's prepared-statement commands ({@code COM_STMT_*}), run over
 * {@link PreparedStatements} so statements survive multiplexing: where each runs, the transparent
 * re-prepare, what a reply means for the session's statements (the {@link BackendSide}
 * reports each reply here, as to any {@link ResponseListener}), and what runs again when a
 * connection fails under a command (an execution retried as a text statement is, a command none
 * of which ran started over, an execution after its transaction ran again).
 *
 * <p>Confined to the session's event loop.
 */
final class PreparedCommands implements ResponseListener {
    private final SessionParts parts;
    private final PreparedStatements statements;
    private PreparedStatements.Statement running;
    /** The backend copy {@link #running} runs as, when it runs on one. */
    private BackendStatements.Prepared runningCopy;
    /** The statement of the COM_STMT_EXECUTE being sent when a transaction replay may run it again. */
    private PreparedStatements.Statement recordable;
    /** The client's COM_STMT_PREPARE as it sent it, and where it runs. */
    private record Preparing(byte[] packet, int hostgroup) {}

    /** The client's COM_STMT_PREPARE now running; null when none runs. */
    private Preparing preparing;
    /**
     * An execution sent as it may run again elsewhere when its connection fails (outside a
     * transaction), with the character sets its string parameters are bound under
     * ({@link ExecutionCharsets#boundUnder}), or null.
     */
    private record Sent(StatementAttempt attempt, PreparedStatements.Statement statement, ByteBuf packet,
                        Map<String, String> boundUnder) {
        void release() {
            packet.release();
        }
    }

    /** The execution now running that may be retried; null when none is. */
    private Sent retryable;
    /** A copy of the reply to the client's COM_STMT_PREPARE, while it arrives, for a client that caches metadata. */
    private ByteArrayOutputStream prepareReply;

    PreparedCommands(SessionParts parts) {
        this.parts = parts;
        this.statements = new PreparedStatements(parts.context().sessions().heldStatements());
        parts.backend().heldStatements(statements::holds);
        parts.backend().beforeWrite(this::prepareReadersOfRowCount);
        parts.backend().afterCharsetsRead(statements::charsetsRead);
    }

    /**
     * Before a statement that leaves its {@code ROW_COUNT()} for the next one (a write) runs on
     * {@code c}: prepares there the session's statements that may read {@code ROW_COUNT()} and
     * were prepared under another state than {@code c}'s (another database, {@code sql_mode},
     * character sets), then runs {@code then}. An execution of one right after the write runs on
     * {@code c}; preparing it there only then would take a {@code COM_INIT_DB} or a {@code SET}
     * first, each of which sets {@code ROW_COUNT()} to 0, so it would read 0, not the write's
     * count. A copy {@code c} has already, or a prepare the server refuses, is left as it is.
     */
    private void prepareReadersOfRowCount(BackendConnection c, Runnable then, BiConsumer<BackendConnection, Throwable> lost) {
        if (c == null || !c.isIdle()) {
            then.run();
            return;
        }
        List<PreparedStatements.Statement> readers = statements.readingRowCountUnlike(parts.backend().carriedState().withSchema(c.schema()));
        readers.removeIf(st -> BackendStatements.of(c).find(st.prepareState, st.exact) != null);
        if (readers.isEmpty()) {
            then.run();
            return;
        }
        SessionControl session = parts.session();
        session.enter(SessionPhase.CONNECTING);
        prepareEach(c, readers, 0, () -> {
            if (!session.closed()) {
                session.enter(SessionPhase.READY);
                then.run();
            }
        }, lost);
    }

    private void prepareEach(BackendConnection c, List<PreparedStatements.Statement> readers, int next, Runnable then,
                             BiConsumer<BackendConnection, Throwable> lost) {
        if (next == readers.size()) {
            then.run();
            return;
        }
        parts.context().stats().reprepared();
        Runnable rest = () -> prepareEach(c, readers, next + 1, then, lost);
        PreparedStatements.prepareOn(c, parts.backend().carriedState(), readers.get(next), maxPerConnection(), copy -> rest.run(),
                refused -> rest.run(), lost);
    }

    /**
     * COM_STMT_PREPARE: prepared where the rules send its text (or where the session must stay),
     * under an id the proxy assigns, so that later commands can run on any connection; a
     * statement whose text pins the session pins it from its prepare on.
     */
    void prepare(List<Frame> frames) {
        ByteBuf payload = frames.get(0).payload();
        if (frames.size() > 1 || statements.full()) {
            frames.forEach(Frame::release);
            parts.session().reply(statements.full() ? ProxyError.MAX_PREPARED_STATEMENTS.format(PreparedStatements.MAX_PER_SESSION)
                    : ProxyError.PACKET_TOO_LARGE.format(Wire.MAX_PAYLOAD));
            return;
        }
        SessionStateTracker tracker = parts.routing().tracker();
        String sql = payload.toString(payload.readerIndex() + 1, payload.readableBytes() - 1, tracker.textCharset());
        String exact = payload.toString(payload.readerIndex() + 1, payload.readableBytes() - 1, StandardCharsets.ISO_8859_1);
        parts.activity().describe(sql);
        BackendSide backend = parts.backend();
        int hostgroup = parts.routing().prepareHostgroup(sql, backend.currentHostgroup());
        // A statement prepared in a read-only transaction on a reader belongs where the rules
        // send it: after the transaction it does not run on the reader because it was prepared there.
        int home = parts.routing().onReaderForReadOnlyTransaction() ? parts.routing().prepareHostgroup(sql, -1) : hostgroup;
        PreparedStatements.Statement st = statements.beginPrepare(sql, exact, tracker.quoteRules(),
                tracker.state().withSchema(parts.info().schema()), home, tracker.charsetsUnread());
        // The prepare already changes its connection (a user variable assigned with := exists
        // there from then on), so the session stays where it prepares what its execution would
        // pin it for.
        st.traits.pins().forEach(tracker::pin);
        backend.onHostgroup(hostgroup, frames, () -> {
            ByteBuf packet = CommandQueue.join(frames);
            preparing = new Preparing(ByteBufUtil.getBytes(packet), hostgroup);
            backend.send(Command.STMT_PREPARE, packet, this);
        });
    }

    /**
     * The client's COM_STMT_PREPARE lost its connection before any of the reply reached the
     * client: it is sent again as the client sent it (to another server than the lost one when
     * its hostgroup has one), while {@link BackendSide#mayStartOver}.
     */
    @Override
    public Runnable sendAgain(BackendConnection failed) {
        Preparing lost = preparing;
        preparing = null;
        if (lost == null || !parts.backend().mayStartOver()) {
            return null;
        }
        forgetPrepareReply();
        BackendPool avoid = parts.context().runtime().pool(failed.address());
        return () -> {
            parts.session().enter(SessionPhase.CONNECTING);
            parts.backend().onHostgroup(lost.hostgroup(), avoid, () -> {
                preparing = lost;
                parts.backend().send(Command.STMT_PREPARE, Unpooled.wrappedBuffer(lost.packet()), this);
            }, parts.session()::reply);
        };
    }

    /**
     * COM_STMT_EXECUTE, BULK_EXECUTE, SEND_LONG_DATA, RESET and FETCH: run on the statement's
     * hostgroup (or where the session must stay), on a connection that has the statement prepared
     * (prepared there first when it has not), with the connection's statement id.
     */
    void run(Command command, List<Frame> frames) {
        ByteBuf payload = frames.get(0).payload();
        PreparedStatements.Statement st = payload.readableBytes() < 5 ? null : statements.find(payload);
        BackendConnection held = parts.backend().connection();
        boolean executes = command == Command.STMT_EXECUTE || command == Command.STMT_BULK_EXECUTE;
        if (st == null && executes && payload.readableBytes() >= 5 && statements.namesFailedPrepare(payload)
                && held != null && held.isIdle()) {
            // A pipelined execution of the statement whose prepare just failed: the connection the
            // prepare failed on (which the failure keeps) refuses it as it would have directly, and
            // then holds that error for SHOW WARNINGS.
            parts.routing().tracker().before(StatementTraits.PLAIN, null);
            parts.backend().send(command, CommandQueue.join(frames), this);
            return;
        }
        if (st == null) {
            ErrPacket unknown = payload.readableBytes() < 5 ? ProxyError.MALFORMED_PACKET.format("short " + command.label())
                    : PreparedStatements.unknown(payload, command);
            frames.forEach(Frame::release);
            if (command != Command.STMT_SEND_LONG_DATA) {
                parts.session().reply(unknown);
            }
            return;
        }
        if (executes) {
            parts.activity().classified(st.digest, st.kind, st.sql);
        }
        // Where the statement was prepared, unless the session must stay on its current connection.
        BackendSide backend = parts.backend();
        StatementRouting routing = parts.routing();
        boolean tiedBefore = routing.tied() && !routing.betweenTransactionsWithAutocommitOff();
        int current = backend.currentHostgroup();
        StatementRouting.Placement placed = executes ? routing.placeExecution(st.readSql, st.traits, current, st.hostgroup)
                : new StatementRouting.Placement(current >= 0 && routing.mustStayWhereItRan(st.traits) ? current : st.hostgroup,
                        StatementRouting.Step.NONE);
        int hostgroup = placed.hostgroup();
        routing.tracker().before(executes ? executionTraits(command, st, payload, frames) : StatementTraits.PLAIN,
                executes ? st.readSql : null, st.schema);
        // Retried as a text statement is when nothing tied the session and it reads no previous result.
        StatementAttempt attempt = command == Command.STMT_EXECUTE && placed.step() == StatementRouting.Step.NONE && !tiedBefore
                && !routing.readsPreviousResult(routing.tracker().traits()) ? attempt(hostgroup, st) : null;
        Runnable run = () -> execute(command, frames, st, payload, hostgroup, attempt);
        Runnable dropped = () -> frames.forEach(Frame::release);
        switch (placed.step()) {
            case COMMIT_READER -> backend.continuity().commitReaderTransaction(run);
            case MOVE_TO_WRITER -> backend.continuity().moveReaderTransaction(hostgroup, run, dropped);
            case CARRY_CHARACTERISTICS -> backend.continuity().carryCharacteristics(hostgroup, routing.nextTransactionCharacteristics(), run, dropped);
            case NONE -> run.run();
        }
    }

    /**
     * Runs the command on {@code hostgroup}, on a connection that has the statement prepared
     * (prepared there first when it has not). A connection lost while the proxy prepares the
     * statement there has run none of the command: the command starts over (see
     * {@link BackendSide#failedBeforeSending}).
     */
    private void execute(Command command, List<Frame> frames, PreparedStatements.Statement st, ByteBuf payload, int hostgroup,
                         StatementAttempt attempt) {
        BackendSide backend = parts.backend();
        StatementRouting routing = parts.routing();
        boolean executes = command == Command.STMT_EXECUTE || command == Command.STMT_BULK_EXECUTE;
        backend.runStatement(hostgroup, attempt == null ? null : attempt.avoid(), () -> {
            parts.session().enter(SessionPhase.BUSY);
            BackendConnection c = backend.runningOn();
            // Long data and cursors live on the connection: such an execution cannot run again elsewhere.
            boolean mayRunAgain = command == Command.STMT_EXECUTE && !st.longDataPending
                    && !io.switchyard.protocol.StmtExecute.requestsCursor(payload, payload.readerIndex());
            Consumer<BackendStatements.Prepared> go = copy -> {
                Map<String, String> session = PreparedStatements.conversionCharsets(routing.tracker().state());
                ByteBuf packet = statements.toBackend(command, st, copy, frames, session,
                        PreparedStatements.conversionCharsets(backend.carriedState()));
                routing.statementPinned(statements.pinned());
                if (packet == null) {
                    replyAndResume(ProxyError.STMT_TYPES_TOO_LARGE.format());
                } else if (command == Command.STMT_SEND_LONG_DATA) {
                    backend.sendWithoutResponse(c, packet);
                } else {
                    running = st;
                    runningCopy = copy;
                    // Run again, an execution goes with its types to a new copy, bound under the
                    // connection's character sets then: the session's of that moment in a replay.
                    Map<String, String> bound = ExecutionCharsets.boundUnder(st, session);
                    boolean asNow = bound == null || bound.equals(session);
                    recordable = mayRunAgain && asNow ? st : null;
                    retryable = attempt != null && mayRunAgain && (asNow || !ExecutionCharsets.runsUnderConnections(st))
                            ? new Sent(attempt, st, packet.retainedDuplicate(), bound) : null;
                    sendUnder(c, command, packet, st, ExecutionCharsets.toSet(st), mayRunAgain, bound, hostgroup, attempt);
                }
            };
            withCopy(c, st, go, err -> {
                frames.forEach(Frame::release);
                if (executes) {
                    parts.session().reply(err);
                    backend.refused(c, err, parts.session()::resume);
                } else {
                    replyAndResume(err);
                }
            }, (broken, cause) -> {
                // Long data sent before lives on the lost connection.
                if (executes && !st.longDataPending && backend.mayStartOver()) {
                    if (backend.failedBeforeSending(broken, cause)) {
                        execute(command, frames, st, payload, hostgroup, attempt);
                    } else {
                        frames.forEach(Frame::release);
                    }
                } else {
                    frames.forEach(Frame::release);
                    backend.backendFailed(broken, cause, false);
                }
            });
        }, err -> {
            if (attempt != null && attempt.waitsForServer(err, backend.lastFailedPool())) {
                // No server to run it on yet (a failover): it waits as a text statement does.
                retryLater(attempt, () -> execute(command, frames, st, payload, hostgroup, attempt));
            } else {
                frames.forEach(Frame::release);
                parts.session().reply(err);
            }
        });
    }

    /** The retries of an execution of {@code st} on {@code hostgroup}: as a text statement's ({@link StatementAttempt}). */
    private StatementAttempt attempt(int hostgroup, PreparedStatements.Statement st) {
        io.switchyard.runtime.GlobalVariables vars = parts.context().variables();
        return new StatementAttempt(null, hostgroup, st.kind, !st.traits.functions().isEmpty(), true,
                vars.intValue("mysql-query_retries_on_failure"), 0, vars.intValue("mysql-writer_wait_timeout"));
    }

    private void retryLater(StatementAttempt attempt, Runnable again) {
        attempt.retryLater(parts.context(), parts.session(), parts.backend().loop(), again);
    }

    @Override
    public PreparedStatements.Statement recordableExecution() {
        PreparedStatements.Statement st = recordable;
        recordable = null;
        return st;
    }

    /**
     * The connection failed under an execution that the transaction log recorded: it runs again
     * after the transaction (see {@link BackendSide#onHostgroup}), as recorded, on a copy of its
     * statement prepared on the new connection.
     */
    @Override
    public boolean retriedAfterTransaction(BackendConnection failed) {
        TransactionLog.Execution execution = parts.backend().continuity().transactionLog().pendingExecution();
        if (execution == null || running != execution.statement()) {
            return false;
        }
        running = null;
        runningCopy = null;
        forgetRetryable();
        parts.session().enter(SessionPhase.CONNECTING);
        executeAgain(execution, null, parts.backend().continuity().transactionLog().hostgroup(),
                parts.context().runtime().pool(failed.address()), null);
        return true;
    }

    /**
     * Runs {@code execution} on {@code hostgroup} (another server than {@code avoid} when it has
     * one), on a copy of its statement, prepared there first when the connection has none; a
     * connection lost under that prepare starts it over as {@link #execute} does. Its string
     * parameters are bound under {@code charsets} when not null
     * ({@link ExecutionCharsets#boundUnder} of the first run). With an {@code attempt} (a retry
     * outside a transaction) it may be retried again, and waits for a server as {@link #execute}
     * does.
     */
    private void executeAgain(TransactionLog.Execution execution, Map<String, String> charsets, int hostgroup,
                              BackendPool avoid, StatementAttempt attempt) {
        PreparedStatements.Statement st = execution.statement();
        BackendSide backend = parts.backend();
        SessionControl session = parts.session();
        backend.runStatement(hostgroup, avoid, () -> {
            session.enter(SessionPhase.BUSY);
            BackendConnection c = backend.runningOn();
            Consumer<BackendStatements.Prepared> go = copy -> {
                running = st;
                runningCopy = copy;
                recordable = charsets == null || charsets.equals(PreparedStatements.conversionCharsets(parts.routing().tracker().state()))
                        ? st : null;
                ByteBuf packet = execution.on(copy);
                retryable = attempt == null ? null : new Sent(attempt, st, packet.retainedDuplicate(), charsets);
                boolean asConnection = charsets == null || charsets.equals(PreparedStatements.conversionCharsets(backend.carriedState()));
                sendUnder(c, Command.STMT_EXECUTE, packet, st, asConnection ? null : charsets, true, charsets, hostgroup, attempt);
            };
            withCopy(c, st, go, this::replyAndResume, (broken, cause) -> {
                if (backend.mayStartOver()) {
                    if (backend.failedBeforeSending(broken, cause)) {
                        executeAgain(execution, charsets, hostgroup, null, attempt);
                    }
                } else {
                    backend.backendFailed(broken, cause, false);
                }
            });
        }, err -> {
            if (attempt != null && attempt.waitsForServer(err, backend.lastFailedPool())) {
                retryLater(attempt, () -> executeAgain(execution, charsets, hostgroup, attempt.avoid(), attempt));
                return;
            }
            backend.recordStatement(err.code(), 0, 0);
            session.reply(err);
        });
    }

    /**
     * Sends the execution {@code packet} of {@code st} on {@code c} under {@code toSet} (null: as
     * the connection is, see {@link ExecutionCharsets#sendUnder}). A connection lost while the
     * proxy sets them, before the execution was sent, starts it over on another connection, bound
     * under {@code bound}, when it {@code mayRunAgain} (not a cursor nor long data), while
     * {@link BackendSide#mayStartOver}.
     */
    private void sendUnder(BackendConnection c, Command command, ByteBuf packet, PreparedStatements.Statement st,
                           Map<String, String> toSet, boolean mayRunAgain, Map<String, String> bound, int hostgroup,
                           StatementAttempt attempt) {
        BackendSide backend = parts.backend();
        ExecutionCharsets.sendUnder(backend, c, toSet, () -> backend.send(command, packet, this), cause -> {
            packet.release();
            backend.backendFailed(c, cause, false);
        }, (broken, cause) -> {
            TransactionLog.Execution again = mayRunAgain ? TransactionLog.Execution.of(packet, st) : null;
            packet.release();
            startOver(again, bound, hostgroup, attempt, broken, cause);
        });
    }

    /** Starts {@code execution} over after its connection was lost before it was sent ({@link #sendUnder}); null: it cannot. */
    private void startOver(TransactionLog.Execution execution, Map<String, String> charsets, int hostgroup,
                           StatementAttempt attempt, BackendConnection broken, Throwable cause) {
        BackendSide backend = parts.backend();
        if (execution == null || !backend.mayStartOver()) {
            backend.backendFailed(broken, cause, false);
            return;
        }
        running = null;
        runningCopy = null;
        recordable = null;
        forgetRetryable();
        if (backend.failedBeforeSending(broken, cause)) {
            executeAgain(execution, charsets, hostgroup, null, attempt);
        }
    }

    /**
     * The traits of this execution of {@code st}: the statement's, with the offset its parameter
     * gives when the offset of its final {@code LIMIT} is one ({@link StatementTraits#offsetParameter}).
     */
    private static StatementTraits executionTraits(Command command, PreparedStatements.Statement st, ByteBuf payload,
                                                   List<Frame> frames) {
        if (st.traits.offsetParameter() < 0 || command != Command.STMT_EXECUTE || frames.size() > 1 || st.longDataPending) {
            return st.traits;
        }
        Long offset = io.switchyard.protocol.StmtExecute.integerParameter(payload, payload.readerIndex(), st.params, st.types,
                st.traits.offsetParameter());
        return offset == null || offset < 0 ? st.traits : st.traits.withLimitOffset(offset);
    }

    /**
     * Calls {@code go} with {@code c}'s copy of {@code st}, prepared there first (in the
     * session's state) when it has none; a refusal goes to {@code failed}, a broken connection to
     * {@code broken}.
     */
    private void withCopy(BackendConnection c, PreparedStatements.Statement st, Consumer<BackendStatements.Prepared> go,
                          Consumer<ErrPacket> failed, BiConsumer<BackendConnection, Throwable> broken) {
        BackendStatements.Prepared copy = BackendStatements.of(c).find(st.prepareState, st.exact);
        if (copy != null) {
            go.accept(copy);
            return;
        }
        parts.context().stats().reprepared();
        MemoryLimit.before(c, parts.routing().tracker().state(), st.traits.assigned(), statements::holds);
        // The connection's state: the session's, but for character sets an execution may have left there.
        ConnectionState carried = parts.backend().carriedState();
        boolean switches = !carried.withSchema(c.schema()).prepareState().equals(st.prepareState);
        if (!switches || !PreparedStatements.readsRowCount(st)) {
            PreparedStatements.prepareOn(c, carried, st, maxPerConnection(), go, failed, broken);
            return;
        }
        Runnable prepare = () -> PreparedStatements.prepareOn(c, carried, st, maxPerConnection(),
                made -> previousResultsAgain(c, () -> go.accept(made), broken), failed, broken);
        SessionStateTracker tracker = parts.routing().tracker();
        if (!tracker.previousResultsUnknown() || !PreviousResultSetUp.supported(c)) {
            prepare.run();
            return;
        }
        // Values the proxy does not know (after a cursor, say) are read first, to be given back.
        StateReadBack.run(c, List.of(), tracker, failure -> {
            if (failure != null) {
                broken.accept(c, failure);
            } else {
                prepare.run();
            }
        });
    }

    /**
     * After a prepare that took a {@code COM_INIT_DB} or a {@code SET} there and back (each sets
     * {@code ROW_COUNT()} to 0), for an execution that may read {@code ROW_COUNT()}:
     * gives {@code c} the values the session's last statement left again, as before any statement
     * that reads them ({@link PreviousResultSetUp}), then runs {@code then}. A {@code ROW_COUNT()}
     * above 0 cannot be given this way; the write that left it had the statement prepared on its
     * connection first ({@link #prepareReadersOfRowCount}).
     */
    private void previousResultsAgain(BackendConnection c, Runnable then,
                                      BiConsumer<BackendConnection, Throwable> broken) {
        PreviousResultSetUp.again(c, parts.routing().tracker(), (err, failure) -> {
            if (failure != null) {
                broken.accept(c, failure);
            } else {
                then.run();
            }
        });
    }

    /** COM_STMT_CLOSE: no reply; the connection's copy stays cached for whoever runs the same text. */
    void close(Frame first) {
        if (first.length() >= 5) {
            statements.close(first.payload());
            parts.routing().statementPinned(statements.pinned());
        }
    }

    private void replyAndResume(ErrPacket err) {
        parts.session().reply(err);
        parts.session().resume();
    }

    /**
     * Rewrites the statement id in the first chunk of a COM_STMT_PREPARE reply; for a client that
     * caches metadata, keeps a copy of the reply, whose column definitions the client now holds.
     * An error of a COM_STMT_FETCH that names the statement ({@code The statement (n) has no open
     * cursor}) names it by the client's id, not its backend copy's.
     */
    @Override
    public ByteBuf relaying(Command command, ByteBuf chunk) {
        if (command == Command.STMT_FETCH && running != null && runningCopy != null) {
            return StatementIdErrors.withClientId(chunk, runningCopy.backendId(), running.id);
        }
        if (command == Command.STMT_PREPARE) {
            statements.patchReply(chunk);
            if (parts.backend().isolatesMetadata()) {
                if (prepareReply == null) {
                    prepareReply = new ByteArrayOutputStream();
                }
                byte[] bytes = new byte[chunk.readableBytes()];
                chunk.getBytes(chunk.readerIndex(), bytes);
                prepareReply.writeBytes(bytes);
            }
        }
        return chunk;
    }

    private void forgetPrepareReply() {
        prepareReply = null;
    }

    /**
     * Metadata caching: the client needs the definitions unless what it holds for the statement
     * covers them ({@link ColumnDefinitions.Held#covers}). The results of stored code always
     * carry them, as the server sends them from inside a procedure.
     */
    @Override
    public boolean metadataChanged(byte[] definitions) {
        if (running == null || running.traits.pins().contains(PinReason.STORED_PROGRAM)) {
            return true;
        }
        ColumnDefinitions.Held now = held(definitions);
        if (running.clientMetadata != null && running.clientMetadata.covers(now)) {
            return false;
        }
        running.clientMetadata = now;
        return true;
    }

    /** {@code definitions} sent now, with the session's character sets. */
    private ColumnDefinitions.Held held(byte[] definitions) {
        BackendConnection c = parts.backend().connection();
        SessionBaseline baseline = c == null ? null : c.baseline();
        SessionStateTracker tracker = parts.routing().tracker();
        return new ColumnDefinitions.Held(definitions, tracker.clientCollation(baseline), tracker.resultsCollation(baseline));
    }

    /** What a finished command means for the session's statements. */
    @Override
    public void completed(Command command, BackendConnection connection, ResponseTracker tracker) {
        switch (command) {
            case STMT_PREPARE -> {
                preparing = null;
                PreparedStatements.Statement st = statements.prepareDone(connection, tracker, maxPerConnection());
                if (st != null && prepareReply != null) {
                    byte[] definitions = ColumnDefinitions.ofPrepareReply(Unpooled.wrappedBuffer(prepareReply.toByteArray()),
                            !parts.backend().expectsEofPackets());
                    st.clientMetadata = definitions == null ? null : held(definitions);
                }
                forgetPrepareReply();
            }
            case STMT_EXECUTE, STMT_FETCH -> {
                if (running != null) {
                    statements.executed(running, command, tracker);
                }
            }
            case RESET_CONNECTION -> {
                if (tracker.error() == null) {
                    statements.clear();
                    BackendStatements.of(connection).clear();
                }
            }
            default -> { }
        }
        running = null;
        runningCopy = null;
        forgetRetryable();
        parts.routing().statementPinned(statements.pinned());
    }

    /** The running command ended without a reply (its connection failed). */
    @Override
    public boolean retried(BackendConnection connection, boolean bytesRelayed) {
        running = null;
        runningCopy = null;
        preparing = null;
        forgetPrepareReply();
        Sent sent = retryable;
        retryable = null;
        if (sent == null) {
            return false;
        }
        TransactionLog.Execution execution = bytesRelayed || !sent.attempt().mayRetry(true) ? null
                : TransactionLog.Execution.of(sent.packet(), sent.statement());
        sent.release();
        if (execution == null) {
            return false;
        }
        // Outside a transaction, nothing of its result sent: it runs again elsewhere as a text statement would.
        StatementAttempt attempt = sent.attempt();
        attempt.avoid(parts.context().runtime().pool(connection.address()));
        retryLater(attempt, () -> executeAgain(execution, sent.boundUnder(), attempt.hostgroup(), attempt.avoid(), attempt));
        return true;
    }

    @Override
    public void ended() {
        forgetRetryable();
    }

    private void forgetRetryable() {
        if (retryable != null) {
            retryable.release();
            retryable = null;
        }
    }

    /** Forgets every statement (COM_CHANGE_USER). */
    void clear() {
        statements.clear();
        running = null;
        runningCopy = null;
        preparing = null;
        forgetRetryable();
    }

    private int maxPerConnection() {
        return parts.context().variables().intValue("mysql-max_stmts_per_connection");
    }
}
