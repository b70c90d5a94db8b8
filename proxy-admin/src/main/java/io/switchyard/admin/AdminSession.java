package io.switchyard.admin;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.Frame;
import io.switchyard.protocol.OkPacket;
import io.switchyard.protocol.Packets;
import io.switchyard.protocol.LastWord;
import io.switchyard.protocol.PipelineFault;
import io.switchyard.protocol.ProxyError;
import io.switchyard.protocol.ServerStatus;
import io.switchyard.protocol.Wire;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admin client connection: login, then commands one at a time. Statements run on the
 * admin's SQL thread; their results come back to this session's event loop, and commands that
 * arrive meanwhile wait in order. A bad statement gets an ERR and the session goes on; only a
 * broken packet, a failed login or COM_QUIT ends it. Confined to the channel's event loop.
 */
final class AdminSession extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AdminSession.class);
    static final long LOGIN_TIMEOUT_MILLIS = 10_000;

    /** Phases of the connection. */
    enum Phase { HANDSHAKE, AUTH_SWITCH, COMMAND, CLOSED }

    private final AdminServer server;
    private final long id;
    private Phase phase = Phase.HANDSHAKE;
    private AdminLogin login;
    private SessionView view;
    private long capabilities;
    private boolean busy;
    private final ArrayDeque<Frame> waiting = new ArrayDeque<>();
    private ScheduledFuture<?> loginTimeout;
    private String clientHost = "?";

    AdminSession(AdminServer server, long id) {
        this.server = server;
        this.id = id;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress a) {
            clientHost = a.getAddress().getHostAddress();
        }
        login = new AdminLogin(server.settings().username(), server.settings().password(), clientHost);
        ctx.writeAndFlush(Packets.build(ctx.alloc(), 0, login.greeting(id)::encode));
        loginTimeout = ctx.executor().schedule(() -> fail(ctx, 2,
                ProxyError.BAD_HANDSHAKE.format("login not finished within " + LOGIN_TIMEOUT_MILLIS + " ms")),
                LOGIN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Frame frame = (Frame) msg;
        if (phase == Phase.COMMAND && busy) {
            waiting.add(frame);
            return;
        }
        try {
            handle(ctx, frame);
        } finally {
            frame.release();
        }
    }

    private void handle(ChannelHandlerContext ctx, Frame frame) {
        ByteBuf payload = frame.payload();
        if (phase != Phase.CLOSED && frame.sequenceId() != expectedSeq()) {
            fail(ctx, frame.sequenceId() + 1, ProxyError.PACKETS_OUT_OF_ORDER.format(expectedSeq(), frame.sequenceId()));
            return;
        }
        switch (phase) {
            case HANDSHAKE -> loginStep(ctx, frame.sequenceId(), login.onResponse(payload));
            case AUTH_SWITCH -> loginStep(ctx, frame.sequenceId(), login.onAuthSwitchResponse(payload));
            case COMMAND -> command(ctx, payload);
            case CLOSED -> {
                // the connection is closing; late packets are dropped
            }
        }
    }

    private void loginStep(ChannelHandlerContext ctx, int seq, AdminLogin.Outcome outcome) {
        switch (outcome) {
            case AdminLogin.Outcome.Send send -> {
                phase = Phase.AUTH_SWITCH;
                ctx.writeAndFlush(Packets.build(ctx.alloc(), seq + 1, send.request()::encode));
            }
            case AdminLogin.Outcome.Failure failure -> {
                log.info("admin login refused from {}: {}", clientHost, failure.error().message());
                fail(ctx, seq + 1, failure.error());
            }
            case AdminLogin.Outcome.Success success -> {
                loginTimeout.cancel(false);
                capabilities = success.capabilities();
                String schema = "main";
                if (success.schema() != null) {
                    try {
                        schema = AdminStatements.checkSchema(success.schema());
                    } catch (AdminException e) {
                        fail(ctx, seq + 1, e.error());
                        return;
                    }
                }
                view = new SessionView(id, server.settings().username(), clientHost, schema);
                login = null;
                phase = Phase.COMMAND;
                log.debug("admin session {} from {} logged in", id, clientHost);
                ctx.writeAndFlush(Packets.ok(ctx.alloc(), seq + 1, OkPacket.of(ServerStatus.AUTOCOMMIT), sessionTrack()));
            }
        }
    }

    private void command(ChannelHandlerContext ctx, ByteBuf payload) {
        if (!payload.isReadable()) {
            fail(ctx, 1, ProxyError.MALFORMED_PACKET.format("empty command packet"));
            return;
        }
        Command command = Command.of(payload.readUnsignedByte());
        switch (command) {
            case QUIT -> {
                phase = Phase.CLOSED;
                ctx.close();
            }
            case PING, RESET_CONNECTION, SET_OPTION -> ok(ctx);
            case INIT_DB -> {
                try {
                    view = view.withSchema(AdminStatements.checkSchema(Wire.readRestString(payload)));
                    ok(ctx);
                } catch (AdminException e) {
                    ctx.writeAndFlush(ResultWriter.error(ctx.alloc(), 1, e.error()));
                }
            }
            case STATISTICS -> ctx.writeAndFlush(Packets.build(ctx.alloc(), 1,
                    b -> b.writeCharSequence("Switchyard admin: session " + id, StandardCharsets.UTF_8)));
            case FIELD_LIST -> ctx.writeAndFlush(Packets.build(ctx.alloc(), 1, b -> OkPacket.encodeEof(b, 0, ServerStatus.AUTOCOMMIT)));
            case QUERY -> query(ctx, payload.toString(StandardCharsets.UTF_8));
            default -> ctx.writeAndFlush(ResultWriter.error(ctx.alloc(), 1,
                    ProxyError.ADMIN_UNKNOWN_COMMAND.format(command == Command.UNKNOWN ? "byte" : command.name())));
        }
    }

    private void query(ChannelHandlerContext ctx, String sql) {
        busy = true;
        SessionView asked = view;
        server.execute(asked, sql).whenComplete((reply, error) -> ctx.executor().execute(() -> {
            busy = false;
            if (phase != Phase.COMMAND) {
                return;
            }
            List<AdminResult> results = error == null ? reply.results()
                    : List.of(new AdminResult.Error(ProxyError.INTERNAL.format(error.toString())));
            if (error == null) {
                view = reply.session();
            } else {
                log.warn("admin session {}: statement failed: {}", id, sql, error);
            }
            ctx.writeAndFlush(ResultWriter.encode(ctx.alloc(), results, capabilities));
            drain(ctx);
        }));
    }

    private void drain(ChannelHandlerContext ctx) {
        while (!busy && !waiting.isEmpty() && phase == Phase.COMMAND) {
            Frame next = waiting.poll();
            try {
                handle(ctx, next);
            } finally {
                next.release();
            }
        }
    }

    private void ok(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(Packets.ok(ctx.alloc(), 1, OkPacket.of(ServerStatus.AUTOCOMMIT), sessionTrack()));
    }

    private boolean sessionTrack() {
        return io.switchyard.protocol.Capability.has(capabilities, io.switchyard.protocol.Capability.CLIENT_SESSION_TRACK);
    }

    private void fail(ChannelHandlerContext ctx, int seq, ErrPacket error) {
        if (phase == Phase.CLOSED) {
            return;
        }
        phase = Phase.CLOSED;
        LastWord.send(ctx.channel(), ResultWriter.error(ctx.alloc(), seq, error));
    }

    /** The sequence id the client's next packet must carry in the current phase. */
    private int expectedSeq() {
        return switch (phase) {
            case HANDSHAKE -> 1;
            case AUTH_SWITCH -> 3;
            case COMMAND, CLOSED -> 0;
        };
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        PipelineFault fault = PipelineFault.of(cause, phase != Phase.COMMAND);
        switch (fault.kind()) {
            case CONNECTION_FAILED -> {
                log.debug("admin session {} from {}: {}", id, clientHost, fault.cause().toString());
                phase = Phase.CLOSED;
                ctx.close();
            }
            case PROTOCOL -> {
                log.debug("admin session {} from {}: {}", id, clientHost, fault.cause().toString());
                fail(ctx, fault.sequenceId(expectedSeq() + 1), fault.err());
            }
            case INTERNAL -> {
                log.warn("admin session {} from {}: internal error", id, clientHost, fault.cause());
                fail(ctx, fault.sequenceId(expectedSeq() + 1), fault.err());
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        phase = Phase.CLOSED;
        if (loginTimeout != null) {
            loginTimeout.cancel(false);
        }
        waiting.forEach(Frame::release);
        waiting.clear();
    }
}
