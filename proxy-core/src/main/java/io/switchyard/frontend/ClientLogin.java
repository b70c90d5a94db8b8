package io.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.function.IntConsumer;
import java.util.function.ObjIntConsumer;
import io.switchyard.protocol.ChangeUser;
import io.switchyard.protocol.CompressedProtocol;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.Frame;
import io.switchyard.protocol.FrameDecoder;
import io.switchyard.protocol.Packets;
import io.switchyard.protocol.ProxyError;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection phase of one client session on the wire: the greeting, the login deadline,
 * sequence ids, the switch to TLS, and the packets {@link FrontendAuthenticator} asks to send,
 * for the first login and for {@code COM_CHANGE_USER}. What the session does once the client is
 * authenticated or refused is up to its callbacks.
 *
 * <p>Confined to the client channel's event loop.
 */
final class ClientLogin {
    private static final Logger log = LoggerFactory.getLogger(ClientLogin.class);
    static final long LOGIN_TIMEOUT_MILLIS = 10_000;

    private final FrontendContext context;
    private final Channel channel;
    private final long sessionId;
    private final String clientHost;
    private final IntConsumer authenticated;
    private final ObjIntConsumer<ErrPacket> refused;
    private final ObjIntConsumer<ErrPacket> changeUserDenied;
    private boolean changingUser;
    private final FrontendAuthenticator auth;
    private int expectedSeq = 1;
    private ScheduledFuture<?> timeout;

    /**
     * @param authenticated called with the sequence id of the OK when the client proved who it is
     * @param refused called with the error and its sequence id when the login failed
     * @param changeUserDenied called instead when a COM_CHANGE_USER names a user or password the
     *                         proxy does not accept (the session goes on as the user it was)
     */
    ClientLogin(FrontendContext context, Channel channel, long sessionId, String clientHost,
                IntConsumer authenticated, ObjIntConsumer<ErrPacket> refused, ObjIntConsumer<ErrPacket> changeUserDenied) {
        this.context = context;
        this.channel = channel;
        this.sessionId = sessionId;
        this.clientHost = clientHost;
        this.authenticated = authenticated;
        this.refused = refused;
        this.changeUserDenied = changeUserDenied;
        this.auth = new FrontendAuthenticator(context.settings(), context::user, clientHost);
    }

    /** Sends the greeting and starts the login deadline. */
    void greet() {
        channel.writeAndFlush(Packets.build(channel.alloc(), 0, auth.greeting(context.identity().view(), sessionId)::encode));
        timeout = channel.eventLoop().schedule(() -> {
            log.debug("session {} from {}: login not finished within {} ms", sessionId, clientHost, LOGIN_TIMEOUT_MILLIS);
            refused.accept(ProxyError.BAD_HANDSHAKE.format("login not finished within " + LOGIN_TIMEOUT_MILLIS + " ms"), expectedSeq);
        }, LOGIN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Handles a packet of the login exchange (the caller releases the frame). */
    void onPacket(Frame frame) {
        if (frame.sequenceId() != expectedSeq && !CompressedProtocol.active(channel.pipeline())) {
            refused.accept(ProxyError.PACKETS_OUT_OF_ORDER.format(expectedSeq, frame.sequenceId()), frame.sequenceId() + 1);
            return;
        }
        handle(auth.onPacket(frame.payload(), context.identity().view().capabilities()), frame.sequenceId());
    }

    /** Verifies a COM_CHANGE_USER request, which arrived with sequence id 0. */
    void changeUser(ChangeUser request) {
        expectedSeq = 2;
        changingUser = true;
        handle(auth.changeUser(request.username(), request.authPluginName(), request.authResponse()), 0);
    }

    private void handle(FrontendAuthenticator.Reply reply, int seq) {
        switch (reply.step()) {
            case SEND -> {
                channel.writeAndFlush(Packets.build(channel.alloc(), seq + 1, reply.payload()));
                expectedSeq = seq + 2;
            }
            case SEND_THEN_SUCCESS -> {
                channel.write(Packets.build(channel.alloc(), seq + 1, reply.payload()));
                authenticated.accept(seq + 2);
            }
            case START_TLS -> {
                // The client does not wait for an answer to its SSL request: its ClientHello may
                // have arrived in the same read, and then waits in the frame decoder.
                ByteBuf early = channel.pipeline().get(FrameDecoder.class).takeUndecoded();
                SslHandler ssl = context.settings().tls().newHandler(channel.alloc());
                channel.pipeline().addFirst("tls", ssl);
                expectedSeq = seq + 1;
                if (early.isReadable()) {
                    channel.pipeline().fireChannelRead(early);
                } else {
                    early.release();
                }
            }
            case SUCCESS -> {
                changingUser = false;
                authenticated.accept(seq + 1);
            }
            case FAILURE -> {
                context.sessions().authFailed();
                log.debug("session {} from {}: login refused: {}", sessionId, clientHost, reply.error());
                if (changingUser) {
                    changingUser = false;
                    changeUserDenied.accept(reply.error(), seq + 1);
                } else {
                    refused.accept(reply.error(), seq + 1);
                }
            }
        }
    }

    /** Sequence id the next login packet must carry. */
    int expectedSeq() {
        return expectedSeq;
    }

    FrontendAuthenticator auth() {
        return auth;
    }

    /** Stops the login deadline (logged in, or the session ended). */
    void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }
}
