package io.switchyard.backend;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.switchyard.protocol.Capability;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.Frame;
import io.switchyard.protocol.CompressedProtocol;
import io.switchyard.protocol.FrameDecoder;
import io.switchyard.protocol.HandshakeV10;
import io.switchyard.protocol.Packets;
import io.switchyard.protocol.ProtocolException;
import io.switchyard.protocol.ResponseTracker;
import io.switchyard.protocol.StmtExecute;
import io.switchyard.protocol.Wire;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection from the proxy to a backend server: it logs in with a user's credentials, then
 * runs one command at a time, relaying the response's bytes to a {@link ResponseSink} as they
 * arrive. Only packet headers and the packets that steer the protocol are read
 * ({@link ResponseTracker}).
 *
 * <p>Confined to its channel's event loop: every method must be called on {@link #eventLoop()}.
 *
 * <p>The connection keeps its {@link Phase} and handles its failure; the work of a phase is done
 * by a class of its own. The login ({@link LoginPhase}) reads framed packets (a {@link FrameDecoder}
 * sits in front of the connection until the server accepts it); a response ({@link ResponseRelay})
 * is relayed as the raw bytes the socket delivers, only its packet headers scanned; a move to
 * another event loop is {@link LoopMove}'s.
 */
public final class BackendConnection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(BackendConnection.class);
    private static final AtomicLong IDS = new AtomicLong();

    /** Life cycle of the connection. */
    public enum Phase { LOGIN, IDLE, BUSY, CLOSED }

    private final long id = IDS.incrementAndGet();
    private final ServerAddress address;
    private final ConnectionKey key;
    private final ResponseRelay response = new ResponseRelay();
    private final long createdNanos = System.nanoTime();
    private Channel channel;
    private Phase phase = Phase.LOGIN;
    private LoginPhase login;
    private long negotiatedCaps;
    private HandshakeV10 serverHandshake;
    private String schema;
    private long lastUsedNanos = createdNanos;
    private long releasedNanos = createdNanos;
    private boolean reusable = true;
    private Holder owner;
    private ConnectionState sessionState;
    private SessionBaseline baseline;
    private final GlobalValues globals;
    private long uses;
    /** The largest command sent since login, in bytes, and who held the connection then ({@link #largestCommand}). */
    private int largestCommand;
    private Holder largestCommandBy;
    /**
     * The {@link GlobalValues} change number its login took the globals as of. A reset does not
     * change it: COM_RESET_CONNECTION gives the session variables the globals of the moment, but
     * the connection keeps the packet limit and network buffer of its login.
     */
    private final long loginGlobalsAsOf = GlobalValues.now();
    private BackendStatements statements;
    private Runnable closeHook;
    private final LoopMove move = new LoopMove(this);

    private BackendConnection(ServerAddress address, ConnectionKey key, String schema, GlobalValues globals) {
        this.address = address;
        this.key = key;
        this.schema = schema;
        this.globals = globals;
    }

    /**
     * Opens and logs in a connection on {@code loop}. The future completes on that loop once the
     * server accepted the login, or fails with the reason (connect error, timeout, ERR).
     * {@code globals} is what the proxy saw change in the server's globals.
     */
    public static Future<BackendConnection> connect(Bootstrap template, EventLoop loop, ServerAddress address,
                                                    ConnectionKey key, String schema, BackendSettings settings,
                                                    GlobalValues globals) {
        // The server reads a login's database name in the character set of the login's collation,
        // which need not be the UTF-8 the proxy writes: a name with other than ASCII characters
        // is left to a COM_INIT_DB, which the proxy sends under a UTF-8 client character set.
        String loginSchema = schema == null || schema.chars().allMatch(ch -> ch < 0x80) ? schema : null;
        BackendConnection connection = new BackendConnection(address, key, loginSchema, globals);
        connection.login = new LoginPhase(connection, loop, address, key, loginSchema, settings);
        return connection.login.start(template, loop);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        channel.config().setOption(ChannelOption.TCP_NODELAY, true);
        channel.config().setOption(ChannelOption.SO_KEEPALIVE, true);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Frame frame) {
            try {
                if (phase == Phase.LOGIN && login.read(channel, frame)) {
                    onLoggedIn();
                }
            } catch (RuntimeException e) {
                fail(e);
            } finally {
                frame.release();
            }
            return;
        }
        ByteBuf in = (ByteBuf) msg;
        if (phase == Phase.CLOSED) {
            in.release();
            return;
        }
        response.cumulate(in, channel.alloc());
        try {
            switch (phase) {
                case BUSY -> relay();
                case IDLE -> throw new ProtocolException("unsolicited packet from an idle connection");
                case LOGIN, CLOSED -> { }
            }
        } catch (RuntimeException e) {
            fail(e);
        } finally {
            response.compact(channel.alloc());
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        response.readComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(new ProtocolException("connection closed by the server"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(cause);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ctx.fireChannelWritabilityChanged();
        if (owner instanceof Holder holder) {
            holder.backendWritabilityChanged(ctx.channel().isWritable());
        }
    }

    /** The server accepted the login: responses come as raw bytes from now on. */
    private void onLoggedIn() {
        phase = Phase.IDLE;
        serverHandshake = login.serverHandshake();
        negotiatedCaps = login.negotiatedCaps();
        sessionState = ConnectionState.initial(schema);
        channel.pipeline().remove(FrameDecoder.NAME);
        if (Capability.has(negotiatedCaps, Capability.CLIENT_COMPRESS)) {
            CompressedProtocol.install(channel.pipeline(), channel.pipeline().context(this).name());
        }
        log.debug("backend connection {} to {} logged in as {} (thread {})", id, address,
                key.credentials().user(), serverHandshake.connectionId());
        login.loggedIn(learned -> baseline = learned);
    }

    /** Turns on every session tracker again, after a statement that changed them. */
    public void trackEverything(InternalSink.Done done) {
        SessionSetup.trackEverything(this, done);
    }

    /**
     * True when the server reports session-state changes on this connection (it negotiated
     * CLIENT_SESSION_TRACK): the front end then learns session state from the server.
     */
    public boolean tracksSessionState() {
        return Capability.has(negotiatedCaps, Capability.CLIENT_SESSION_TRACK);
    }

    /** True when results end with an OK packet instead of an EOF (CLIENT_DEPRECATE_EOF). */
    public boolean deprecatesEof() {
        return Capability.has(negotiatedCaps, Capability.CLIENT_DEPRECATE_EOF);
    }

    /** The session as the login left it (character set, tracking defaults), or null when the server does not track sessions. */
    public SessionBaseline baseline() {
        return baseline;
    }

    /** The global values the proxy saw change on this connection's server. */
    public GlobalValues globals() {
        return globals;
    }

    /**
     * Sends a command and relays its response to {@code sink}. {@code packets} holds the framed
     * command exactly as it goes on the wire; this method takes ownership of it.
     */
    public void execute(Command command, ByteBuf packets, ResponseSink sink) {
        if (phase != Phase.IDLE) {
            packets.release();
            throw new IllegalStateException("backend connection " + id + " is " + phase + ", not idle");
        }
        phase = Phase.BUSY;
        uses++;
        lastUsedNanos = System.nanoTime();
        response.begin(command, negotiatedCaps, tracksSessionState(), command == Command.STMT_EXECUTE
                && StmtExecute.requestsCursor(packets, packets.readerIndex() + Wire.HEADER_SIZE), sink);
        sent(packets);
        commandStarts();
        channel.writeAndFlush(packets, channel.voidPromise());
    }

    /** Under compression, starts the compressed sequence again for the command written next. */
    private void commandStarts() {
        if (Capability.has(negotiatedCaps, Capability.CLIENT_COMPRESS)) {
            channel.write(CompressedProtocol.COMMAND_STARTS, channel.voidPromise());
        }
    }

    /**
     * Sends {@code command} with its text argument ({@code null} for none) on the proxy's own
     * behalf; {@code sink} (an {@link InternalSink} or {@link InternalQuery}) receives the response.
     */
    public void executeInternal(Command command, String argument, ResponseSink sink) {
        executeInternal(command, argument, StandardCharsets.UTF_8, sink);
    }

    /** Same, with the argument written in {@code charset}. */
    public void executeInternal(Command command, String argument, Charset charset, ResponseSink sink) {
        execute(command, Packets.command(ByteBufAllocator.DEFAULT, command, argument, charset), sink);
    }

    /** Same, with the argument's bytes as they are. */
    public void executeInternal(Command command, byte[] argument, ResponseSink sink) {
        execute(command, Packets.command(ByteBufAllocator.DEFAULT, command, argument), sink);
    }

    /** Same, with {@code done} told the outcome once: the server's error, or the connection's failure. */
    public void executeInternal(Command command, String argument, InternalSink.Done done) {
        executeInternal(command, argument, new InternalSink(done));
    }

    /**
     * Sends a command that has no response (COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA); takes
     * ownership of {@code packets}. The connection stays idle.
     */
    public void sendWithoutResponse(ByteBuf packets) {
        if (phase != Phase.IDLE) {
            packets.release();
            throw new IllegalStateException("backend connection " + id + " is " + phase + ", not idle");
        }
        lastUsedNanos = System.nanoTime();
        sent(packets);
        commandStarts();
        channel.write(packets, channel.voidPromise());
    }

    private void sent(ByteBuf packets) {
        if (packets.readableBytes() > largestCommand) {
            largestCommand = packets.readableBytes();
            largestCommandBy = owner;
        }
    }

    /**
     * The largest command sent since login, in bytes (headers included). The server's network
     * buffer grows to hold the largest command it receives and keeps that size for the rest of
     * the connection, counted in the connection's memory.
     */
    public int largestCommand() {
        return largestCommand;
    }

    /** Who held the connection when it sent {@link #largestCommand} (null: nobody, the proxy's own). */
    public Holder largestCommandBy() {
        return largestCommandBy;
    }

    /** The change number of the globals its login gave it ({@link GlobalValues#loginOnlyStale}). */
    public long loginGlobalsAsOf() {
        return loginGlobalsAsOf;
    }

    /** Forwards the client's LOCAL INFILE packets; {@code last} marks the empty packet that ends the file. */
    public void forwardLocalInfile(ByteBuf packets, boolean last) {
        if (last) {
            response.tracker().localInfileSent();
            channel.writeAndFlush(packets, channel.voidPromise());
            if (response.hasBytes()) {
                relay();
            }
        } else {
            channel.write(packets, channel.voidPromise());
        }
    }

    /** Flushes forwarded client data. */
    public void flush() {
        channel.flush();
    }

    private void relay() {
        if (response.relay()) {
            complete();
        }
    }

    /** The running command's response is complete: the connection is idle again. */
    private void complete() {
        ResponseSink done = response.finish();
        ResponseTracker tracker = response.tracker();
        phase = Phase.IDLE;
        setAutoRead(true);
        lastUsedNanos = System.nanoTime();
        if (tracker.command() == Command.RESET_CONNECTION && tracker.error() == null && tracksSessionState()) {
            SessionSetup.afterReset(this, tracker.statusFlags(), done);
            return;
        }
        done.responseComplete(this, tracker);
    }

    /** True unless the socket's outbound buffer is above its high-water mark (a closed connection counts as writable). */
    public boolean isWritable() {
        return channel == null || !channel.isActive() || channel.isWritable();
    }

    /** Stops reading the server (client not writable) or resumes. */
    public void setAutoRead(boolean autoRead) {
        if (channel != null && channel.config().isAutoRead() != autoRead) {
            channel.config().setAutoRead(autoRead);
        }
    }

    /**
     * Closes the connection for {@code cause} and tells whoever waits on it: the login's future,
     * the running command's sink, or the session holding it idle. Does nothing once closed.
     */
    void fail(Throwable cause) {
        if (phase == Phase.CLOSED) {
            return;
        }
        Phase was = phase;
        phase = Phase.CLOSED;
        reusable = false;
        response.releaseBytes();
        login.cancelTimeout();
        if (channel != null) {
            channel.close();
        }
        if (was == Phase.LOGIN) {
            login.failed(cause);
        } else if (was == Phase.BUSY && response.sink() != null) {
            ResponseSink failed = response.abandon();
            failed.backendFailed(this, cause, response.bytesRelayed());
        } else {
            log.debug("idle backend connection {} to {} closed: {}", id, address, cause.toString());
            if (owner instanceof Holder holder) {
                holder.backendClosedWhileHeld(this, cause);
            }
        }
        if (closeHook != null) {
            closeHook.run();
        }
    }

    /** Closes the connection (sending COM_QUIT when idle). */
    public void close() {
        if (phase == Phase.IDLE && channel != null && channel.isActive()) {
            commandStarts();
            channel.writeAndFlush(Packets.command(channel.alloc(), Command.QUIT, (String) null));
        }
        fail(new ProtocolException("closed by the proxy"));
    }

    /**
     * Closes the connection from any thread: on the event loop it is on when the task runs, or,
     * while it moves between loops ({@link #moveTo}), once it arrives.
     */
    public void closeFromAnyThread() {
        move.closeFromAnyThread(channel);
    }

    /**
     * Moves this idle connection to {@code target}: its channel leaves its event loop and joins
     * {@code target}'s, where the returned future completes. Called on the connection's loop
     * while no session holds it; nothing may touch it until the future completes. A connection
     * that cannot move, or was asked to close meanwhile, is closed and the future fails.
     */
    Future<BackendConnection> moveTo(EventLoop target) {
        return move.moveTo(channel, target);
    }

    public long id() {
        return id;
    }

    /** True once any byte of the running command's response went to its sink. */
    public boolean bytesRelayed() {
        return response.bytesRelayed();
    }

    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    public ServerAddress address() {
        return address;
    }

    public ConnectionKey key() {
        return key;
    }

    public Phase phase() {
        return phase;
    }

    public boolean isIdle() {
        return phase == Phase.IDLE && channel.isActive();
    }

    /** The server's thread id for this connection (what {@code KILL QUERY} takes). */
    public long threadId() {
        return serverHandshake.connectionId();
    }

    public HandshakeV10 serverHandshake() {
        return serverHandshake;
    }

    /** Capabilities negotiated with the server. */
    public long capabilities() {
        return negotiatedCaps;
    }

    /** The default schema as far as the proxy knows, or null. */
    public String schema() {
        return schema;
    }

    public void schema(String schema) {
        this.schema = schema;
    }

    public long createdNanos() {
        return createdNanos;
    }

    /** When the connection last carried any command, keepalive pings included. */
    public long lastUsedNanos() {
        return lastUsedNanos;
    }

    /**
     * How many commands the connection has carried: unchanged between two reads means nothing ran
     * on it in between, so the results of the last statement ({@code ROW_COUNT()},
     * {@code FOUND_ROWS()}, warnings) are still there.
     */
    public long uses() {
        return uses;
    }

    /** When a session last gave the connection back (keepalive pings do not count). */
    public long releasedNanos() {
        return releasedNanos;
    }

    void markReleased() {
        releasedNanos = System.nanoTime();
    }

    /** False once the session did something the pool cannot undo; the pool then closes it instead of reusing it. */
    public boolean reusable() {
        return reusable && phase == Phase.IDLE;
    }

    public void markNotReusable() {
        reusable = false;
    }

    /**
     * The session state this connection carries, as the front end recorded it (null: as the
     * login left it). Kept while the connection is pooled between statements, so the next
     * session that borrows it replays only the difference; cleared when the pool resets it.
     */
    public ConnectionState sessionState() {
        return sessionState;
    }

    public void sessionState(ConnectionState state) {
        this.sessionState = state;
    }

    /** The prepared statements open on this connection, as the front end keeps them (null: none yet). */
    public BackendStatements statements() {
        return statements;
    }

    public void statements(BackendStatements statements) {
        this.statements = statements;
    }

    /** The session that currently holds this connection (null in the pool); receives writability and close events. */
    public void owner(Holder owner) {
        this.owner = owner;
    }

    /** Runs once when the connection closes, whatever the reason; set by the pool that owns the slot. */
    void closeHook(Runnable hook) {
        this.closeHook = hook;
    }

    /** Whoever holds the connection between commands: told when its socket's writability changes and when it closes. */
    public interface Holder {
        void backendWritabilityChanged(boolean writable);

        /** The connection closed while held and idle (no command running): whatever state the holder kept on it is gone. */
        void backendClosedWhileHeld(BackendConnection connection, Throwable cause);
    }
}
