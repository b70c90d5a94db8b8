package io.switchyard.backend;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import io.switchyard.protocol.Capability;
import io.switchyard.protocol.Frame;
import io.switchyard.protocol.FrameDecoder;
import io.switchyard.protocol.HandshakeV10;
import io.switchyard.protocol.Packets;
import io.switchyard.protocol.ProtocolException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The login phase of a {@link BackendConnection}, from the TCP connect until the connection takes
 * commands: opens its channel with a {@link FrameDecoder} in front of it, answers the server's
 * handshake (in TLS when the settings ask for it) and authentication requests through
 * {@link BackendLogin}, has {@link SessionSetup} bring a tracked session to a known state, and
 * completes the connection's future, or fails it with the reason (connect error, timeout, ERR).
 *
 * <p>Confined to the connection's event loop. The connection's phase stays the one source of
 * truth: this class reads it, and the connection tells it when the login is over.
 */
final class LoginPhase {
    /** The largest packet a server sends while logging in (handshake, auth switch, a public key) is far below this. */
    private static final long LOGIN_PACKET_LIMIT = 1 << 20;

    private final BackendConnection connection;
    private final ServerAddress address;
    private final BackendSettings settings;
    private final Promise<BackendConnection> promise;
    private BackendLogin login;
    private ScheduledFuture<?> timeout;
    private boolean settingUp;
    private long negotiatedCaps;
    private HandshakeV10 serverHandshake;

    LoginPhase(BackendConnection connection, EventLoop loop, ServerAddress address, ConnectionKey key, String schema,
               BackendSettings settings) {
        this.connection = connection;
        this.address = address;
        this.settings = settings;
        this.promise = loop.newPromise();
        this.login = new BackendLogin(key, schema, settings.compression());
    }

    /**
     * Connects the channel on {@code loop} and starts the login timeout. The future completes on
     * that loop once the server accepted the login and the session is set up, or fails with the reason.
     */
    Future<BackendConnection> start(Bootstrap template, EventLoop loop) {
        Bootstrap bootstrap = template.clone(loop)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeoutMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // Login packets come as frames; once logged in the decoder goes and
                        // responses are relayed as raw bytes (see BackendConnection.onLoggedIn).
                        ch.pipeline().addLast(FrameDecoder.NAME, new FrameDecoder(LOGIN_PACKET_LIMIT));
                        ch.pipeline().addLast(connection);
                    }
                });
        bootstrap.connect(address.host(), address.port()).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                promise.tryFailure(new BackendFailures.BackendConnectException(address, f.cause()));
            }
        });
        timeout = loop.schedule(() -> {
            if (connection.phase() == BackendConnection.Phase.LOGIN || settingUp) {
                promise.tryFailure(new BackendFailures.BackendConnectException(address,
                        new ProtocolException("login did not finish within " + settings.connectTimeoutMillis() + " ms")));
                connection.close();
            }
        }, settings.connectTimeoutMillis(), TimeUnit.MILLISECONDS);
        return promise;
    }

    /**
     * One packet of the login: the server's handshake, then its answers to the proxy's
     * authentication. Returns true once the server accepted the login.
     */
    boolean read(Channel channel, Frame frame) {
        if (frame.hasContinuation()) {
            throw new ProtocolException("login packet of " + frame.length() + " bytes or more from " + address);
        }
        ByteBuf payload = frame.payload();
        if (serverHandshake == null) {
            onServerHandshake(channel, payload);
            return false;
        }
        ByteBuf out = channel.alloc().buffer();
        BackendLogin.Outcome outcome;
        try {
            outcome = login.onAuthPacket(payload, out);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        if (outcome == BackendLogin.Outcome.SEND) {
            channel.writeAndFlush(Packets.split(channel.alloc(), out, frame.sequenceId() + 1));
        }
        out.release();
        return outcome == BackendLogin.Outcome.SUCCESS;
    }

    private void onServerHandshake(Channel channel, ByteBuf payload) {
        negotiatedCaps = login.onHandshake(payload);
        serverHandshake = login.handshake();
        boolean tls = settings.tls() != null && Capability.has(serverHandshake.capabilities(), Capability.CLIENT_SSL);
        if (settings.tls() != null && !tls && settings.tlsRequired()) {
            throw new ProtocolException("backend " + address + " does not offer TLS, but TLS to backends is required");
        }
        if (tls) {
            ByteBuf out = login.sslRequest(channel.alloc().buffer(), negotiatedCaps);
            channel.writeAndFlush(Packets.split(channel.alloc(), out, 1));
            out.release();
            SslHandler ssl = settings.tls().newHandler(channel.alloc(), address.host(), address.port());
            channel.pipeline().addFirst("tls", ssl);
            ssl.handshakeFuture().addListener(f -> {
                if (!f.isSuccess()) {
                    connection.fail(f.cause());
                    return;
                }
                ByteBuf response = login.handshakeResponse(channel.alloc().buffer(), negotiatedCaps, true);
                channel.writeAndFlush(Packets.split(channel.alloc(), response, 2));
                response.release();
            });
        } else {
            ByteBuf response = login.handshakeResponse(channel.alloc().buffer(), negotiatedCaps, false);
            channel.writeAndFlush(Packets.split(channel.alloc(), response, 1));
            response.release();
        }
    }

    /** The server's handshake (null until it arrived). */
    HandshakeV10 serverHandshake() {
        return serverHandshake;
    }

    /** Capabilities negotiated with the server. */
    long negotiatedCaps() {
        return negotiatedCaps;
    }

    /**
     * The server accepted the login and the connection is idle: completes the future, after the
     * session setup when the server tracks session state; {@code learned} gets the baseline the
     * setup read. A setup that fails closes the connection and fails the future.
     */
    void loggedIn(Consumer<SessionBaseline> learned) {
        login = null;
        if (!connection.tracksSessionState()) {
            timeout.cancel(false);
            promise.trySuccess(connection);
            return;
        }
        settingUp = true;
        SessionSetup.afterLogin(connection, (baseline, failure) -> {
            settingUp = false;
            timeout.cancel(false);
            if (failure != null) {
                promise.tryFailure(new BackendFailures.BackendConnectException(address, failure));
                connection.close();
                return;
            }
            learned.accept(baseline);
            promise.trySuccess(connection);
        });
    }

    /** The connection closed: the login timeout has nothing left to watch. */
    void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    /** The connection failed before the server accepted the login: the future fails with the reason. */
    void failed(Throwable cause) {
        Throwable reason = cause instanceof BackendLogin.BackendLoginException ? cause : new BackendFailures.BackendConnectException(address, cause);
        promise.tryFailure(reason);
    }
}
