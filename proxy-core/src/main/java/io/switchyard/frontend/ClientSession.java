package io.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.switchyard.backend.BackendFailures;
import io.switchyard.protocol.Capability;
import io.switchyard.protocol.ChangeUser;
import io.switchyard.protocol.CompressedProtocol;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.Frame;
import io.switchyard.protocol.FrameDecoder;
import io.switchyard.protocol.HandshakeResponse41;
import io.switchyard.protocol.LastWord;
import io.switchyard.protocol.Packets;
import io.switchyard.protocol.PipelineFault;
import io.switchyard.protocol.ProxyError;
import io.switchyard.protocol.ServerStatus;
import io.switchyard.topology.UserConfig;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: the connection phase ({@link ClientLogin}), then the command phase
 * ({@link SessionCommands}), whose commands run on the session's {@link BackendSide}.
 *
 * <p>Phases are explicit ({@link SessionPhase}, changed only by {@link SessionCommands#enter});
 * {@link #channelRead} is the one place that handles an incoming packet per phase. A failing
 * session ends with an ERR packet where the protocol allows one, and only its own connection closes.
 *
 * <p>Confined to the client channel's event loop; the backend connections it borrows live on the
 * same loop.
 */
public final class ClientSession extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

    private final FrontendContext context;
    private final long id;
    private final SessionInfo info;
    private final SessionActivity activity = new SessionActivity();
    private final SessionCommands commands;
    private Channel channel;
    private ClientLogin login;
    private boolean changingUser;
    /** Failed COM_CHANGE_USERs on this connection: the server answers 1047 to those after the third. */
    private int failedChangeUsers;
    /** The schema a failed COM_CHANGE_USER puts back, saved when it arrives. */
    private String schemaBeforeChangeUser;

    /** After this many failed COM_CHANGE_USERs a connection gets 1047 for the next, as from the server. */
    private static final int CHANGE_USER_ATTEMPTS = 3;
    /** The server answers a failed COM_CHANGE_USER after this long (it slows down guessing). */
    private static final long CHANGE_USER_DENIAL_DELAY_MILLIS = 1_000;

    public ClientSession(FrontendContext context) {
        this.context = context;
        this.id = context.sessions().nextId();
        this.info = new SessionInfo(id);
        this.commands = new SessionCommands(context, info, activity, new SessionCommands.Connection() {
            @Override
            public void changeUser(ByteBuf payload) {
                ClientSession.this.changeUser(payload);
            }

            @Override
            public void closeWithError(int seq, ErrPacket err) {
                sendErrAndClose(seq, err);
            }

            @Override
            public void close(Throwable cause) {
                closeAsTheServerDid(cause);
            }

            @Override
            public void reset() {
                closeWithReset();
            }
        });
    }

    public long id() {
        return id;
    }

    /** What the session is doing now, for the process list; callable from any thread. */
    public ProcessInfo processInfo() {
        return activity.snapshot(id, info.username(), info.schema(), info.clientHost(), info.clientPort(), commands.phase(),
                commands.backend().killTarget());
    }

    /** The authenticated user name, or null during login. */
    public String username() {
        return info.username();
    }

    // ---- connection phase -------------------------------------------------------------

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        commands.attach(channel);
        if (channel.remoteAddress() instanceof InetSocketAddress address) {
            info.client(address.getAddress().getHostAddress(), address.getPort());
        }
        context.sessions().add(this);
        if (context.sessions().size() > context.settings().maxClientConnections()) {
            sendErrAndClose(0, ProxyError.PROXY_TOO_MANY_CONNECTIONS.format(context.settings().maxClientConnections()));
            return;
        }
        login = new ClientLogin(context, channel, id, info.clientHost(), this::onAuthenticated,
                (err, seq) -> sendErrAndClose(seq, err), this::changeUserDenied);
        login.greet();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame)) {
            Frame.releaseAny(msg);
            return;
        }
        switch (commands.phase()) {
            case LOGIN -> {
                try {
                    login.onPacket(frame);
                } finally {
                    frame.release();
                }
            }
            case CONNECTING, BUSY -> commands.enqueue(frame);
            case READY -> {
                commands.enqueue(frame);
                commands.drain();
            }
            case LOCAL_INFILE -> commands.forwardLocalInfile(frame);
            case CLOSED -> frame.release();
        }
    }

    private void onAuthenticated(int okSeq) {
        FrontendAuthenticator auth = login.auth();
        UserConfig user = auth.user();
        long sessionsOfUser = context.sessions().countFor(user.username());
        if (!changingUser && sessionsOfUser >= user.maxConnections()) {
            sendErrAndClose(okSeq, ProxyError.TOO_MANY_CONNECTIONS.format(user.username(), sessionsOfUser, user.maxConnections()));
            return;
        }
        context.sessions().loggedIn(this, info.username(), user.username());
        info.loggedIn(user, auth.credentials());
        commands.clearPrepared();
        if (changingUser && info.schema() == null) {
            info.schema(user.defaultSchema());
        }
        if (!changingUser) {
            HandshakeResponse41 hello = auth.response();
            info.clientCaps(hello.capabilities() & (context.identity().view().capabilities() | Capability.CLIENT_SSL));
            info.collation(hello.collation());
            info.schema(hello.database() != null ? hello.database() : user.defaultSchema());
            login.cancelTimeout();
        }
        commands.routing().reset(info.schema());
        commands.enter(SessionPhase.CONNECTING);
        boolean compress = !changingUser && Capability.has(info.clientCaps(), Capability.CLIENT_COMPRESS);
        commands.backend().login(() -> {
            commands.enter(SessionPhase.READY);
            changingUser = false;
            log.debug("session {}: {}@{} logged in, schema {}", id, user.username(), info.clientHost(), info.schema());
            commands.writeOk(okSeq);
            channel.flush();
            if (compress) {
                // Both sides compress from the packet after the login's OK on.
                CompressedProtocol.install(channel.pipeline(), FrameDecoder.NAME);
            }
            commands.backend().releaseIfFree();
            commands.drain();
        }, err -> sendErrAndClose(okSeq, err));
    }

    private void changeUser(ByteBuf payload) {
        schemaBeforeChangeUser = info.schema();
        ChangeUser request = ChangeUser.decode(payload, info.clientCaps(), info.collation());
        if (request.collation() >= 0) {
            info.collation(request.collation());
        }
        commands.backend().releaseAll();
        commands.clearPrepared();
        changingUser = true;
        info.schema(request.database());
        info.statusFlags(ServerStatus.AUTOCOMMIT);
        if (failedChangeUsers >= CHANGE_USER_ATTEMPTS) {
            // The server resets the session and answers as for a refused user, without looking.
            changeUserDenied(ProxyError.CHANGE_USER_LOCKED.format(), 1);
            return;
        }
        commands.enter(SessionPhase.LOGIN);
        login.changeUser(request);
    }

    /**
     * A COM_CHANGE_USER was refused: as the server does, the answer comes after a second, and the
     * connection stays, logged in as the user it was, in the schema it had, with the rest of the
     * session started afresh (the connections it held went back to the pool, which resets them),
     * in the character set the COM_CHANGE_USER asked for.
     */
    private void changeUserDenied(ErrPacket err, int seq) {
        failedChangeUsers++;
        String schema = schemaBeforeChangeUser;
        commands.enter(SessionPhase.CONNECTING);
        channel.eventLoop().schedule(() -> {
            if (commands.phase() == SessionPhase.CLOSED) {
                return;
            }
            changingUser = false;
            info.schema(schema);
            commands.routing().reset(schema);
            commands.backend().login(() -> {
                commands.enter(SessionPhase.READY);
                channel.write(Packets.err(channel.alloc(), seq & 0xff, err), channel.voidPromise());
                channel.flush();
                commands.backend().releaseIfFree();
                commands.drain();
            }, failure -> sendErrAndClose(seq, failure));
        }, CHANGE_USER_DENIAL_DELAY_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        commands.backend().clientWritabilityChanged(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    // ---- for other sessions (KILL) ------------------------------------------------------

    /** Server and thread serving this session's current statement, or null; safe from any thread. */
    BackendLease.KillTarget killTarget() {
        return commands.backend().killTarget();
    }

    /** Ends the session now (KILL CONNECTION of itself, or by another session on this loop). */
    void closeNow() {
        close();
    }

    EventLoop loop() {
        return channel.eventLoop();
    }

    // ---- teardown ------------------------------------------------------------------------

    private void sendErrAndClose(int seq, ErrPacket err) {
        if (commands.phase() == SessionPhase.CLOSED || channel == null || !channel.isActive()) {
            close();
            return;
        }
        commands.enter(SessionPhase.CLOSED);
        cleanup();
        LastWord.send(channel, Packets.err(channel.alloc(), seq & 0xff, err));
    }

    /**
     * Closes the client connection the way the server closed the backend's: reset or in order.
     * Client libraries tell the two apart (MariaDB's reports "server has gone away" for a reset
     * it finds before sending, "lost connection" otherwise), so the client sees what it would
     * see connected directly.
     */
    private void closeAsTheServerDid(Throwable cause) {
        if (cause != null && BackendFailures.resetByServer(cause)) {
            closeWithReset();
        } else {
            close();
        }
    }

    private void closeWithReset() {
        if (channel != null) {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
        }
        close();
    }

    private void close() {
        commands.enter(SessionPhase.CLOSED);
        cleanup();
        if (channel != null) {
            channel.close();
        }
    }

    private void cleanup() {
        if (login != null) {
            login.cancelTimeout();
        }
        commands.clear();
        context.sessions().remove(this);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (commands.phase() != SessionPhase.CLOSED) {
            log.debug("session {}: client {} disconnected in phase {}", id, info.clientHost(), commands.phase());
        }
        commands.enter(SessionPhase.CLOSED);
        cleanup();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        boolean login = commands.phase() == SessionPhase.LOGIN;
        PipelineFault fault = PipelineFault.of(cause, login);
        switch (fault.kind()) {
            case CONNECTION_FAILED -> {
                log.debug("session {} from {}: {}", id, info.clientHost(), fault.cause().toString());
                close();
            }
            case PROTOCOL -> {
                log.debug("session {} from {}: {}", id, info.clientHost(), fault.cause().toString());
                sendErrAndClose(fault.sequenceId(login ? this.login.expectedSeq() + 1 : commands.replySeq()), fault.err());
            }
            case INTERNAL -> {
                log.warn("session {} from {}: internal error", id, info.clientHost(), fault.cause());
                sendErrAndClose(commands.replySeq(), fault.err());
            }
        }
    }
}
