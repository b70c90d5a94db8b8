package io.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import io.switchyard.backend.BackendConnection;
import io.switchyard.backend.BackendPool;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.Packets;
import io.switchyard.protocol.ProxyError;
import io.switchyard.protocol.ServerStatus;
import io.switchyard.protocol.Wire;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What keeps a session's transaction going when the connection under it cannot: it runs again
 * on another connection from its {@link TransactionLog} ({@code mysql-transaction_replay}: after
 * the connection was lost, or after a deadlock), and a read-only transaction on a reader commits
 * there, moves to the writer, or has its {@code SET TRANSACTION} characteristics carried to
 * another connection ({@code mysql-read_only_transactions_to_readers}). Each either goes on as
 * if nothing happened or ends the client connection with a clear error.
 *
 * <p>Confined to the session's event loop.
 */
final class TransactionContinuity {
    private static final Logger log = LoggerFactory.getLogger(TransactionContinuity.class);

    private final FrontendContext context;
    private final SessionInfo info;
    private final StatementRouting routing;
    private final SessionControl session;
    private final BackendSide backend;
    /** The statements of the open transaction, in case it has to run again elsewhere. */
    private final TransactionLog transaction = new TransactionLog();
    /** The connection of a transaction that can run again was lost between statements: it runs again before the next. */
    private boolean replayPending;
    /** Times the open transaction ran again after a deadlock. */
    private int deadlockRetries;

    TransactionContinuity(FrontendContext context, SessionInfo info, StatementRouting routing, SessionControl session,
                          BackendSide backend) {
        this.context = context;
        this.info = info;
        this.routing = routing;
        this.session = session;
        this.backend = backend;
    }

    /** The transaction's log: the relay records statements and responses in it. */
    TransactionLog transactionLog() {
        return transaction;
    }

    /** Notes that the open transaction runs again before the session's next command. */
    void replayBeforeNextCommand() {
        replayPending = true;
    }

    /** True (once) when the open transaction must run again before the command now starting. */
    boolean takeReplayPending() {
        boolean pending = replayPending;
        replayPending = false;
        return pending;
    }

    /** The transaction ended: the deadlock retries start over. */
    void transactionEnded() {
        deadlockRetries = 0;
    }

    /**
     * Records (or not) a command about to be sent, with what running the transaction again would
     * need; {@code execution} is the statement of a COM_STMT_EXECUTE that may run again.
     */
    void sending(Command command, io.netty.buffer.ByteBuf packets, int hostgroup, PreparedStatements.Statement execution) {
        if (routing.onReaderForReadOnlyTransaction() || (replayOn() && (inTransaction() || routing.mayStartTransaction()))) {
            transaction.sent(command, packets, execution, context.variables().intValue("mysql-transaction_replay_max_size"),
                    routing.state(), routing.tracker().nextTransactionCharacteristics(), hostgroup,
                    TransactionLog.Scope.of(context.variables().get("mysql-transaction_replay_checksum")));
        } else {
            transaction.notRecorded();
        }
    }

    boolean replayOn() {
        return context.variables().boolValue("mysql-transaction_replay");
    }

    boolean inTransaction() {
        return ServerStatus.has(info.statusFlags(), ServerStatus.IN_TRANS);
    }

    // ---- running a transaction again --------------------------------------------------------

    /**
     * True when the session's open transaction can run again on another connection: every
     * statement of it is recorded, and nothing but the transaction ties the session to its
     * connection (no temporary tables, locks, user variables, cursors).
     */
    boolean transactionReplayable() {
        return inTransaction() && transaction.replayable() && routing.tiedOnlyByTransaction();
    }

    /**
     * Runs the recorded transaction again on a connection of its hostgroup (another server than
     * {@code avoid} when the hostgroup has one), brought first to the session state the
     * transaction started from, with its {@code SET TRANSACTION} characteristics; {@code done}
     * gets null when every statement gave the client's result again (the connection is then
     * current, in the transaction and in the session's state), or why not.
     */
    private void replayTransaction(BackendPool avoid, Consumer<String> done) {
        session.enter(SessionPhase.CONNECTING);
        int hostgroup = transaction.hostgroup();
        backend.leaseInState(hostgroup, avoid, transaction.startState(), () -> {
            BackendConnection c = backend.connection();
            rerunOn(c, transaction.startState(), (why, last) -> {
                if (why == null && last != null) {
                    c.sessionState(routing.state());
                }
                done.accept(why);
            });
        }, err -> done.accept(err.message()));
    }

    /**
     * Runs the recorded transaction again on {@code c}, which is in the session state
     * {@code state}: prepares there the statements it executed, sets its {@code SET TRANSACTION}
     * characteristics and runs its statements; {@code done} gets null and the last response when
     * every statement gave the client's result again (the session's status flags then follow
     * it), or why not (a connection that failed is dropped).
     */
    private void rerunOn(BackendConnection c, io.switchyard.backend.ConnectionState state,
                         java.util.function.BiConsumer<String, io.switchyard.protocol.ResponseTracker> done) {
        transaction.prepareStatements(c, state, context.variables().intValue("mysql-max_stmts_per_connection"), (why, failure, none) -> {
            if (session.closed()) {
                return;
            }
            if (failure != null) {
                backend.discard(c);
                done.accept(CONNECTION_FAILED + failure.getMessage(), null);
            } else if (why != null) {
                done.accept(why, null);
            } else {
                rerunPrepared(c, done);
            }
        });
    }

    private void rerunPrepared(BackendConnection c, java.util.function.BiConsumer<String, io.switchyard.protocol.ResponseTracker> done) {
        PreviousResultSetUp.run(c, io.switchyard.frontend.state.SqlLexer.splitStatements(transaction.characteristics()), (err, failure) -> {
            if (session.closed()) {
                return;
            }
            if (err != null || failure != null) {
                done.accept("the transaction's characteristics could not be set again: " + (err != null ? err.message() : failure), null);
                return;
            }
            transaction.replay(c, (mismatch, replayFailure, last) -> {
                if (session.closed()) {
                    return;
                }
                if (replayFailure != null) {
                    backend.discard(c);
                    done.accept(CONNECTION_FAILED + replayFailure.getMessage(), null);
                    return;
                }
                if (mismatch == null && last != null) {
                    info.statusFlags(last.statusFlags() & ~ServerStatus.SESSION_STATE_CHANGED);
                }
                done.accept(mismatch, last);
            });
        });
    }

    private static final String CONNECTION_FAILED = "the connection failed: ";

    /**
     * The connection of the session's open transaction was lost: the transaction runs again on
     * another connection of its hostgroup (after a failover, the new writer's, once the monitor
     * confirms it), up to {@code mysql-transaction_replay_attempts} times when that fails too;
     * then {@code then} runs. When a statement gives another result there, or no attempt
     * succeeds, the client gets error 9017 and its connection is closed.
     */
    void replayAfterLoss(BackendPool avoid, int attempt, Runnable then) {
        replayTransaction(avoid, why -> {
            if (why == null) {
                context.stats().transactionReplayed();
                log.info("session {}: transaction ran again on {} ({} statements, same results)", info.id(),
                        backend.connection().address(), transaction.statements());
                session.enter(SessionPhase.READY);
                then.run();
                return;
            }
            boolean failedConnection = why.startsWith(CONNECTION_FAILED) || why.startsWith("Max connect")
                    || why.startsWith("Cannot reach");
            if (failedConnection && attempt < context.variables().intValue("mysql-transaction_replay_attempts")) {
                long backoff = Math.min(1_000, (long) context.variables().intValue("mysql-query_retry_backoff_ms") << Math.min(attempt, 10));
                log.info("session {}: running the transaction again failed (attempt {}): {}; next attempt in {} ms", info.id(), attempt,
                        why, backoff);
                backend.loop().schedule(() -> {
                    if (!session.closed()) {
                        replayAfterLoss(backend.lastFailedPool(), attempt + 1, then);
                    }
                }, backoff, java.util.concurrent.TimeUnit.MILLISECONDS);
                return;
            }
            context.stats().transactionReplayFailed();
            transaction.clear();
            closeWith(ProxyError.TRANSACTION_NOT_REPLAYED.format(why));
        });
    }

    // ---- read-only transactions on a reader ----------------------------------------------------

    /**
     * Before a statement that commits implicitly: ends the read-only transaction on the reader
     * with a {@code COMMIT}, as the statement would have (it wrote nothing), then runs {@code then}.
     */
    void commitReaderTransaction(Runnable then) {
        BackendConnection c = backend.connection();
        transaction.clear();
        session.enter(SessionPhase.CONNECTING);
        c.executeInternal(Command.QUERY, "COMMIT", (err, failure) -> {
            if (session.closed()) {
                return;
            }
            session.enter(SessionPhase.READY);
            if (failure != null || err != null) {
                backend.discard(c);
            }
            info.statusFlags(info.statusFlags() & ~ServerStatus.IN_TRANS);
            routing.tracker().transactionEndedByProxy();
            then.run();
        });
    }

    /**
     * Before a statement that needs the writer (it would leave state on the reader, or takes
     * locks): the read-only transaction moves to {@code writerHostgroup}. The reader's connection
     * is closed (which ends the transaction there), and the transaction's statements run again on
     * a writer connection; when each gives the client's result again, {@code then} runs there.
     * Otherwise the client gets an error and its connection is closed: it has seen results the
     * writer does not give, and the transaction cannot go on anywhere.
     */
    void moveReaderTransaction(int writerHostgroup, Runnable then, Runnable dropped) {
        BackendConnection reader = backend.connection();
        if (reader != null) {
            backend.discard(reader);
        }
        if (!transaction.replayable()) {
            transaction.clear();
            dropped.run();
            failMove("the transaction ran commands that cannot be run again (not text statements, or more than "
                    + "mysql-transaction_replay_max_size bytes)");
            return;
        }
        transaction.moveTo(writerHostgroup);
        replayTransaction(null, why -> {
            if (why == null && !ServerStatus.has(info.statusFlags(), ServerStatus.IN_TRANS_READONLY)) {
                why = "the transaction did not start read only there";
            }
            if (why != null) {
                transaction.clear();
                dropped.run();
                failMove(why);
                return;
            }
            context.stats().readOnlyTransactionMoved();
            session.enter(SessionPhase.READY);
            then.run();
        });
    }

    /**
     * Before a statement that starts a transaction in {@code hostgroup} while the characteristics
     * of {@code SET TRANSACTION} wait on the current connection: they are set on a connection of
     * {@code hostgroup} (the server reports them as the statements that set them), the current
     * connection, which would keep them for its next user, is closed, and {@code then} runs.
     */
    void carryCharacteristics(int hostgroup, String characteristics, Runnable then, Runnable dropped) {
        BackendConnection old = backend.connection();
        if (old != null) {
            backend.discard(old);
        }
        List<String> statements = io.switchyard.frontend.state.SqlLexer.splitStatements(characteristics);
        session.enter(SessionPhase.CONNECTING);
        backend.lease(hostgroup, null, () -> PreviousResultSetUp.run(backend.connection(), statements, (err, failure) -> {
            if (session.closed()) {
                dropped.run();
                return;
            }
            if (err != null || failure != null) {
                dropped.run();
                closeWith(ProxyError.CHARACTERISTICS_NOT_CARRIED.format(characteristics,
                        err != null ? err.message() : failure.getMessage()));
                return;
            }
            session.enter(SessionPhase.READY);
            then.run();
        }), err -> {
            dropped.run();
            session.enter(SessionPhase.READY);
            session.reply(err);
        });
    }

    void closeWith(ErrPacket err) {
        log.info("session {}: closing the client connection: {}", info.id(), err.message());
        session.enter(SessionPhase.READY);
        session.replyAndClose(err);
    }

    private void failMove(String why) {
        context.stats().readOnlyTransactionMoveFailed();
        closeWith(ProxyError.READ_ONLY_TRANSACTION_NOT_MOVED.format(why));
    }

    /**
     * True when {@code bytes} are the whole response of a statement inside a transaction that can
     * run again, an ERR 1213 (deadlock: the server rolled the transaction back), and
     * {@code mysql-transaction_replay_retry_on_deadlock} asks for the transaction to run again
     * instead (at most {@code mysql-transaction_replay_attempts} times).
     */
    boolean deadlockRetry(ByteBuf bytes, Command current, ResponseListener listener) {
        if (current != Command.QUERY || listener.answered() || onlyErrorCode(bytes) != DEADLOCK) {
            return false;
        }
        return replayOn() && context.variables().boolValue("mysql-transaction_replay_retry_on_deadlock")
                && transactionReplayable() && transaction.pendingRecorded() && routing.statementMayRunAgainInTransaction()
                && deadlockRetries < context.variables().intValue("mysql-transaction_replay_attempts");
    }

    /**
     * The statement's transaction was rolled back for a deadlock: it runs again on the same
     * connection, and then the statement. When a replayed statement gives another result, the
     * client gets 9017 and its connection is closed.
     */
    void retryAfterDeadlock(BackendConnection c, ResponseListener listener) {
        deadlockRetries++;
        byte[] statement = transaction.pendingPackets();
        ResponseListener waiting = listener;
        log.info("session {}: deadlock in a transaction; it runs again ({} of at most {})", info.id(), deadlockRetries,
                context.variables().intValue("mysql-transaction_replay_attempts"));
        rerunOn(c, routing.state(), (why, last) -> {
            if (why != null) {
                transaction.clear();
                closeWith(ProxyError.TRANSACTION_NOT_REPLAYED.format("after a deadlock, " + why));
                return;
            }
            context.stats().transactionReplayed();
            backend.send(Command.QUERY, io.netty.buffer.Unpooled.wrappedBuffer(statement), waiting);
        });
    }

    private static final int DEADLOCK = 1213;

    /** ERR 1290 (the reader's read_only) for a write in a read-only transaction becomes the primary's 1792. */
    ByteBuf asPrimaryAnswers(ByteBuf bytes) {
        if (onlyErrorCode(bytes) != READ_ONLY_OPTION) {
            return bytes;
        }
        int seq = Wire.sequenceId(bytes, bytes.readerIndex());
        bytes.release();
        return Packets.err(io.netty.buffer.ByteBufAllocator.DEFAULT, seq, READ_ONLY_TRANSACTION);
    }

    /** The error code when {@code bytes} are exactly one ERR packet (a statement's whole response), else -1. */
    private static int onlyErrorCode(ByteBuf bytes) {
        int at = bytes.readerIndex();
        if (bytes.readableBytes() < Wire.HEADER_SIZE + 3 || bytes.getUnsignedByte(at + Wire.HEADER_SIZE) != ErrPacket.HEADER
                || Wire.HEADER_SIZE + Wire.payloadLength(bytes, at) != bytes.readableBytes()) {
            return -1;
        }
        return bytes.getUnsignedShortLE(at + Wire.HEADER_SIZE + 1);
    }

    private static final int READ_ONLY_OPTION = 1290;
    private static final ErrPacket READ_ONLY_TRANSACTION =
            new ErrPacket(1792, "25006", "Cannot execute statement in a READ ONLY transaction");
}
