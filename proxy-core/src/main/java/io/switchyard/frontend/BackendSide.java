package io.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.switchyard.backend.BackendConnection;
import io.switchyard.backend.BackendPool;
import io.switchyard.backend.GtidPosition;
import io.switchyard.backend.InternalQuery;
import io.switchyard.backend.ServerHealth;
import io.switchyard.backend.ResponseSink;
import io.switchyard.backend.ServerAddress;
import io.switchyard.frontend.state.PinReason;
import io.switchyard.frontend.state.SessionStateTracker;
import io.switchyard.protocol.Capability;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.Frame;
import io.switchyard.protocol.OkPacket;
import io.switchyard.protocol.Packets;
import io.switchyard.protocol.ProxyError;
import io.switchyard.protocol.ResponseTracker;
import io.switchyard.protocol.ServerStatus;
import io.switchyard.protocol.Wire;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backend side of one client session: the connections it holds ({@link HostgroupLeases},
 * which report to it as their {@link LeaseListener}), getting one ready before a command
 * (borrowed, brought to the session's state), sending the command, relaying the response to the
 * client (it is the connection's {@link ResponseSink} and {@link BackendConnection.Holder}) and
 * learning from it what the statement did to the session,
 * backpressure between client and backend, and giving the connections back between statements
 * (multiplexing). It reports to the session through {@link SessionControl}, and to the command
 * that sent a request through that request's {@link ResponseListener}.
 *
 * <p>Longer than most classes here: getting a connection ready, relaying the response and
 * handling a lost connection share the running command's state (the command, its listener, the
 * results lost with a connection), so the backend seam stays one type.
 *
 * <p>Confined to the client channel's event loop; the connections it borrows live on the same loop.
 */
final class BackendSide implements ResponseSink, LeaseListener {
    private static final Logger log = LoggerFactory.getLogger(BackendSide.class);

    private final FrontendContext context;
    private final SessionInfo info;
    private final StatementRouting routing;
    private final SessionActivity activity;
    private final SessionControl session;
    private final HostgroupLeases leases;
    private Channel client;
    private Command current = Command.UNKNOWN;
    private ResponseListener listener = ResponseListener.NONE;
    private int pinsLogged;
    private boolean unflushedBackendWrites;
    /** The server whose connection held the last statement's results when it was lost; null when none was. */
    private ServerAddress previousResultLostOn;
    /** What runs when the connection asked of the leases is ready, or cannot be had. */
    private Runnable onLeased;
    private Consumer<ErrPacket> onLeaseFailed;
    /** The statements of a read-only transaction running on a reader, in case it has to move to the writer. */
    private final TransactionLog transaction = new TransactionLog();
    /** The connection of a transaction that can run again was lost between statements: it runs again before the next. */
    private boolean replayPending;
    /** The running statement's transaction was rolled back for a deadlock; it runs again when the response ends. */
    private boolean deadlocked;
    /** Times the open transaction ran again after a deadlock. */
    private int deadlockRetries;

    BackendSide(FrontendContext context, SessionInfo info, StatementRouting routing, SessionActivity activity,
                SessionControl session) {
        this.context = context;
        this.info = info;
        this.routing = routing;
        this.activity = activity;
        this.session = session;
        this.leases = new HostgroupLeases(context, this);
    }

    /** The client channel responses go to; set once it is active. */
    void attach(Channel client) {
        this.client = client;
    }

    @Override
    public EventLoop loop() {
        return client.eventLoop();
    }

    @Override
    public boolean closed() {
        return session.closed();
    }

    /** A client command starts. */
    void begin(Command command) {
        current = command;
        listener = ResponseListener.NONE;
        activity.started(command);
    }

    // ---- connections ---------------------------------------------------------------------

    /** The connection statements run on now, or null. */
    BackendConnection connection() {
        return leases.connection();
    }

    int currentHostgroup() {
        return leases.currentHostgroup();
    }

    int previousHostgroup() {
        return leases.previousHostgroup();
    }

    /** The server the last borrow could not get a connection from, or null. */
    BackendPool lastFailedPool() {
        return leases.lastFailedPool();
    }

    /** Server and thread of the current connection, for KILL; safe from any thread. */
    BackendLease.KillTarget killTarget() {
        return leases.killTarget();
    }

    /** The hostgroup the session's statements run in unless a rule says otherwise. */
    private int sessionHostgroup() {
        return leases.currentHostgroup() >= 0 ? leases.currentHostgroup() : context.router().hostgroupFor(info.user());
    }

    /** After authentication: makes the session hostgroup's connection current, then runs {@code then}. */
    void login(Runnable then, Consumer<ErrPacket> failed) {
        lease(sessionHostgroup(), null, () -> {
            if (connection().baseline() != null) {
                routing.tracker().clientTracking(connection().baseline().tracking());
            }
            then.run();
        }, failed);
    }

    /** Runs {@code action} on {@code hostgroup}'s connection, borrowing one (and restoring the session's state) when needed. */
    void onHostgroup(int hostgroup, List<Frame> frames, Runnable action) {
        onHostgroup(hostgroup, null, action, dropAndReply(frames));
    }

    /** Same for a statement: a read on a replica sees the writes {@code mysql-causal_reads} asks for (see below). */
    void runStatement(int hostgroup, List<Frame> frames, Runnable action) {
        runStatement(hostgroup, null, action, dropAndReply(frames));
    }

    /** On failure: the command's frames are dropped and the client gets the error. */
    private Consumer<ErrPacket> dropAndReply(List<Frame> frames) {
        return err -> {
            frames.forEach(Frame::release);
            session.reply(err);
        };
    }

    /** Same, preferring a server other than {@code avoid}; {@code failed} gets the error when no connection could be had. */
    void onHostgroup(int hostgroup, BackendPool avoid, Runnable action, Consumer<ErrPacket> failed) {
        if (replayPending) {
            // The transaction's connection was lost: it runs again first, and the command after it, there.
            replayPending = false;
            int transactionHostgroup = transaction.hostgroup();
            replayAfterLoss(avoid, 1, () -> onHostgroup(transactionHostgroup, null, action, failed));
            return;
        }
        if (heldConnectionClosing()) {
            if (!session.closed()) {
                onHostgroup(hostgroup, avoid, action, failed);
            }
            return;
        }
        ServerAddress lost = previousResultLostOn;
        previousResultLostOn = null;
        if (lost != null && routing.tracker().traits().readsPrevious()) {
            failed.accept(ProxyError.PREVIOUS_RESULT_LOST.format(lost));
            return;
        }
        BackendConnection c = connection();
        if (c != null && c.isIdle() && routing.tracker().lastInsertIdUnknown()
                && !routing.tracker().traits().readsPrevious()) {
            // The connection knows LAST_INSERT_ID(): read it before this statement replaces the
            // last one's results, so that any connection the session moves to gets it.
            session.enter(SessionPhase.CONNECTING);
            StateReadBack.run(c, List.of(SessionStateTracker.LAST_INSERT_ID), routing.tracker(), failure -> {
                if (session.closed()) {
                    return;
                }
                if (failure != null) {
                    if (lostBetweenStatements(c, failure)) {
                        return;
                    }
                } else {
                    c.sessionState(routing.state());
                }
                session.enter(SessionPhase.READY);
                onHostgroup(hostgroup, avoid, action, failed);
            });
        } else if (hostgroup == leases.currentHostgroup() && c != null && c.isIdle()) {
            action.run();
        } else {
            connectThen(hostgroup, avoid, action, failed);
        }
    }

    /**
     * Runs a statement's {@code action} on {@code hostgroup} as {@link #onHostgroup} does; when
     * that is the reader hostgroup of a replication pair and {@code mysql-causal_reads} asks for
     * it, the replica first shows that it has the write the read must see, or the statement runs
     * on the pair's writer instead.
     */
    void runStatement(int hostgroup, BackendPool avoid, Runnable action, Consumer<ErrPacket> failed) {
        GtidPosition required = causalPosition(hostgroup);
        if (required == null) {
            onHostgroup(hostgroup, avoid, action, failed);
            return;
        }
        onHostgroup(hostgroup, avoid, () -> causally(hostgroup, required, action, failed), failed);
    }

    /** The position a read on {@code hostgroup} must see, or null when it need not wait (not a reader, or inside a transaction). */
    private GtidPosition causalPosition(int hostgroup) {
        String mode = routing.causalReads();
        if (mode.equals("off") || inTransaction() || context.router().writerHostgroupOf(hostgroup) < 0) {
            // Inside a transaction the snapshot its first statement took decides what it sees.
            return null;
        }
        GtidPosition required = mode.equals("global") ? context.writes().newest() : GtidPosition.parse(routing.tracker().lastGtid());
        return required.isEmpty() ? null : required;
    }

    /**
     * On the reader connection now current: runs {@code action} there when its server is known to
     * have {@code required}, or after {@code MASTER_GTID_WAIT} says it has (within
     * {@code mysql-causal_reads_timeout}); otherwise (timeout, error, or mode {@code fast}) on the
     * pair's writer.
     */
    private void causally(int hostgroup, GtidPosition required, Runnable action, Consumer<ErrPacket> failed) {
        BackendConnection c = connection();
        BackendPool pool = context.runtime().pool(c.address());
        ServerHealth health = pool == null ? null : pool.health();
        if (health != null && health.gtidPosition().covers(required)) {
            action.run();
            return;
        }
        int writer = context.router().writerHostgroupOf(hostgroup);
        if (routing.causalReads().equals("fast") || health == null) {
            context.stats().causalReadOnWriter();
            onHostgroup(writer, null, action, failed);
            return;
        }
        context.stats().causalWait();
        long timeout = context.variables().intValue("mysql-causal_reads_timeout");
        session.enter(SessionPhase.CONNECTING);
        c.executeInternal(Command.QUERY, "SELECT MASTER_GTID_WAIT('" + required + "', " + timeout / 1000 + "." + String.format("%03d", timeout % 1000) + ")",
                new InternalQuery((row, err, failure) -> {
                    if (session.closed()) {
                        return;
                    }
                    session.enter(SessionPhase.READY);
                    if (failure != null) {
                        leases.discard(c);
                    }
                    if (failure == null && err == null && row != null && "0".equals(row.get(0))) {
                        health.gtidReached(required);
                        action.run();
                        return;
                    }
                    context.stats().causalReadOnWriter();
                    onHostgroup(writer, null, action, failed);
                }));
    }

    /** Runs {@code action} once a backend connection is held, acquiring one if the last was lost. */
    void withConnection(List<Frame> frames, Runnable action) {
        if (heldConnectionClosing()) {
            if (!session.closed()) {
                withConnection(frames, action);
            }
            return;
        }
        if (replayPending) {
            replayPending = false;
            replayAfterLoss(null, 1, action);
            return;
        }
        BackendConnection c = connection();
        if (c != null && c.isIdle()) {
            action.run();
            return;
        }
        if (c != null) {
            leases.releaseAll();
        }
        connectThen(sessionHostgroup(), null, action, dropAndReply(frames));
    }

    /** Makes {@code hostgroup}'s connection current (another server than {@code avoid} if it can), then runs {@code action}. */
    private void connectThen(int hostgroup, BackendPool avoid, Runnable action, Consumer<ErrPacket> failed) {
        session.enter(SessionPhase.CONNECTING);
        leases.preferPrevious(routing.tracker().traits().readsPrevious());
        lease(hostgroup, avoid, () -> previousResultSetUp(() -> {
            session.enter(SessionPhase.READY);
            action.run();
            session.drain();
        }, failed), err -> {
            session.enter(SessionPhase.READY);
            failed.accept(err);
            session.drain();
        });
    }

    /**
     * Before a statement that reads the last one's {@code FOUND_ROWS()} or {@code ROW_COUNT()}
     * runs on a connection the session has just borrowed, gives that connection the values the
     * session's last statement left (MariaDB servers), then runs {@code then}. A server error
     * leaves the values as they are; a lost connection fails the statement.
     */
    private void previousResultSetUp(Runnable then, Consumer<ErrPacket> failed) {
        BackendConnection c = connection();
        List<String> setUp = PreviousResultSetUp.statements(c, routing.tracker());
        if (setUp.isEmpty()) {
            then.run();
            return;
        }
        PreviousResultSetUp.run(c, setUp, (err, failure) -> {
            if (session.closed()) {
                return;
            }
            if (failure != null) {
                leases.discard(c);
                session.enter(SessionPhase.READY);
                failed.accept(ProxyError.BACKEND_LOST.format(c.address(), failure.getMessage()));
                session.drain();
                return;
            }
            if (err != null) {
                log.warn("session {}: could not set up the previous statement's results on {}: {}", info.id(), c.address(),
                        err.message());
            }
            then.run();
        });
    }

    /** Asks the leases for {@code hostgroup}'s connection in the session's state; their answer runs {@code leased} or {@code failed}. */
    private void lease(int hostgroup, BackendPool avoid, Runnable leased, Consumer<ErrPacket> failed) {
        onLeased = leased;
        onLeaseFailed = failed;
        leases.use(hostgroup, avoid, info.connectionKey(), routing.state());
    }

    @Override
    public void leased() {
        Runnable then = onLeased;
        onLeased = null;
        onLeaseFailed = null;
        then.run();
    }

    @Override
    public void leaseFailed(ErrPacket err) {
        Consumer<ErrPacket> failed = onLeaseFailed;
        onLeased = null;
        onLeaseFailed = null;
        failed.accept(err);
    }

    /** Sends a command on the current connection; its response is relayed to the client and reported to {@code listener}. */
    void send(Command command, ByteBuf packets, ResponseListener listener) {
        this.listener = listener;
        session.enter(SessionPhase.BUSY);
        unflushedBackendWrites = false;
        activity.runningOn(leases.currentHostgroup(), connection());
        leases.countQuery(packets.readableBytes());
        if (routing.onReaderForReadOnlyTransaction() || (replayOn() && (inTransaction() || routing.mayStartTransaction()))) {
            transaction.sent(command, packets, context.variables().intValue("mysql-transaction_replay_max_size"),
                    routing.state(), routing.tracker().nextTransactionCharacteristics(), leases.currentHostgroup(),
                    TransactionLog.Scope.of(context.variables().get("mysql-transaction_replay_checksum")));
        } else {
            transaction.notRecorded();
        }
        connection().execute(command, packets, this);
    }

    private boolean replayOn() {
        return context.variables().boolValue("mysql-transaction_replay");
    }

    private boolean inTransaction() {
        return ServerStatus.has(info.statusFlags(), ServerStatus.IN_TRANS);
    }

    // ---- running a transaction again --------------------------------------------------------

    /**
     * True when the session's open transaction can run again on another connection: every
     * statement of it is recorded, and nothing but the transaction ties the session to its
     * connection (no temporary tables, locks, user variables, cursors).
     */
    private boolean transactionReplayable() {
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
        onLeased = () -> PreviousResultSetUp.run(connection(),
                io.switchyard.frontend.state.SqlLexer.splitStatements(transaction.characteristics()), (err, failure) -> {
            if (session.closed()) {
                return;
            }
            if (err != null || failure != null) {
                done.accept("the transaction's characteristics could not be set again: " + (err != null ? err.message() : failure));
                return;
            }
            BackendConnection c = connection();
            transaction.replay(c, (mismatch, replayFailure, last) -> {
                if (session.closed()) {
                    return;
                }
                if (replayFailure != null) {
                    leases.discard(c);
                    done.accept("the connection failed: " + replayFailure.getMessage());
                    return;
                }
                if (mismatch == null && last != null) {
                    info.statusFlags(last.statusFlags() & ~ServerStatus.SESSION_STATE_CHANGED);
                    c.sessionState(routing.state());
                }
                done.accept(mismatch);
            });
        });
        onLeaseFailed = err -> done.accept(err.message());
        leases.use(hostgroup, avoid, info.connectionKey(), transaction.startState());
    }

    /**
     * The connection of the session's open transaction was lost: the transaction runs again on
     * another connection of its hostgroup (after a failover, the new writer's, once the monitor
     * confirms it), up to {@code mysql-transaction_replay_attempts} times when that fails too;
     * then {@code then} runs. When a statement gives another result there, or no attempt
     * succeeds, the client gets error 9017 and its connection is closed.
     */
    private void replayAfterLoss(BackendPool avoid, int attempt, Runnable then) {
        replayTransaction(avoid, why -> {
            if (why == null) {
                context.stats().transactionReplayed();
                log.info("session {}: transaction ran again on {} ({} statements, same results)", info.id(),
                        connection().address(), transaction.statements());
                session.enter(SessionPhase.READY);
                then.run();
                return;
            }
            boolean failedConnection = why.startsWith("the connection failed") || why.startsWith("Max connect")
                    || why.startsWith("Cannot reach");
            if (failedConnection && attempt < context.variables().intValue("mysql-transaction_replay_attempts")) {
                long backoff = Math.min(1_000, (long) context.variables().intValue("mysql-query_retry_backoff_ms") << Math.min(attempt, 10));
                loop().schedule(() -> {
                    if (!session.closed()) {
                        replayAfterLoss(lastFailedPool(), attempt + 1, then);
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
        BackendConnection c = connection();
        transaction.clear();
        session.enter(SessionPhase.CONNECTING);
        c.executeInternal(Command.QUERY, "COMMIT", (err, failure) -> {
            if (session.closed()) {
                return;
            }
            session.enter(SessionPhase.READY);
            if (failure != null || err != null) {
                leases.discard(c);
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
        BackendConnection reader = connection();
        if (reader != null) {
            leases.discard(reader);
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
        BackendConnection old = connection();
        if (old != null) {
            leases.discard(old);
        }
        List<String> statements = io.switchyard.frontend.state.SqlLexer.splitStatements(characteristics);
        session.enter(SessionPhase.CONNECTING);
        lease(hostgroup, null, () -> PreviousResultSetUp.run(connection(), statements, (err, failure) -> {
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

    private void closeWith(ErrPacket err) {
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
    private boolean deadlockRetry(ByteBuf bytes) {
        int at = bytes.readerIndex();
        if (current != Command.QUERY || listener.answered() || bytes.readableBytes() < Wire.HEADER_SIZE + 3
                || bytes.getUnsignedByte(at + Wire.HEADER_SIZE) != ErrPacket.HEADER
                || bytes.getUnsignedShortLE(at + Wire.HEADER_SIZE + 1) != DEADLOCK
                || Wire.HEADER_SIZE + Wire.payloadLength(bytes, at) != bytes.readableBytes()) {
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
    private void retryAfterDeadlock(BackendConnection c) {
        deadlockRetries++;
        byte[] statement = transaction.pendingPackets();
        ResponseListener waiting = listener;
        log.info("session {}: deadlock in a transaction; it runs again ({} of at most {})", info.id(), deadlockRetries,
                context.variables().intValue("mysql-transaction_replay_attempts"));
        PreviousResultSetUp.run(c, io.switchyard.frontend.state.SqlLexer.splitStatements(transaction.characteristics()), (err, failure) -> {
            if (session.closed()) {
                return;
            }
            if (err != null || failure != null) {
                transaction.clear();
                closeWith(ProxyError.TRANSACTION_NOT_REPLAYED.format("after a deadlock, the transaction's characteristics could not be set again"));
                return;
            }
            transaction.replay(c, (mismatch, replayFailure, last) -> {
                if (session.closed()) {
                    return;
                }
                if (mismatch != null || replayFailure != null) {
                    transaction.clear();
                    closeWith(ProxyError.TRANSACTION_NOT_REPLAYED.format("after a deadlock, "
                            + (mismatch != null ? mismatch : "the connection failed: " + replayFailure.getMessage())));
                    return;
                }
                if (last != null) {
                    info.statusFlags(last.statusFlags() & ~ServerStatus.SESSION_STATE_CHANGED);
                }
                context.stats().transactionReplayed();
                send(Command.QUERY, io.netty.buffer.Unpooled.wrappedBuffer(statement), waiting);
            });
        });
    }

    private static final int DEADLOCK = 1213;

    /** ERR 1290 (the reader's read_only) for a write in a read-only transaction becomes the primary's 1792. */
    private ByteBuf asPrimaryAnswers(ByteBuf bytes) {
        int at = bytes.readerIndex();
        if (bytes.readableBytes() < Wire.HEADER_SIZE + 3 || bytes.getUnsignedByte(at + Wire.HEADER_SIZE) != ErrPacket.HEADER
                || bytes.getUnsignedShortLE(at + Wire.HEADER_SIZE + 1) != READ_ONLY_OPTION
                || Wire.HEADER_SIZE + Wire.payloadLength(bytes, at) != bytes.readableBytes()) {
            return bytes;
        }
        int seq = Wire.sequenceId(bytes, at);
        bytes.release();
        return Packets.err(client.alloc(), seq, READ_ONLY_TRANSACTION);
    }

    private static final int READ_ONLY_OPTION = 1290;
    private static final ErrPacket READ_ONLY_TRANSACTION =
            new ErrPacket(1792, "25006", "Cannot execute statement in a READ ONLY transaction");

    /** Sends a command that has no reply (long data) and goes on with queued commands. */
    void sendWithoutResponse(BackendConnection c, ByteBuf packets) {
        c.sendWithoutResponse(packets);
        unflushedBackendWrites = true;
        session.resume();
    }

    /** Flushes what {@link #sendWithoutResponse} left unflushed, once no queued command follows it. */
    void flushWrites() {
        if (unflushedBackendWrites && connection() != null) {
            unflushedBackendWrites = false;
            connection().flush();
        }
    }

    /** One packet of a local file the server asked for; the empty one ends it. */
    void forwardLocalInfile(ByteBuf packet, boolean last) {
        connection().forwardLocalInfile(packet, last);
    }

    void flush() {
        connection().flush();
    }

    /** The connection a command is running on, or null when none is. */
    BackendConnection runningOn() {
        return session.phase() == SessionPhase.BUSY ? connection() : null;
    }

    /** Gives every connection back to its pool (each is reset there): the session ends or starts over. */
    void releaseAll() {
        leases.releaseAll();
        session.backendWritabilityChanged();
    }

    /**
     * Multiplexing: gives the session's connections back to the pool when nothing ties the
     * session to them (see {@link StatementRouting#mayMove}); they keep the session state they
     * carry, and the next statement borrows whichever connection is free.
     */
    void releaseIfFree() {
        if (leases.holdsAny() && routing.mayMove() && context.variables().boolValue("mysql-multiplexing")) {
            leases.releaseBetweenStatements();
            context.stats().multiplexedRelease();
            session.backendWritabilityChanged();
        }
    }

    /** Counts a finished statement in the statistics (commands that are not statements are not counted). */
    void recordStatement(int errorCode, long affectedRows, long rows) {
        activity.record(context, info.id(), info.username(), info.schema(), info.clientHost(), errorCode, affectedRows, rows);
    }

    // ---- response relay (ResponseSink) -------------------------------------------------------

    @Override
    public void responseBytes(ByteBuf bytes) {
        if (routing.onReaderForReadOnlyTransaction() && !listener.answered()) {
            bytes = asPrimaryAnswers(bytes);
        }
        if (deadlockRetry(bytes)) {
            bytes.release();
            deadlocked = true;
            return;
        }
        transaction.responseBytes(bytes);
        relay(bytes);
    }

    /** Writes response bytes to the client, unless the client already has its answer. */
    private void relay(ByteBuf bytes) {
        if (listener.answered()) {
            bytes.release();
            return;
        }
        listener.relaying(current, bytes);
        leases.countReceived(bytes.readableBytes());
        client.write(bytes, client.voidPromise());
        if (!client.isWritable() && connection() != null) {
            connection().setAutoRead(false);
        }
    }

    /**
     * An OK or EOF that ends a statement or a result: the session learns what the statement did
     * to its state from the OK's session-state information, and the client gets the OK as it
     * negotiated it (with the session-state information its own tracking settings ask for, or
     * none); an EOF goes as it is.
     */
    @Override
    public void responseStatusPacket(ByteBuf packet) {
        int at = packet.readerIndex();
        int length = Wire.payloadLength(packet, at);
        int header = packet.getUnsignedByte(at + Wire.HEADER_SIZE);
        boolean clientTracks = info.clientTracks();
        if (!OkPacket.isOk(packet, at + Wire.HEADER_SIZE, length)) {
            // An EOF carries no session-state information; MariaDB sets its status flags the same
            // way whatever the client negotiated.
            transaction.statusPacket(TransactionLog.status(packet));
            relay(packet);
            return;
        }
        OkPacket ok;
        try {
            ok = OkPacket.decodeRelayed(packet.slice(at + Wire.HEADER_SIZE, length), true);
        } catch (RuntimeException e) {
            packet.release();
            throw e;
        }
        int seq = Wire.sequenceId(packet, at);
        packet.release();
        transaction.statusPacket(ok);
        if (!listener.answered()) {
            String before = routing.tracker().lastGtid();
            routing.tracker().onOk(ok);
            String after = routing.tracker().lastGtid();
            if (!after.equals(before)) {
                context.writes().wrote(after);
            }
        }
        OkPacket forClient = ok.withSessionState(clientTracks ? routing.tracker().forClient(ok.sessionState()) : null);
        BackendConnection c = connection();
        boolean lengthEncodedInfo = clientTracks
                || (c != null && !Capability.has(c.serverHandshake().capabilities(), Capability.CLIENT_MYSQL));
        relay(Packets.build(client.alloc(), seq, b -> forClient.encodeRelayed(b, header, clientTracks, lengthEncodedInfo)));
    }

    @Override
    public boolean isolatesMetadata() {
        return Capability.has(info.clientCaps(), Capability.MARIADB_CLIENT_CACHE_METADATA);
    }

    /** Metadata caching: see {@link MetadataCaching}. */
    @Override
    public int responseMetadata(ByteBuf chunk, int columns) {
        MetadataCaching.Rewritten r = MetadataCaching.rewrite(chunk, columns, listener, client.alloc());
        responseBytes(r.packets());
        return r.dropped();
    }

    @Override
    public void responseFlush() {
        client.flush();
    }

    @Override
    public void localInfileRequested() {
        session.localInfileRequested();
    }

    @Override
    public void responseComplete(BackendConnection connection, ResponseTracker tracker) {
        if (session.closed()) {
            return;
        }
        if (deadlocked) {
            deadlocked = false;
            retryAfterDeadlock(connection);
            return;
        }
        boolean answered = listener.answered();
        info.statusFlags(tracker.statusFlags() & ~ServerStatus.SESSION_STATE_CHANGED);
        if (ServerStatus.has(tracker.statusFlags(), ServerStatus.IN_TRANS)) {
            transaction.completedInTransaction();
        } else {
            transaction.clear();
            deadlockRetries = 0;
        }
        listener.completed(current, connection, tracker);
        listener = ResponseListener.NONE;
        if (current == Command.SET_OPTION) {
            connection.markNotReusable();
            routing.pinForGood();
        }
        routing.completed(current, tracker, connection.baseline());
        if (!connection.tracksSessionState()) {
            routing.tracker().pin(PinReason.UNTRACKED_SERVER);
        }
        info.schema(routing.tracker().schema());
        connection.schema(info.schema());
        if (!answered) {
            recordStatement(tracker.error() == null ? 0 : tracker.error().code(), tracker.affectedRows(), tracker.rows());
            if (current == Command.QUERY || current == Command.STMT_EXECUTE || current == Command.STMT_BULK_EXECUTE) {
                routing.tracker().statementResult(tracker.error() != null || tracker.resultSets() != 1,
                        tracker.resultSetsWithColumns() == 1, tracker.rows(), tracker.affectedRows());
            }
        }
        List<String> readBack = routing.tracker().completed(tracker.error() != null, tracker.warnings());
        if (readBack.isEmpty() || !connection.isIdle()) {
            finishCommand(connection);
            return;
        }
        StateReadBack.run(connection, readBack, routing.tracker(), failure -> {
            if (session.closed()) {
                return;
            }
            if (failure != null && lostBetweenStatements(connection, failure)) {
                return;
            }
            finishCommand(connection);
        });
    }

    /**
     * True when the connection holding the session's state is closing but its close has not
     * reached the session yet (a command arrived first): it is handled now as that close would
     * be ({@link #lostBetweenStatements}), so that the command never runs on another connection
     * without the state. False when there is nothing to handle; after true the connection is
     * gone, and the caller starts over unless that closed the session.
     */
    private boolean heldConnectionClosing() {
        BackendConnection held = connection();
        if (held == null || held.isIdle() || session.phase() == SessionPhase.BUSY || !tiedToServer()
                || routing.tiedOnlyByAutocommitBetweenTransactions()) {
            return false;
        }
        lostBetweenStatements(held, new java.nio.channels.ClosedChannelException());
        return true;
    }

    /**
     * The session's connection failed under a query the proxy ran between statements (reading
     * state back): it is dropped. When the session's state lived there, the transaction runs
     * again before the next statement when it can ({@code mysql-transaction_replay}), or the
     * client connection is closed as the server closed the backend's; true when it was closed.
     */
    private boolean lostBetweenStatements(BackendConnection c, Throwable failure) {
        leases.discard(c);
        if (!tiedToServer() || routing.tiedOnlyByAutocommitBetweenTransactions()) {
            return false;
        }
        if (replayOn() && transactionReplayable()) {
            replayPending = true;
            return false;
        }
        log.info("session {}: closing the client connection: backend connection {} to {}, which held its state, failed: {}",
                info.id(), c.id(), c.address(), failure.getMessage());
        session.closeAsTheServerDid(failure);
        return true;
    }

    /** The command and what the session learned from it are complete: the session takes the next one. */
    private void finishCommand(BackendConnection connection) {
        if (routing.tracker().pinned() && pinsLogged != routing.tracker().pins().size()) {
            pinsLogged = routing.tracker().pins().size();
            log.debug("session {}: stays on backend connection {} ({})", info.id(), connection.id(), routing.tracker().pins());
        }
        if (connection.isIdle()) {
            leases.ranOnCurrent(routing.state());
        }
        activity.finished();
        session.enter(SessionPhase.READY);
        if (!session.commandsQueued()) {
            releaseIfFree();
        }
        session.drain();
    }

    @Override
    public void backendFailed(BackendConnection connection, Throwable cause, boolean bytesRelayed) {
        if (session.closed()) {
            return;
        }
        log.info("session {}: backend connection {} to {} failed during {}: {}", info.id(), connection.id(),
                connection.address(), current.label(), cause.toString());
        leases.discard(connection);
        ResponseListener failed = listener;
        listener = ResponseListener.NONE;
        // Inside a transaction that can run again, or as the first statement of one (autocommit off:
        // nothing committed, the transaction it started ended with the connection).
        boolean transactionLost = transactionReplayable();
        boolean firstOfTransaction = !inTransaction() && routing.tiedOnlyByAutocommitBetweenTransactions();
        boolean mayRunAgain = transactionLost ? routing.statementMayRunAgainInTransaction()
                : routing.statementMayRunAgainOutsideTransaction();
        if (!bytesRelayed && replayOn() && (transactionLost || firstOfTransaction) && transaction.pendingRecorded()
                && mayRunAgain && current == Command.QUERY && !failed.answered()) {
            replayPending = transactionLost;
            if (failed.retriedAfterTransaction(connection)) {
                return;
            }
            replayPending = false;
        }
        if (failed.retried(connection, bytesRelayed)) {
            return;
        }
        boolean answered = failed.answered();
        failed.ended();
        if (answered) {
            session.resume();
            return;
        }
        recordStatement(ProxyError.BACKEND_LOST.code, 0, 0);
        if (bytesRelayed || tiedToServer()) {
            log.info("session {}: closing the client connection: {}", info.id(), bytesRelayed
                    ? "part of the result was already sent" : "the state it kept on " + connection.address() + " is gone");
            session.closeAsTheServerDid(cause);
            return;
        }
        previousResultLostOn = connection.address();
        session.enter(SessionPhase.READY);
        session.reply(ProxyError.BACKEND_LOST.format(connection.address(), cause.getMessage()));
        session.drain();
    }

    /**
     * A connection the session held between statements closed (its server went away or
     * {@code OFFLINE_HARD}). If the session held it because state lives there (a transaction,
     * temporary tables, locks, variables, or multiplexing is off), that state is gone, so the
     * client connection is closed as the server closed it: the client's library then reports the
     * loss itself, and nothing runs without the state it relied on. If it held it only for the
     * last statement's results, the session goes on, and a statement that reads those results
     * gets an error instead of a fresh connection's values.
     */
    @Override
    public void backendClosedWhileHeld(BackendConnection connection, Throwable cause) {
        if (session.closed()) {
            return;
        }
        if (replayOn() && transactionReplayable()) {
            // The transaction runs again on another connection before the session's next command.
            log.info("session {}: backend connection {} to {} closed during a transaction ({}); it runs again before the next statement",
                    info.id(), connection.id(), connection.address(), cause.getMessage());
            leases.discard(connection);
            replayPending = true;
            return;
        }
        if (!tiedToServer() || routing.tiedOnlyByAutocommitBetweenTransactions()) {
            // Held only for the last statement's results (LAST_INSERT_ID(), ROW_COUNT(), warnings),
            // or for autocommit off between transactions: the next statement runs on another
            // connection, brought to the session's state.
            leases.discard(connection);
            previousResultLostOn = connection.address();
            return;
        }
        log.info("session {}: closing the client connection: backend connection {} to {}, which held its state, closed: {}",
                info.id(), connection.id(), connection.address(), cause.getMessage());
        session.closeAsTheServerDid(cause);
    }

    /** True when the session's state lives on its backend connections, so it cannot move to others. */
    boolean tiedToServer() {
        return routing.tied() || !context.variables().boolValue("mysql-multiplexing");
    }

    /**
     * True while the backend can take more of the client's data: the current connection's socket
     * is writable, or the session has none. Read from the connection itself rather than kept from
     * its events, which may reach the session after the connection has changed hands.
     */
    boolean writable() {
        BackendConnection c = connection();
        return c == null || c.isWritable();
    }

    @Override
    public void backendWritabilityChanged(boolean writable) {
        session.backendWritabilityChanged();
    }

    /** The client's socket became writable or not: reads from the backend follow. */
    void clientWritabilityChanged(boolean writable) {
        if (connection() != null) {
            connection().setAutoRead(writable);
        }
    }
}
