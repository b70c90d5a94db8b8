package io.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.switchyard.frontend.state.StatementTraits;
import io.switchyard.protocol.Capability;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.Frame;
import io.switchyard.protocol.OkPacket;
import io.switchyard.protocol.Packets;
import io.switchyard.protocol.ProxyError;
import io.switchyard.protocol.ServerStatus;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command phase of a client session and the session's phase itself: the commands the client
 * pipelines wait in a queue and run one at a time, in order, each by its handler (text statements
 * by {@link QueryCommands}, prepared statements by {@link PreparedCommands}, other commands
 * forwarded as they are, PING and unknown commands answered here) on the {@link BackendSide}; the
 * session answers them from here. Reads from the client follow the queue and the backend's
 * writability.
 *
 * <p>Confined to the client channel's event loop, except {@link #phase()}, which the process
 * list reads from any thread.
 */
final class SessionCommands implements SessionControl {
    private static final Logger log = LoggerFactory.getLogger(SessionCommands.class);

    /** What the command phase asks of the client connection it serves. */
    interface Connection {
        /** COM_CHANGE_USER: the client logs in again. */
        void changeUser(ByteBuf payload);

        /** Sends {@code err} under sequence id {@code seq} and closes the connection. */
        void closeWithError(int seq, ErrPacket err);

        /** Closes the connection: with a reset when {@code cause} is the server resetting the backend's, else in order. */
        void close(Throwable cause);

        /** Closes the connection with a reset, as the server ends one idle past its wait_timeout. */
        void reset();
    }

    private final SessionInfo info;
    private final StatementRouting routing;
    private final SessionActivity activity;
    private final BackendSide backend;
    private final PreparedCommands prepared;
    private final QueryCommands queries;
    private final Connection connection;
    private final CommandQueue queue = new CommandQueue();
    private volatile SessionPhase phase = SessionPhase.LOGIN;
    private Channel channel;
    private int replySeq;
    private final FrontendContext context;
    private IdleTimeout idleTimeout;

    SessionCommands(FrontendContext context, SessionInfo info, SessionActivity activity, Connection connection) {
        this.context = context;
        this.info = info;
        this.routing = new StatementRouting(context, info);
        this.activity = activity;
        this.connection = connection;
        this.backend = new BackendSide(context, info, routing, activity, this);
        SessionParts parts = new SessionParts(context, info, routing, activity, backend, this);
        this.prepared = new PreparedCommands(parts);
        this.queries = new QueryCommands(parts);
    }

    /** The client channel replies go to; set once it is active. */
    void attach(Channel client) {
        this.channel = client;
        backend.attach(client);
        idleTimeout = new IdleTimeout(client.eventLoop(), this::idleLimitMillis, () -> {
            log.debug("session {}: idle for longer than its wait_timeout ({} ms); closing it", info.id(), idleLimitMillis());
            context.stats().idleTimeout();
            connection.reset();
        });
    }

    /**
     * How long the session may wait for its next command, in ms (0: no limit): its own
     * {@code wait_timeout} (what it set, else the server's global {@code wait_timeout}, or
     * {@code interactive_timeout} for a client that logged in with CLIENT_INTERACTIVE, as of its
     * login, on the server it last used), capped by {@code mysql-wait_timeout}.
     */
    long idleLimitMillis() {
        long cap = context.variables().intValue("mysql-wait_timeout");
        String own = routing.tracker().state().variables().get("wait_timeout");
        if (own == null) {
            boolean interactive = Capability.has(info.clientCaps(), Capability.CLIENT_INTERACTIVE);
            own = backend.globalAsOfLogin(interactive ? "interactive_timeout" : "wait_timeout", routing.tracker().state().globalsAsOf());
        }
        long seconds = seconds(own);
        long session = seconds > 0 ? seconds * 1_000 : 0;
        return session <= 0 ? cap : cap <= 0 ? session : Math.min(session, cap);
    }

    /** A whole number of seconds in {@code value} (a literal, quoted or not), or 0. */
    private static long seconds(String value) {
        String digits = io.switchyard.backend.SqlLiteral.name(value);
        if (digits == null) {
            return 0;
        }
        try {
            return Long.parseLong(digits.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    BackendSide backend() {
        return backend;
    }

    StatementRouting routing() {
        return routing;
    }

    /** The sequence id the reply to the current command starts with. */
    int replySeq() {
        return replySeq;
    }

    @Override
    public SessionPhase phase() {
        return phase;
    }

    /**
     * Moves the session to {@code next}: the one place its phase changes. A closed session stays
     * closed, whatever callback of a command it ran still arrives.
     */
    @Override
    public void enter(SessionPhase next) {
        if (phase == next || phase == SessionPhase.CLOSED) {
            return;
        }
        log.trace("session {}: {} -> {}", info.id(), phase, next);
        phase = next;
        if (idleTimeout != null) {
            if (next == SessionPhase.READY) {
                idleTimeout.idle();
            } else if (next == SessionPhase.CLOSED) {
                idleTimeout.stop();
            } else {
                idleTimeout.busy();
            }
        }
    }

    /** Forgets every prepared statement (a new login). */
    void clearPrepared() {
        prepared.clear();
    }

    /**
     * The session ends: queued commands are dropped, the running statement ends, its client's
     * prepared statements are forgotten, connections go back.
     */
    void clear() {
        queue.clear();
        queries.end();
        prepared.clear();
        backend.releaseAll();
    }

    // ---- queue -------------------------------------------------------------------------

    void enqueue(Frame frame) {
        queue.add(frame);
        updateAutoRead();
    }

    /** Reads from the client while the backend can take data and the command queue wants more. */
    private void updateAutoRead() {
        boolean read = backend.writable() && queue.wantsMore();
        if (channel.config().isAutoRead() != read) {
            channel.config().setAutoRead(read);
        }
    }

    @Override
    public void backendWritabilityChanged() {
        updateAutoRead();
    }

    @Override
    public boolean commandsQueued() {
        return !queue.isEmpty();
    }

    /** Runs queued commands until one needs the backend's answer. */
    @Override
    public void drain() {
        while (phase == SessionPhase.READY && !queue.isEmpty()) {
            List<Frame> command = queue.takeCommand();
            if (command == null) {
                break;
            }
            idleTimeout.busy();
            dispatch(command);
        }
        if (phase == SessionPhase.READY) {
            idleTimeout.idle();
        }
        backend.flushWrites();
        updateAutoRead();
    }

    private void dispatch(List<Frame> frames) {
        Frame first = frames.get(0);
        // Under compression the compressed packets carry the order; client libraries number
        // the packets inside them as they please (MariaDB Connector/C: all 0).
        boolean numbered = !Capability.has(info.clientCaps(), Capability.CLIENT_COMPRESS);
        for (int i = 0; i < frames.size() && numbered; i++) {
            if (frames.get(i).sequenceId() != i) {
                int got = frames.get(i).sequenceId();
                frames.forEach(Frame::release);
                connection.closeWithError(got + 1, ProxyError.PACKETS_OUT_OF_ORDER.format(i, got));
                return;
            }
        }
        replySeq = frames.size();
        if (first.length() == 0) {
            frames.forEach(Frame::release);
            connection.closeWithError(replySeq, ProxyError.MALFORMED_PACKET.format("empty command packet"));
            return;
        }
        Command command = Command.of(first.firstByte());
        backend.begin(command);
        switch (command) {
            case QUIT -> {
                frames.forEach(Frame::release);
                connection.close(null);
            }
            case PING -> {
                frames.forEach(Frame::release);
                reply(null);
            }
            case CHANGE_USER -> {
                try {
                    connection.changeUser(first.payload());
                } finally {
                    frames.forEach(Frame::release);
                }
            }
            case STMT_CLOSE -> {
                prepared.close(first);
                frames.forEach(Frame::release);
            }
            case STMT_PREPARE -> prepared.prepare(frames);
            case STMT_EXECUTE, STMT_BULK_EXECUTE, STMT_SEND_LONG_DATA, STMT_RESET, STMT_FETCH -> prepared.run(command, frames);
            case QUERY -> queries.run(frames);
            case INIT_DB, FIELD_LIST, STATISTICS, REFRESH, PROCESS_INFO, DEBUG, CREATE_DB, DROP_DB, SET_OPTION, RESET_CONNECTION -> {
                routing.tracker().before(StatementTraits.PLAIN);
                backend.withConnection(frames, () -> backend.send(command, CommandQueue.join(frames), prepared));
            }
            default -> {
                int code = first.firstByte();
                frames.forEach(Frame::release);
                reply(ProxyError.UNKNOWN_COMMAND.format(
                        command == Command.UNKNOWN ? "0x" + Integer.toHexString(code) : command.label()));
            }
        }
    }

    // ---- LOAD DATA LOCAL INFILE ----------------------------------------------------------

    @Override
    public void localInfileRequested() {
        enter(SessionPhase.LOCAL_INFILE);
        channel.flush();
        while (phase == SessionPhase.LOCAL_INFILE && !queue.isEmpty()) {
            forwardLocalInfile(queue.poll());
        }
        backend.flush();
        updateAutoRead();
    }

    /** One packet of the file the server asked for; the empty one ends it and the response follows. */
    void forwardLocalInfile(Frame frame) {
        boolean last = frame.length() == 0;
        backend.forwardLocalInfile(frame.packet(), last);
        if (last) {
            enter(SessionPhase.BUSY);
        }
    }

    // ---- replies -------------------------------------------------------------------------

    /** Writes an OK with the session's status flags under sequence id {@code seq}; not flushed. */
    void writeOk(int seq) {
        channel.write(Packets.ok(channel.alloc(), seq, OkPacket.of(info.statusFlags() & ~ServerStatus.SESSION_STATE_CHANGED),
                info.clientTracks()), channel.voidPromise());
    }

    @Override
    public void reply(ErrPacket err) {
        activity.finished();
        if (err == null) {
            writeOk(replySeq);
        } else {
            channel.write(Packets.err(channel.alloc(), replySeq, err), channel.voidPromise());
        }
        channel.flush();
    }

    @Override
    public void replyAndClose(ErrPacket err) {
        activity.finished();
        connection.closeWithError(replySeq, err);
    }

    @Override
    public void closeAsTheServerDid(Throwable cause) {
        connection.close(cause);
    }
}
