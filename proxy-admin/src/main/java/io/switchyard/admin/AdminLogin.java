package io.switchyard.admin;

import io.netty.buffer.ByteBuf;
import io.switchyard.protocol.AuthSwitchRequest;
import io.switchyard.protocol.Capability;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.HandshakeResponse41;
import io.switchyard.protocol.HandshakeV10;
import io.switchyard.protocol.ProxyError;
import io.switchyard.protocol.ServerStatus;
import io.switchyard.protocol.auth.AuthPlugin;
import io.switchyard.protocol.auth.NativePassword;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * The admin side of the connection phase: a greeting offering {@code mysql_native_password}
 * (switching clients that start with another plugin to it), and the check of the admin
 * credentials. No TLS: the admin listens on loopback by default. Confined to the session's
 * event loop.
 */
final class AdminLogin {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int COLLATION_UTF8MB4_GENERAL_CI = 45;

    /** Capabilities the admin offers. */
    static final long CAPABILITIES = Capability.CLIENT_MYSQL | Capability.CLIENT_FOUND_ROWS | Capability.CLIENT_LONG_FLAG
            | Capability.CLIENT_CONNECT_WITH_DB | Capability.CLIENT_PROTOCOL_41 | Capability.CLIENT_INTERACTIVE
            | Capability.CLIENT_TRANSACTIONS | Capability.CLIENT_SECURE_CONNECTION | Capability.CLIENT_MULTI_STATEMENTS
            | Capability.CLIENT_MULTI_RESULTS | Capability.CLIENT_PS_MULTI_RESULTS | Capability.CLIENT_PLUGIN_AUTH
            | Capability.CLIENT_CONNECT_ATTRS | Capability.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA
            | Capability.CLIENT_SESSION_TRACK | Capability.CLIENT_DEPRECATE_EOF;

    /** What the session does after a login packet. */
    sealed interface Outcome {
        /** Send {@code request} and wait for the client's answer to it. */
        record Send(AuthSwitchRequest request) implements Outcome {}

        /** Logged in, with the negotiated capabilities and the schema asked for (or null). */
        record Success(long capabilities, String schema) implements Outcome {}

        record Failure(ErrPacket error) implements Outcome {}
    }

    private final String username;
    private final byte[] stage2;
    private final String clientHost;
    private byte[] seed = newSeed();
    private HandshakeResponse41 response;

    AdminLogin(String username, String password, String clientHost) {
        this.username = username;
        this.stage2 = password.isEmpty() ? new byte[0] : NativePassword.stage2Hash(password.getBytes(StandardCharsets.UTF_8));
        this.clientHost = clientHost;
    }

    HandshakeV10 greeting(long connectionId) {
        return new HandshakeV10(SessionVariables.SERVER_VERSION, connectionId, seed, CAPABILITIES, COLLATION_UTF8MB4_GENERAL_CI,
                ServerStatus.AUTOCOMMIT, AuthPlugin.MYSQL_NATIVE_PASSWORD.wireName());
    }

    /** The client's handshake response (the payload is read, not released). */
    Outcome onResponse(ByteBuf payload) {
        HandshakeResponse41 r = HandshakeResponse41.decode(payload);
        if (r.isSslRequest()) {
            return new Outcome.Failure(ProxyError.BAD_HANDSHAKE.format("the admin port does not offer TLS; connect without it"));
        }
        response = r;
        String plugin = r.authPluginName();
        if (plugin != null && !plugin.equals(AuthPlugin.MYSQL_NATIVE_PASSWORD.wireName())) {
            seed = newSeed();
            return new Outcome.Send(new AuthSwitchRequest(AuthPlugin.MYSQL_NATIVE_PASSWORD.wireName(), seed));
        }
        return verify(r.authResponse());
    }

    /** The client's answer to the switch to {@code mysql_native_password}. */
    Outcome onAuthSwitchResponse(ByteBuf payload) {
        byte[] data = new byte[payload.readableBytes()];
        payload.readBytes(data);
        return verify(data);
    }

    private Outcome verify(byte[] authResponse) {
        if (!response.username().equals(username) || !NativePassword.verify(stage2, seed, authResponse)) {
            return new Outcome.Failure(ProxyError.ACCESS_DENIED.format(response.username(), clientHost,
                    authResponse.length > 0 ? "YES" : "NO"));
        }
        return new Outcome.Success(response.capabilities() & CAPABILITIES, response.database());
    }

    private static byte[] newSeed() {
        byte[] seed = new byte[20];
        for (int i = 0; i < seed.length; i++) {
            seed[i] = (byte) (1 + RANDOM.nextInt(126));
        }
        return seed;
    }
}
