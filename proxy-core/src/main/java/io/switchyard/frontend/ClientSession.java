package io.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.switchyard.backend.BackendConnection;
import io.switchyard.backend.BackendCredentials;
import io.switchyard.backend.BackendPool;
import io.switchyard.backend.ConnectionKey;
import io.switchyard.backend.ResponseSink;
import io.switchyard.protocol.Capability;
import io.switchyard.protocol.ChangeUser;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.Frame;
import io.switchyard.protocol.FrameDecoder;
import io.switchyard.protocol.HandshakeResponse41;
import io.switchyard.protocol.OkPacket;
import io.switchyard.protocol.Packets;
import io.switchyard.protocol.ProtocolException;
import io.switchyard.protocol.ProxyError;
import io.switchyard.topology.ServerAddress;
import io.switchyard.protocol.ResponseTracker;
import io.switchyard.protocol.ServerStatus;
import io.switchyard.protocol.Wire;
import io.switchyard.frontend.state.PinReason;
import io.switchyard.frontend.state.SessionStateTracker;
import io.switchyard.frontend.state.StatementTraits;
import java.util.function.Consumer;
import io.switchyard.topology.UserConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: the connection phase, then the command phase, relaying each command to
 * a backend connection and the backend's response back as raw bytes.
 *
 * <p>Phases are explicit ({@link SessionPhase}); {@link #channelRead} is the one place that handles an
 * incoming packet per phase. Commands the client pipelines while one is running are queued and
 * run in order. Backpressure runs both ways: an unwritable client stops reads from the backend,
 * an unwritable backend stops reads from the client.
 *
 * <p>Confined to the client channel's event loop; the backend connection it borrows lives on the
 * same loop.
 */
public final class ClientSession extends ChannelInboundHandlerAdapter implements ResponseSink,
        BackendConnection.Holder {
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

    private final FrontendContext context;
    private final long id;
    private final CommandQueue queue = new CommandQueue();
    private Channel channel;
    private String clientHost = "";
    private int clientPort;
    private final SessionActivity activity = new SessionActivity();
    private volatile SessionPhase phase = SessionPhase.LOGIN;
    private ClientLogin login;
    private boolean changingUser;
    private long clientCaps;
    private int collation;
    private volatile UserConfig user;
    private BackendCredentials credentials;
    private volatile String schema;
    private final HostgroupLeases leases;
    private final StatementRouting routing;
    private final PreparedCommands prepared = new PreparedCommands(this);
    private final QueryCommands queries;
    private final StatementRetries retries;
    private int replySeq;
    private int statusFlags = ServerStatus.AUTOCOMMIT;
    private Command current = Command.UNKNOWN;
    private int pinsLogged;
    private boolean backendWritable = true;
    private boolean unflushedBackendWrites;
    /** The server whose connection held the last statement's results when it was lost; null when none was. */
    private ServerAddress previousResultLostOn;

    public ClientSession(FrontendContext context) {
        this.context = context;
        this.id = context.sessions().nextId();
        this.leases = new HostgroupLeases(context);
        this.routing = new StatementRouting(context);
        this.queries = new QueryCommands(this, context);
        this.retries = queries.retries();
    }

    public long id() {
        return id;
    }

    /** What the session is doing now, for the process list; callable from any thread. */
    public ProcessInfo processInfo() {
        UserConfig u = user;
        return activity.snapshot(id, u == null ? null : u.username(), schema, clientHost, clientPort,
                phase);
    }

    /** The authenticated user name, or null during login. */
    public String username() {
        return user == null ? null : user.username();
    }

    /**
     * Moves the session to {@code next}: the one place its phase changes. A closed session stays
     * closed, whatever callback of a command it ran still arrives.
     */
    private void enter(SessionPhase next) {
        if (phase == next || phase == SessionPhase.CLOSED) {
            return;
        }
        log.trace("session {}: {} -> {}", id, phase, next);
        phase = next;
    }

    // ---- connection phase -------------------------------------------------------------

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        if (channel.remoteAddress() instanceof InetSocketAddress address) {
            clientHost = address.getAddress().getHostAddress();
            clientPort = address.getPort();
        }
        context.sessions().add(this);
        if (context.sessions().size() > context.settings().maxClientConnections()) {
            sendErrAndClose(0, ProxyError.PROXY_TOO_MANY_CONNECTIONS.format(context.settings().maxClientConnections()));
            return;
        }
        login = new ClientLogin(context, channel, id, clientHost, this::onAuthenticated,
                (err, seq) -> sendErrAndClose(seq, err));
        login.greet();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame)) {
            Frame.releaseAny(msg);
            return;
        }
        switch (phase) {
            case LOGIN -> {
                try {
                    login.onPacket(frame);
                } finally {
                    frame.release();
                }
            }
            case CONNECTING, BUSY -> enqueue(frame);
            case READY -> {
                enqueue(frame);
                drain();
            }
            case LOCAL_INFILE -> forwardLocalInfile(frame);
            case CLOSED -> frame.release();
        }
    }

    private void onAuthenticated(int okSeq) {
        FrontendAuthenticator auth = login.auth();
        UserConfig newUser = auth.user();
        long sessionsOfUser = context.sessions().countFor(newUser.username());
        if (!changingUser && sessionsOfUser >= newUser.maxConnections()) {
            sendErrAndClose(okSeq, ProxyError.TOO_MANY_CONNECTIONS.format(newUser.username(), sessionsOfUser, newUser.maxConnections()));
            return;
        }
        user = newUser;
        credentials = auth.credentials();
        prepared.clear();
        if (changingUser && schema == null) {
            schema = user.defaultSchema();
        }
        if (!changingUser) {
            HandshakeResponse41 hello = auth.response();
            clientCaps = hello.capabilities() & (context.identity().view().capabilities() | Capability.CLIENT_SSL);
            collation = hello.collation();
            schema = hello.database() != null ? hello.database() : user.defaultSchema();
            login.cancelTimeout();
        }
        routing.reset(schema);
        enter(SessionPhase.CONNECTING);
        useHostgroup(sessionHostgroup(), () -> {
            if (backend().baseline() != null) {
                routing.tracker().clientTracking(backend().baseline().tracking());
            }
            enter(SessionPhase.READY);
            changingUser = false;
            log.debug("session {}: {}@{} logged in, schema {}", id, user.username(), clientHost, schema);
            writeOk(okSeq);
            channel.flush();
            releaseIfFree();
            drain();
        }, err -> sendErrAndClose(okSeq, err));
    }

    // ---- backend connection ------------------------------------------------------------

    /** The hostgroup the session's statements run in unless a rule says otherwise. */
    private int sessionHostgroup() {
        return leases.currentHostgroup() >= 0 ? leases.currentHostgroup() : context.router().hostgroupFor(user);
    }

    /** What makes a pooled connection fit this session: login, wire-affecting capabilities, character set. */
    ConnectionKey connectionKey() {
        return new ConnectionKey(credentials, clientCaps & Capability.WIRE_AFFECTING, collation);
    }

    private void useHostgroup(int hostgroup, Runnable then, java.util.function.Consumer<ErrPacket> failed) {
        leases.use(hostgroup, connectionKey(), routing.state(), channel.eventLoop(), this,
                () -> phase == SessionPhase.CLOSED, then, failed);
    }

    private BackendConnection backend() {
        return leases.connection();
    }

    private void releaseBackend() {
        leases.releaseAll();
    }

    // ---- command phase -----------------------------------------------------------------

    private void enqueue(Frame frame) {
        queue.add(frame);
        updateAutoRead();
    }

    /** Reads from the client while the backend can take data and the command queue wants more. */
    private void updateAutoRead() {
        boolean read = backendWritable && queue.wantsMore();
        if (channel.config().isAutoRead() != read) {
            channel.config().setAutoRead(read);
        }
    }

    /** Runs queued commands until one needs the backend's answer. */
    private void drain() {
        while (phase == SessionPhase.READY && !queue.isEmpty()) {
            List<Frame> command = queue.takeCommand();
            if (command == null) {
                break;
            }
            dispatch(command);
        }
        if (unflushedBackendWrites && backend() != null) {
            unflushedBackendWrites = false;
            backend().flush();
        }
        updateAutoRead();
    }

    private void dispatch(List<Frame> frames) {
        Frame first = frames.get(0);
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i).sequenceId() != i) {
                int got = frames.get(i).sequenceId();
                frames.forEach(Frame::release);
                sendErrAndClose(got + 1, ProxyError.PACKETS_OUT_OF_ORDER.format(i, got));
                return;
            }
        }
        replySeq = frames.size();
        if (first.length() == 0) {
            frames.forEach(Frame::release);
            sendErrAndClose(replySeq, ProxyError.MALFORMED_PACKET.format("empty command packet"));
            return;
        }
        Command command = Command.of(first.firstByte());
        current = command;
        activity.started(command);
        switch (command) {
            case QUIT -> {
                frames.forEach(Frame::release);
                close();
            }
            case PING -> {
                frames.forEach(Frame::release);
                reply(null);
            }
            case CHANGE_USER -> {
                try {
                    changeUser(first.payload());
                } finally {
                    frames.forEach(Frame::release);
                }
            }
            case STMT_CLOSE -> {
                prepared.close(first);
                frames.forEach(Frame::release);
            }
            case STMT_PREPARE -> prepared.prepare(frames);
            case STMT_EXECUTE, STMT_SEND_LONG_DATA, STMT_RESET, STMT_FETCH -> prepared.run(command, frames);
            case QUERY -> queries.run(frames);
            case INIT_DB, FIELD_LIST, STATISTICS, REFRESH, PROCESS_INFO, DEBUG, CREATE_DB, DROP_DB, SET_OPTION, RESET_CONNECTION ->
                forward(command, frames);
            default -> {
                int code = first.firstByte();
                frames.forEach(Frame::release);
                reply(ProxyError.UNKNOWN_COMMAND.format(
                        command == Command.UNKNOWN ? "0x" + Integer.toHexString(code) : command.label()));
            }
        }
    }

    /** Runs {@code action} on {@code hostgroup}'s connection, borrowing one (and restoring the session's state) when needed. */
    void onHostgroup(int hostgroup, List<Frame> frames, Runnable action) {
        onHostgroup(hostgroup, null, action, dropAndReply(frames));
    }

    /** On failure: the command's frames are dropped and the client gets the error. */
    private Consumer<ErrPacket> dropAndReply(List<Frame> frames) {
        return err -> {
            frames.forEach(Frame::release);
            reply(err);
        };
    }

    /** Same, preferring a server other than {@code avoid}; {@code failed} gets the error when no connection could be had. */
    void onHostgroup(int hostgroup, BackendPool avoid, Runnable action, Consumer<ErrPacket> failed) {
        ServerAddress lost = previousResultLostOn;
        previousResultLostOn = null;
        if (lost != null && routing.tracker().traits().readsPrevious()) {
            failed.accept(ProxyError.PREVIOUS_RESULT_LOST.format(lost));
            return;
        }
        if (backend() != null && backend().isIdle() && routing.tracker().lastInsertIdUnknown()
                && !routing.tracker().traits().readsPrevious()) {
            // The connection knows LAST_INSERT_ID(): read it before this statement replaces the
            // last one's results, so that any connection the session moves to gets it.
            BackendConnection c = backend();
            enter(SessionPhase.CONNECTING);
            StateReadBack.run(c, List.of(SessionStateTracker.LAST_INSERT_ID), routing.tracker(), failure -> {
                if (phase == SessionPhase.CLOSED) {
                    return;
                }
                if (failure != null) {
                    leases.discard(c);
                } else {
                    c.sessionState(routing.state());
                }
                enter(SessionPhase.READY);
                onHostgroup(hostgroup, avoid, action, failed);
            });
        } else if (hostgroup == leases.currentHostgroup() && backend() != null && backend().isIdle()) {
            action.run();
        } else {
            connectThen(hostgroup, avoid, action, failed);
        }
    }

    /** Runs {@code action} once a backend connection is held, acquiring one if the last was lost. */
    private void withBackend(List<Frame> frames, Runnable action) {
        if (backend() != null && backend().isIdle()) {
            action.run();
            return;
        }
        if (backend() != null) {
            releaseBackend();
        }
        connectThen(sessionHostgroup(), null, action, dropAndReply(frames));
    }

    /** Makes {@code hostgroup}'s connection current (another server than {@code avoid} if it can), then runs {@code action}. */
    private void connectThen(int hostgroup, BackendPool avoid, Runnable action, Consumer<ErrPacket> failed) {
        enter(SessionPhase.CONNECTING);
        leases.preferPrevious(routing.tracker().traits().readsPrevious());
        leases.use(hostgroup, avoid, connectionKey(), routing.state(), channel.eventLoop(), this,
                () -> phase == SessionPhase.CLOSED, () -> {
            enter(SessionPhase.READY);
            action.run();
            drain();
        }, err -> {
            enter(SessionPhase.READY);
            failed.accept(err);
            drain();
        });
    }

    private void forward(Command command, List<Frame> frames) {
        routing.tracker().before(StatementTraits.PLAIN);
        withBackend(frames, () -> send(command, toPackets(frames)));
    }

    /** Sends a command on the current connection; its response is relayed to the client. */
    void send(Command command, ByteBuf packets) {
        enter(SessionPhase.BUSY);
        unflushedBackendWrites = false;
        activity.runningOn(leases.currentHostgroup(), backend());
        leases.countQuery(packets.readableBytes());
        backend().execute(command, packets, this);
    }

    ByteBuf toPackets(List<Frame> frames) {
        if (frames.size() == 1) {
            return frames.get(0).packet();
        }
        var composite = channel.alloc().compositeDirectBuffer(frames.size());
        for (Frame f : frames) {
            composite.addComponent(true, f.packet());
        }
        return composite;
    }

    private void changeUser(ByteBuf payload) {
        ChangeUser request = ChangeUser.decode(payload, clientCaps);
        if (request.collation() >= 0) {
            collation = request.collation();
        }
        releaseBackend();
        prepared.clear();
        changingUser = true;
        schema = request.database();
        statusFlags = ServerStatus.AUTOCOMMIT;
        enter(SessionPhase.LOGIN);
        login.changeUser(request);
    }

    private void forwardLocalInfile(Frame frame) {
        boolean last = frame.length() == 0;
        backend().forwardLocalInfile(frame.packet(), last);
        if (last) {
            enter(SessionPhase.BUSY);
        }
    }

    // ---- response relay (ResponseSink) -------------------------------------------------------

    @Override
    public void responseBytes(ByteBuf bytes) {
        if (retries.answered()) {
            bytes.release();
            return;
        }
        if (current == Command.STMT_PREPARE) {
            prepared.patchReply(bytes);
        }
        leases.countReceived(bytes.readableBytes());
        channel.write(bytes, channel.voidPromise());
        if (!channel.isWritable() && backend() != null) {
            backend().setAutoRead(false);
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
        boolean clientTracks = Capability.has(clientCaps, Capability.CLIENT_SESSION_TRACK);
        if (!OkPacket.isOk(packet, at + Wire.HEADER_SIZE, length)) {
            // An EOF carries no session-state information; MariaDB sets its status flags the same
            // way whatever the client negotiated.
            responseBytes(packet);
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
        if (!retries.answered()) {
            routing.tracker().onOk(ok);
        }
        OkPacket forClient = ok.withSessionState(clientTracks ? routing.tracker().forClient(ok.sessionState()) : null);
        BackendConnection c = backend();
        boolean lengthEncodedInfo = clientTracks
                || (c != null && !Capability.has(c.serverHandshake().capabilities(), Capability.CLIENT_MYSQL));
        responseBytes(Packets.build(channel.alloc(), seq, b -> forClient.encodeRelayed(b, header, clientTracks, lengthEncodedInfo)));
    }

    @Override
    public void responseFlush() {
        channel.flush();
    }

    @Override
    public void localInfileRequested() {
        enter(SessionPhase.LOCAL_INFILE);
        channel.flush();
        while (phase == SessionPhase.LOCAL_INFILE && !queue.isEmpty()) {
            forwardLocalInfile(queue.poll());
        }
        backend().flush();
        updateAutoRead();
    }

    @Override
    public void responseComplete(BackendConnection connection, ResponseTracker tracker) {
        if (phase == SessionPhase.CLOSED) {
            return;
        }
        statusFlags = tracker.statusFlags() & ~ServerStatus.SESSION_STATE_CHANGED;
        afterCommand(connection, tracker);
        routing.completed(current, tracker, connection.baseline());
        if (!connection.tracksSessionState()) {
            routing.tracker().pin(PinReason.UNTRACKED_SERVER);
        }
        schema = routing.tracker().schema();
        connection.schema(schema);
        if (!retries.answered()) {
            recordStatement(tracker.error() == null ? 0 : tracker.error().code(), tracker.affectedRows(), tracker.rows());
        }
        retries.end();
        List<String> readBack = routing.tracker().completed(tracker.error() != null, tracker.warnings());
        if (readBack.isEmpty() || !connection.isIdle()) {
            finishCommand(connection);
            return;
        }
        StateReadBack.run(connection, readBack, routing.tracker(), failure -> {
            if (phase == SessionPhase.CLOSED) {
                return;
            }
            if (failure != null) {
                leases.discard(connection);
            }
            finishCommand(connection);
        });
    }

    /** The command and what the session learned from it are complete: the session takes the next one. */
    private void finishCommand(BackendConnection connection) {
        if (routing.tracker().pinned() && pinsLogged != routing.tracker().pins().size()) {
            pinsLogged = routing.tracker().pins().size();
            log.debug("session {}: stays on backend connection {} ({})", id, connection.id(), routing.tracker().pins());
        }
        if (connection.isIdle()) {
            leases.ranOnCurrent(routing.state());
        }
        activity.finished();
        enter(SessionPhase.READY);
        if (queue.isEmpty()) {
            releaseIfFree();
        }
        drain();
    }

    /** What a finished command means for prepared statements and the connection. */
    private void afterCommand(BackendConnection connection, ResponseTracker tracker) {
        prepared.completed(current, connection, tracker);
        if (current == Command.SET_OPTION) {
            connection.markNotReusable();
            routing.pinForGood();
        }
    }

    /**
     * Multiplexing: gives the session's connections back to the pool when nothing ties the
     * session to them (see {@link StatementRouting#mayMove}); they keep the session state they
     * carry, and the next statement borrows whichever connection is free.
     */
    private void releaseIfFree() {
        if (leases.holdsAny() && routing.mayMove(statusFlags) && context.variables().boolValue("mysql-multiplexing")) {
            leases.releaseBetweenStatements();
            context.stats().multiplexedRelease();
        }
    }

    /** Counts a finished statement in the statistics (commands that are not statements are not counted). */
    void recordStatement(int errorCode, long affectedRows, long rows) {
        activity.record(context, id, user.username(), schema, clientHost, errorCode, affectedRows, rows);
    }

    @Override
    public void backendFailed(BackendConnection connection, Throwable cause, boolean bytesRelayed) {
        if (phase == SessionPhase.CLOSED) {
            return;
        }
        log.info("session {}: backend connection {} to {} failed during {}: {}", id, connection.id(),
                connection.address(), current.label(), cause.toString());
        leases.discard(connection);
        prepared.abandoned();
        if (retries.retryAfterFailure(connection, bytesRelayed)) {
            return;
        }
        boolean answered = retries.answered();
        retries.end();
        if (answered) {
            enter(SessionPhase.READY);
            drain();
            return;
        }
        recordStatement(ProxyError.BACKEND_LOST.code, 0, 0);
        if (bytesRelayed || tiedToServer()) {
            log.info("session {}: closing the client connection: {}", id, bytesRelayed
                    ? "part of the result was already sent" : "the state it kept on " + connection.address() + " is gone");
            closeAsTheServerDid(cause);
            return;
        }
        previousResultLostOn = connection.address();
        enter(SessionPhase.READY);
        reply(ProxyError.BACKEND_LOST.format(connection.address(), cause.getMessage()));
        drain();
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
        if (phase == SessionPhase.CLOSED) {
            return;
        }
        if (!tiedToServer()) {
            // Held only for the last statement's results (LAST_INSERT_ID(), ROW_COUNT(), warnings).
            leases.discard(connection);
            previousResultLostOn = connection.address();
            return;
        }
        log.info("session {}: closing the client connection: backend connection {} to {}, which held its state, closed: {}",
                id, connection.id(), connection.address(), cause.getMessage());
        closeAsTheServerDid(cause);
    }

    /**
     * Closes the client connection the way the server closed the backend's: reset or in order.
     * Client libraries tell the two apart (MariaDB's reports "server has gone away" for a reset
     * it finds before sending, "lost connection" otherwise), so the client sees what it would
     * see connected directly.
     */
    private void closeAsTheServerDid(Throwable cause) {
        if (channel != null && BackendConnection.resetByServer(cause)) {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
        }
        close();
    }

    /** True when the session's state lives on its backend connections, so it cannot move to others. */
    private boolean tiedToServer() {
        return routing.tied(statusFlags) || !context.variables().boolValue("mysql-multiplexing");
    }

    @Override
    public void backendWritabilityChanged(boolean writable) {
        backendWritable = writable;
        updateAutoRead();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (backend() != null) {
            backend().setAutoRead(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    // ---- for the command collaborators (PreparedCommands, StatementRetries) -----------------

    FrontendContext context() {
        return context;
    }

    HostgroupLeases leases() {
        return leases;
    }

    StatementRouting routing() {
        return routing;
    }

    SessionActivity activity() {
        return activity;
    }

    String schema() {
        return schema;
    }

    int statusFlags() {
        return statusFlags;
    }

    /** Routes a text statement with the session's user, schema, client and transaction status. */
    StatementRouting.Decision decide(List<Frame> frames) {
        return routing.decide(user, schema, clientHost, frames, statusFlags, leases.currentHostgroup(), leases.previousHostgroup(),
                context.router().hostgroupFor(user));
    }

    /** Ends the session now (KILL CONNECTION of itself, or by another session on this loop). */
    void closeNow() {
        close();
    }

    io.netty.channel.EventLoop loop() {
        return channel.eventLoop();
    }

    boolean isClosed() {
        return phase == SessionPhase.CLOSED;
    }

    /** The session waits (for a retry or a delay); commands queue meanwhile. */
    void waiting() {
        enter(SessionPhase.CONNECTING);
    }

    /** A command is under way on the current connection. */
    void busy() {
        enter(SessionPhase.BUSY);
    }

    /** The connection a command is running on, or null when none is. */
    BackendConnection runningOn() {
        return phase == SessionPhase.BUSY ? backend() : null;
    }

    /** Answers the current command with {@code err} and goes on with queued commands. */
    void replyAndResume(ErrPacket err) {
        enter(SessionPhase.READY);
        reply(err);
        drain();
    }

    /** Sends a command that has no reply (long data) and goes on with queued commands. */
    void sendWithoutResponse(BackendConnection c, ByteBuf packets) {
        c.sendWithoutResponse(packets);
        unflushedBackendWrites = true;
        enter(SessionPhase.READY);
        drain();
    }

    /** Where a COM_STMT_PREPARE goes: where the rules send its text, unless the session must stay. */
    int prepareHostgroup(String sql) {
        return routing.prepareHostgroup(user, schema, clientHost, sql, statusFlags, leases.currentHostgroup(),
                context.router().hostgroupFor(user));
    }

    /** The hostgroup a prepared statement runs in: its own, or the current one when the session must stay. */
    int stayHostgroupForPrepared(StatementTraits traits, int own) {
        return leases.currentHostgroup() >= 0 && routing.mustStayForPrepared(traits, statusFlags) ? leases.currentHostgroup() : own;
    }

    /**
     * Kills the running statement on its server: {@code KILL QUERY} over the monitor's
     * connection, or over a data-path connection of the session's user when that fails.
     */
    void killRunningQuery() {
        BackendLease.KillTarget target = leases.killTarget();
        if (target == null) {
            return;
        }
        io.netty.channel.EventLoop loop = channel.eventLoop();
        context.killer().killQuery(target.pool().address(), target.threadId()).whenComplete((done, failure) -> {
            if (failure != null) {
                loop.execute(() -> new KillStatement(true, id).runOn(target, connectionKey(), loop));
            }
        });
    }

    // ---- replies and teardown ------------------------------------------------------------

    private void writeOk(int seq) {
        boolean track = Capability.has(clientCaps, Capability.CLIENT_SESSION_TRACK);
        channel.write(Packets.ok(channel.alloc(), seq, OkPacket.of(statusFlags & ~ServerStatus.SESSION_STATE_CHANGED), track),
                channel.voidPromise());
    }

    /** Answers the current command with OK ({@code err} null) or {@code err}, and flushes. */
    void reply(ErrPacket err) {
        activity.finished();
        if (err == null) {
            writeOk(replySeq);
        } else {
            channel.write(Packets.err(channel.alloc(), replySeq, err), channel.voidPromise());
        }
        channel.flush();
    }

    private void sendErrAndClose(int seq, ErrPacket err) {
        if (phase == SessionPhase.CLOSED || channel == null || !channel.isActive()) {
            close();
            return;
        }
        channel.writeAndFlush(Packets.err(channel.alloc(), seq & 0xff, err)).addListener(ChannelFutureListener.CLOSE);
        enter(SessionPhase.CLOSED);
        cleanup();
    }

    private void close() {
        enter(SessionPhase.CLOSED);
        cleanup();
        if (channel != null) {
            channel.close();
        }
    }

    private void cleanup() {
        if (login != null) {
            login.cancelTimeout();
        }
        queue.clear();
        retries.end();
        releaseBackend();
        context.sessions().remove(this);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (phase != SessionPhase.CLOSED) {
            log.debug("session {}: client {} disconnected in phase {}", id, clientHost, phase);
        }
        enter(SessionPhase.CLOSED);
        cleanup();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        boolean expected = root instanceof ProtocolException || root instanceof IndexOutOfBoundsException
                || root instanceof IOException || root instanceof javax.net.ssl.SSLException;
        if (expected) {
            log.debug("session {} from {}: {}", id, clientHost, root.toString());
        }
        if (root instanceof FrameDecoder.PacketStalledException) {
            sendErrAndClose(0, ProxyError.NET_READ_INTERRUPTED.format(context.settings().netReadTimeoutMillis()));
        } else if (root instanceof FrameDecoder.PacketTooLargeException) {
            sendErrAndClose(0, ProxyError.PACKET_TOO_LARGE.format(context.settings().maxAllowedPacket()));
        } else if (root instanceof ProtocolException || root instanceof IndexOutOfBoundsException) {
            boolean login = phase == SessionPhase.LOGIN;
            sendErrAndClose(login ? this.login.expectedSeq() + 1 : replySeq,
                    (login ? ProxyError.BAD_HANDSHAKE : ProxyError.MALFORMED_PACKET).format(root.getMessage()));
        } else if (expected) {
            close();
        } else {
            log.warn("session {} from {}: internal error", id, clientHost, root);
            sendErrAndClose(replySeq, ProxyError.INTERNAL.format(root.toString()));
        }
    }
}
