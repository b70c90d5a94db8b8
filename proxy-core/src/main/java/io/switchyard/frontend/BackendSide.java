package io.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.switchyard.backend.BackendConnection;
import io.switchyard.backend.BackendPool;
import io.switchyard.backend.ConnectionState;
import io.switchyard.backend.GlobalValues;
import io.switchyard.backend.ResponseSink;
import io.switchyard.backend.ServerAddress;
import io.switchyard.frontend.state.PinReason;
import io.switchyard.frontend.state.SessionStateRestorer;
import io.switchyard.frontend.state.StatementTraits;
import io.switchyard.frontend.state.StoredFunctionCalls;
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
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
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
 * <p>Longer than the house limit on purpose: sending a command, relaying its response and
 * completing it share the running command's state (the command, its listener, the client flush
 * held for a {@code SET GLOBAL}), and are read together. The proxy's own queries between two
 * client statements are {@link BetweenStatements}; what a lost connection means for the session
 * is {@link ConnectionLoss}, for an open transaction {@link TransactionContinuity}, and for a read
 * that must see earlier writes {@link CausalReads}.
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
    /** The command's results told the client of a change of session state (see {@link #reportsChangeToClient}). */
    private boolean stateChangeFlagged;
    private final LeftCharsets leftCharsets = new LeftCharsets();
    private ResponseListener listener = ResponseListener.NONE;
    private int pinsLogged;
    private boolean unflushedBackendWrites;
    /** Where the server keeps what the session's last statement left for {@code FOUND_ROWS()} and {@code ROW_COUNT()}. */
    private final PreviousResults previousResults = new PreviousResults();
    /** What a lost connection means for the session. */
    private final ConnectionLoss loss;
    /** The proxy's own queries on the session's connection before and after a client statement. */
    private final BetweenStatements between;
    /** What runs when the connection asked of the leases is ready, or cannot be had. */
    private Runnable onLeased;
    private Consumer<ErrPacket> onLeaseFailed;
    /** What starts the command over when the held connection breaks under the lease ({@link #heldLeaseBroken}); null: it fails. */
    private Runnable onLeaseRestart;
    /** Keeps the session's transaction going when its connection cannot (replay, read-only transactions on readers). */
    private final TransactionContinuity continuity;
    /** Reads on replicas that must see earlier writes. */
    private final CausalReads causalReads;
    /** The running statement's transaction was rolled back for a deadlock; it runs again when the response ends. */
    private boolean deadlocked;
    /** The globals of the server the session last borrowed a connection from (for its wait_timeout). */
    private GlobalValues lastGlobals;
    /**
     * The end of a {@code SET GLOBAL}'s response waits in the client channel, unflushed, until
     * the proxy has recorded the new globals ({@link GlobalChangeRead}): a session that starts
     * once the client has its answer gets them, as directly.
     */
    private boolean holdClientFlush;
    /** The prepared statements the client holds, by what they were prepared under and their text ({@link MemoryLimit}). */
    private BiPredicate<ConnectionState, String> heldStatements = (state, sql) -> false;
    /** Brings the session's prepared statements a write's next statement may need to the connection first ({@link PreparedCommands}). */
    private BeforeWrite beforeWrite = (c, then, lost) -> then.run();
    /** Times the client command now running started over (see {@link #failedBeforeSending}). */
    private int restarts;

    /** At most so many starts over of one client command; after them a connection lost before it was sent fails it as in flight. */
    private static final int MAX_RESTARTS = 3;

    /** The proxy's own work on a connection before a write: {@code then} runs after it, {@code lost} when the connection failed under it. */
    interface BeforeWrite {
        void run(BackendConnection c, Runnable then, BiConsumer<BackendConnection, Throwable> lost);
    }

    BackendSide(FrontendContext context, SessionInfo info, StatementRouting routing, SessionActivity activity,
                SessionControl session) {
        this.context = context;
        this.info = info;
        this.routing = routing;
        this.activity = activity;
        this.session = session;
        this.leases = new HostgroupLeases(context, this);
        this.continuity = new TransactionContinuity(context, info, routing, session, this);
        this.causalReads = new CausalReads(context, info, routing, session, this);
        this.loss = new ConnectionLoss(info, routing, session, continuity, this);
        this.between = new BetweenStatements(info, routing, session, this, loss, previousResults);
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

    /** The running command leaves its connection with {@code charsets} instead of the session's: see {@link LeftCharsets}. */
    void leavesCharsets(java.util.Map<String, String> charsets) {
        leftCharsets.leave(charsets);
    }

    /** The state the session's connection carries once its statement ran: see {@link LeftCharsets#carried}. */
    ConnectionState carriedState() {
        return leftCharsets.carried(routing.state());
    }

    /** A client command starts. */
    void begin(Command command) {
        current = command;
        stateChangeFlagged = false;
        leftCharsets.leave(null);
        listener = ResponseListener.NONE;
        restarts = 0;
        activity.started(command);
    }

    // ---- connections ---------------------------------------------------------------------

    /** What keeps the session's transaction going (replay, read-only transactions on readers). */
    TransactionContinuity continuity() {
        return continuity;
    }

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

    /**
     * The global value of {@code name} on the server the session last used, as of change number
     * {@code asOf} (the session's login), else as the monitor last read it; null when unknown.
     */
    String globalAsOfLogin(String name, long asOf) {
        GlobalValues g = lastGlobals;
        return g == null ? null : g.sessionDefault(name, asOf);
    }

    /** Server and thread of the current connection, for KILL; safe from any thread. */
    BackendLease.KillTarget killTarget() {
        return leases.killTarget();
    }

    /** The hostgroup the session's statements run in unless a rule says otherwise. */
    private int sessionHostgroup() {
        return leases.currentHostgroup() >= 0 ? leases.currentHostgroup() : context.router().hostgroupFor(info.user());
    }

    /**
     * After authentication: makes the session hostgroup's connection current, then runs
     * {@code then}. The session starts with the globals as they are then: those the proxy follows
     * are read first where it saw any change ({@link GlobalChangeRead#observe}), and the
     * connection is brought to them.
     */
    void login(Runnable then, Consumer<ErrPacket> failed) {
        Runnable started = () -> {
            BackendConnection c = connection();
            if (c.baseline() != null) {
                long asOf = routing.state().globalsAsOf();
                routing.tracker().clientTracking(c.globals().tracking(c.baseline().tracking(), asOf));
                routing.tracker().loginReading(SessionStateRestorer.unsetValue("sql_mode", asOf, c.baseline(), c.globals()),
                        c.baseline().loginValues().get("character_set_client"));
            }
            then.run();
        };
        lease(sessionHostgroup(), null, () -> {
            BackendConnection c = connection();
            GlobalChangeRead.observe(c, failure -> {
                if (session.closed()) {
                    return;
                }
                if (failure != null) {
                    leases.discard(c);
                    failed.accept(ProxyError.BACKEND_LOST.format(c.address(), failure.getMessage()));
                } else if (routing.tracker().startWithGlobalsOfNow()) {
                    lease(sessionHostgroup(), null, started, failed);
                } else {
                    started.run();
                }
            });
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
        if (continuity.takeReplayPending()) {
            // The transaction's connection was lost: it runs again first, and the command after it, there.
            int transactionHostgroup = continuity.transactionLog().hostgroup();
            continuity.replayAfterLoss(avoid, 1, () -> onHostgroup(transactionHostgroup, null, action, failed));
            return;
        }
        if (loss.heldConnectionClosing()) {
            if (!session.closed()) {
                onHostgroup(hostgroup, avoid, action, failed);
            }
            return;
        }
        ServerAddress lost = loss.takePreviousResultLost();
        if (lost != null && routing.tracker().traits().readsPrevious()) {
            failed.accept(ProxyError.PREVIOUS_RESULT_LOST.format(lost));
            return;
        }
        BackendConnection c = connection();
        // Only before a statement: a prepare (say) leaves ROW_COUNT() and FOUND_ROWS(), which the
        // execution after it may read, and which the read would replace.
        if (current.runsStatement() && c != null && c.isIdle()
                && between.readBackFirst(c, () -> onHostgroup(hostgroup, avoid, action, failed))) {
            return;
        }
        StatementTraits traits = routing.tracker().traits();
        Runnable run = current.runsStatement() && traits.keepsResult() && !traits.readsPrevious()
                ? () -> beforeWrite.run(connection(), action, (broken, cause) -> {
                    if (!mayStartOver()) {
                        action.run();
                    } else if (failedBeforeSending(broken, cause)) {
                        onHostgroup(hostgroup, avoid, action, failed);
                    }
                }) : action;
        if (hostgroup == leases.currentHostgroup() && c != null && c.isIdle()) {
            Runnable held = between.onHeld(c, run, failed);
            if (leftCharsets.giveBack(current.runsStatement() && routing.tracker().traits().readsPrevious())) {
                // Brought to the session's state first (a prepare too, whose literals take them).
                lease(hostgroup, avoid, held, failed, () -> onHostgroup(hostgroup, avoid, action, failed));
            } else {
                held.run();
            }
        } else {
            leftCharsets.forget();
            connectThen(hostgroup, avoid, between.withClientTracking(run), failed);
        }
    }

    /**
     * Runs a statement's {@code action} on {@code hostgroup} as {@link #onHostgroup} does; a read
     * on a replica first waits for the writes it must see ({@link CausalReads}).
     */
    void runStatement(int hostgroup, BackendPool avoid, Runnable action, Consumer<ErrPacket> failed) {
        causalReads.runStatement(hostgroup, avoid, action, failed);
    }

    /** Runs {@code action} once a backend connection is held, acquiring one if the last was lost. */
    void withConnection(List<Frame> frames, Runnable action) {
        if (loss.heldConnectionClosing()) {
            if (!session.closed()) {
                withConnection(frames, action);
            }
            return;
        }
        if (continuity.takeReplayPending()) {
            continuity.replayAfterLoss(null, 1, action);
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
        leases.preferPrevious(routing.tracker().mayUsePreviousResults());
        long waitFrom = System.nanoTime();
        lease(hostgroup, avoid, () -> between.previousResultSetUp(() -> {
            activity.connectionWaited(System.nanoTime() - waitFrom);
            session.enter(SessionPhase.READY);
            action.run();
            session.drain();
        }, failed, false), err -> {
            session.enter(SessionPhase.READY);
            failed.accept(err);
            session.drain();
        });
    }

    /** Same, brought to {@code state} instead of the session's (a transaction runs again from where it started). */
    void leaseInState(int hostgroup, BackendPool avoid, ConnectionState state, Runnable leased,
                      Consumer<ErrPacket> failed) {
        onLeased = leased;
        onLeaseFailed = failed;
        onLeaseRestart = null;
        leases.use(hostgroup, avoid, info.connectionKey(), state);
    }

    /** Drops a connection that failed: it goes back to no one. */
    void discard(BackendConnection failed) {
        leases.discard(failed);
    }

    /** Asks the leases for {@code hostgroup}'s connection in the session's state; their answer runs {@code leased} or {@code failed}. */
    void lease(int hostgroup, BackendPool avoid, Runnable leased, Consumer<ErrPacket> failed) {
        lease(hostgroup, avoid, leased, failed, null);
    }

    /** Same; {@code restart} starts the command over when the held connection breaks under the lease ({@link #heldLeaseBroken}). */
    private void lease(int hostgroup, BackendPool avoid, Runnable leased, Consumer<ErrPacket> failed, Runnable restart) {
        onLeased = leased;
        onLeaseFailed = failed;
        onLeaseRestart = restart;
        leases.use(hostgroup, avoid, info.connectionKey(), routing.state());
    }

    @Override
    public void leased() {
        BackendConnection c = connection();
        if (c != null && c.globals() != null) {
            lastGlobals = c.globals();
        }
        Runnable then = onLeased;
        onLeased = null;
        onLeaseFailed = null;
        onLeaseRestart = null;
        then.run();
    }

    @Override
    public void leaseFailed(ErrPacket err) {
        Consumer<ErrPacket> failed = onLeaseFailed;
        onLeased = null;
        onLeaseFailed = null;
        onLeaseRestart = null;
        failed.accept(err);
    }

    /**
     * The held connection broke while brought to the session's state before a command: none of
     * the command ran. The loss is one between statements ({@link ConnectionLoss#betweenStatements}:
     * the transaction runs again first when it can, the client connection closes when state the
     * session relied on was there); the command then starts over where it can
     * ({@link #failedBeforeSending}), or gets {@code err}.
     */
    @Override
    public void heldLeaseBroken(BackendConnection c, Throwable cause, ErrPacket err) {
        Consumer<ErrPacket> failed = onLeaseFailed;
        Runnable restart = onLeaseRestart;
        onLeased = null;
        onLeaseFailed = null;
        onLeaseRestart = null;
        if (session.closed()) {
            return;
        }
        if (restart != null && mayStartOver()) {
            if (failedBeforeSending(c, cause)) {
                restart.run();
            }
        } else if (!loss.betweenStatements(c, cause)) {
            failed.accept(err);
        }
    }

    void heldStatements(BiPredicate<ConnectionState, String> held) {
        this.heldStatements = held;
    }

    void beforeWrite(BeforeWrite prepare) {
        this.beforeWrite = prepare;
    }

    /** Told the session's state on a connection once its character sets were read there: see {@link BetweenStatements#afterCharsetsRead}. */
    void afterCharsetsRead(BiConsumer<BackendConnection, ConnectionState> restate) {
        between.afterCharsetsRead(restate);
    }

    /**
     * A connection does not serve a session free to move when it is not what the session's own
     * connection would be: a memory limit counts memory it holds for others ({@link MemoryLimit}),
     * or its login took a global the session cannot set from before a change the session started
     * after ({@link io.switchyard.backend.GlobalValues#loginOnlyStale}).
     */
    @Override
    public boolean fit(BackendConnection c) {
        List<String> assigned = routing.tracker().traits().assigned();
        MemoryLimit.before(c, routing.state(), assigned, heldStatements);
        if (!routing.mayMove()) {
            return true;
        }
        return !MemoryLimit.unfit(c, routing.state(), assigned, this)
                && (c.globals() == null || !c.globals().loginOnlyStale(c.loginGlobalsAsOf(), routing.state().globalsAsOf()));
    }

    /** Sends a command on the current connection; its response is relayed to the client and reported to {@code listener}. */
    void send(Command command, ByteBuf packets, ResponseListener listener) {
        this.listener = listener;
        MemoryLimit.before(connection(), routing.state(), routing.tracker().traits().assigned(), heldStatements);
        session.enter(SessionPhase.BUSY);
        BackendConnection c = connection();
        BackendPool pool = leases.currentPool();
        if (routing.tracker().traits().uninstallsPlugin() && pool != null) {
            // The server defers an uninstall while a prepared statement uses the plugin.
            context.sessions().heldStatements().closeUnheld(c, pool, () -> {
                if (session.closed()) {
                    packets.release();
                } else {
                    sendOn(c, command, packets);
                }
            });
            return;
        }
        sendOn(c, command, packets);
    }

    /** Sends on {@code c}, the current connection (a connection lost meanwhile fails the command as it would in flight). */
    private void sendOn(BackendConnection c, Command command, ByteBuf packets) {
        unflushedBackendWrites = false;
        activity.runningOn(leases.currentHostgroup(), c);
        leases.countQuery(packets.readableBytes());
        continuity.sending(command, packets, leases.currentHostgroup(), listener.recordableExecution());
        c.execute(command, packets, this);
    }

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
        if (leases.holdsAny() && mayRelease()) {
            leases.releaseBetweenStatements();
            context.stats().multiplexedRelease();
            session.backendWritabilityChanged();
        }
    }

    /** True when multiplexing is on and nothing ties the session to its connections. */
    private boolean mayRelease() {
        return routing.mayMove() && context.variables().boolValue("mysql-multiplexing");
    }

    /** The same, but for the stored functions whose bodies the proxy reads now ({@link StatementRouting#mayMoveOnceFunctionsRead}). */
    private boolean mayReleaseOnceFunctionsRead() {
        return routing.mayMoveOnceFunctionsRead() && context.variables().boolValue("mysql-multiplexing");
    }

    /** Counts a finished statement in the statistics (commands that are not statements are not counted). */
    void recordStatement(int errorCode, long affectedRows, long rows) {
        activity.record(context, info.id(), info.username(), info.schema(), info.clientHost(), errorCode, affectedRows, rows);
    }

    // ---- response relay (ResponseSink) -------------------------------------------------------

    @Override
    public void responseBytes(ByteBuf bytes) {
        if (routing.onReaderForReadOnlyTransaction() && !listener.answered()) {
            bytes = continuity.asPrimaryAnswers(bytes);
        }
        if (continuity.deadlockRetry(bytes, current, listener)) {
            bytes.release();
            deadlocked = true;
            return;
        }
        continuity.transactionLog().responseBytes(bytes);
        relay(bytes);
    }

    /** Writes response bytes to the client, unless the client already has its answer. */
    private void relay(ByteBuf bytes) {
        if (listener.answered()) {
            bytes.release();
            return;
        }
        bytes = listener.relaying(current, bytes);
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
            continuity.transactionLog().statusPacket(TransactionLog.status(packet));
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
        continuity.transactionLog().statusPacket(ok);
        if (!listener.answered()) {
            String before = routing.tracker().lastGtid();
            routing.tracker().onOk(ok);
            String after = routing.tracker().lastGtid();
            if (!after.equals(before)) {
                context.writes().wrote(after);
            }
        }
        if (header == OkPacket.EOF_HEADER && expectsEofPackets()) {
            boolean changed = reportsChangeToClient(ok);
            relay(Packets.build(client.alloc(), seq, b -> ok.encodeRelayedAsEof(b, changed)));
            return;
        }
        OkPacket forClient = ok.withSessionState(clientTracks ? routing.tracker().forClient(ok.sessionState()) : null);
        BackendConnection c = connection();
        boolean lengthEncodedInfo = clientTracks
                || (c != null && !Capability.has(c.serverHandshake().capabilities(), Capability.CLIENT_MYSQL));
        relay(Packets.build(client.alloc(), seq, b -> forClient.encodeRelayed(b, header, clientTracks, lengthEncodedInfo)));
    }

    @Override
    public boolean expectsEofPackets() {
        return !Capability.has(info.clientCaps(), Capability.CLIENT_DEPRECATE_EOF);
    }

    /**
     * The EOF after column definitions that the server leaves out: see
     * {@link ResponseTracker#eofToInsert}. Its session-state flag is the one the EOF that ends
     * the result gets ({@link #reportsChangeToClient}); cleared when the end was not seen.
     */
    @Override
    public void responseEof(int sequenceId, int warnings, int statusFlags, ByteBuf endOfResult) {
        boolean changed = endOfResult != null && reportsChangeToClient(OkPacket.decodeRelayed(endOfResult.duplicate(), true));
        int status = changed ? statusFlags | ServerStatus.SESSION_STATE_CHANGED : statusFlags & ~ServerStatus.SESSION_STATE_CHANGED;
        relay(Packets.build(client.alloc(), sequenceId, b -> OkPacket.encodeEof(b, warnings, status)));
    }

    /**
     * True when the server, with this client's own tracking settings, would flag the EOF packets
     * of the statement that {@code ok} ends as a change of session state. It flags EOF packets
     * whether or not the client negotiated CLIENT_SESSION_TRACK (it leaves the flag out of OK
     * packets only), so the flag follows what the client's settings track of what the proxy's
     * connection reported. Once set, it stays for the rest of the command's results, as the
     * server's does (each OK reports only the changes since the one before).
     */
    private boolean reportsChangeToClient(OkPacket ok) {
        stateChangeFlagged |= !routing.tracker().forClient(ok.sessionState()).isEmpty();
        return stateChangeFlagged;
    }

    @Override
    public boolean isolatesMetadata() {
        return Capability.has(info.clientCaps(), Capability.MARIADB_CLIENT_CACHE_METADATA);
    }

    /** Metadata caching: see {@link MetadataCaching}. */
    @Override
    public int responseMetadata(ByteBuf chunk, int columns) {
        // The transaction log takes the metadata as the server sent it, which a replay gets too.
        continuity.transactionLog().responseBytes(chunk);
        MetadataCaching.Rewritten r = MetadataCaching.rewrite(chunk, columns, listener, client.alloc());
        relay(r.packets());
        return r.dropped();
    }

    @Override
    public void responseFlush() {
        if (!holdClientFlush) {
            client.flush();
        }
    }

    /** Ends {@link #holdClientFlush}: the client gets what was written for it. */
    private void releaseClientFlush() {
        if (holdClientFlush) {
            holdClientFlush = false;
            client.flush();
        }
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
            continuity.retryAfterDeadlock(connection, listener);
            return;
        }
        boolean answered = listener.answered();
        info.statusFlags(tracker.statusFlags() & ~ServerStatus.SESSION_STATE_CHANGED);
        if (ServerStatus.has(tracker.statusFlags(), ServerStatus.IN_TRANS)) {
            continuity.transactionLog().completedInTransaction();
        } else {
            continuity.transactionLog().clear();
            continuity.transactionEnded();
        }
        listener.completed(current, connection, tracker);
        listener = ResponseListener.NONE;
        if (current == Command.SET_OPTION) {
            connection.markNotReusable();
            routing.pinForGood();
        }
        routing.completed(current, tracker, connection.baseline(), connection.globals());
        if (!connection.tracksSessionState()) {
            routing.tracker().pin(PinReason.UNTRACKED_SERVER);
        }
        info.schema(routing.tracker().schema());
        connection.schema(info.schema());
        if (!answered) {
            recordStatement(tracker.error() == null ? 0 : tracker.error().code(), tracker.affectedRows(), tracker.rows());
            previousResults.ended(current, connection, tracker, routing.tracker());
        }
        if (current == Command.STMT_PREPARE) {
            previousResults.prepared(connection);
        }
        // A prepare runs under the traits of the statement before it (its text is not the
        // session's running statement): those must not be applied, nor read back, again.
        List<String> readBack = current == Command.STMT_PREPARE ? routing.tracker().prepareCompleted(tracker.error() != null,
                tracker.warnings()) : routing.tracker().completed(tracker.error() != null, tracker.mostWarnings());
        boolean freeOnceFunctionsRead = mayReleaseOnceFunctionsRead();
        if (!freeOnceFunctionsRead) {
            readBack = routing.tracker().deferCharsetReadBack(readBack);
        }
        // The bodies of the stored functions the session called are read before it may leave.
        List<StoredFunctionCalls.Call> functions = freeOnceFunctionsRead ? routing.tracker().functionsToCheck() : List.of();
        List<String> globals = current == Command.QUERY || current == Command.STMT_EXECUTE
                ? routing.tracker().traits().globals() : List.of();
        // Values only this connection holds are read before the session may leave it (MariaDB:
        // only there can another connection be given them).
        boolean readResults = previousResults.unreadOn(connection, routing.tracker()) && freeOnceFunctionsRead
                && PreviousResultSetUp.supported(connection);
        if ((readBack.isEmpty() && globals.isEmpty() && !readResults && functions.isEmpty()) || !connection.isIdle()) {
            finishCommand(connection);
            return;
        }
        holdClientFlush = !globals.isEmpty();
        between.afterStatement(connection, readBack, readResults, globals, functions, this::releaseClientFlush,
                () -> finishCommand(connection));
    }

    /** The session's execution was refused before it ran on {@code c}, with {@code err}: see {@link BetweenStatements#refused}. */
    void refused(BackendConnection c, ErrPacket err, Runnable then) {
        recordStatement(err.code(), 0, 0);
        between.refused(c, then);
    }

    /** The command and what the session learned from it are complete: the session takes the next one. */
    private void finishCommand(BackendConnection connection) {
        if (routing.tracker().pinned() && pinsLogged != routing.tracker().pins().size()) {
            pinsLogged = routing.tracker().pins().size();
            log.debug("session {}: stays on backend connection {} ({})", info.id(), connection.id(), routing.tracker().pins());
        }
        ConnectionState carried = leftCharsets.ended(routing.state(), connection.isIdle());
        if (carried != null) {
            leases.ranOnCurrent(carried);
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
        if (!session.closed()) {
            loss.duringCommand(connection, current, cause, bytesRelayed);
        }
    }

    /**
     * {@code c} failed under the proxy's own work before the command was sent there (its
     * statement prepared there first): none of the command ran, so it starts over unless the
     * loss closed the session ({@link ConnectionLoss#beforeCommand}). True when it starts over.
     * Asked only while {@link #mayStartOver}.
     */
    boolean failedBeforeSending(BackendConnection c, Throwable cause) {
        restarts++;
        return !session.closed() && !loss.beforeCommand(c, current, cause);
    }

    /** True while the client command now running may start over once more ({@link #MAX_RESTARTS}). */
    boolean mayStartOver() {
        return restarts < MAX_RESTARTS;
    }

    /** The running command's listener, which no longer hears of its response (the connection under it failed). */
    ResponseListener takeListener() {
        ResponseListener taken = listener;
        listener = ResponseListener.NONE;
        return taken;
    }

    /** A connection the session held between statements closed: see {@link ConnectionLoss#whileHeld}. */
    @Override
    public void backendClosedWhileHeld(BackendConnection connection, Throwable cause) {
        if (!session.closed()) {
            loss.whileHeld(connection, cause);
        }
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
