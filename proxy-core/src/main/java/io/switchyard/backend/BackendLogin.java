package io.switchyard.backend;

import io.netty.buffer.ByteBuf;
import io.switchyard.protocol.AuthMoreData;
import io.switchyard.protocol.AuthSwitchRequest;
import io.switchyard.protocol.Capability;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.HandshakeResponse41;
import io.switchyard.protocol.HandshakeV10;
import io.switchyard.protocol.OkPacket;
import io.switchyard.protocol.ProtocolException;
import io.switchyard.protocol.Wire;
import io.switchyard.protocol.auth.AuthPlugin;
import io.switchyard.protocol.auth.CachingSha2Password;
import io.switchyard.protocol.auth.NativePassword;
import io.switchyard.protocol.auth.Pem;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.Map;

/**
 * The client side of the connection phase: answers a backend's handshake and authentication
 * requests with the proxy's credentials for the user ({@code mysql_native_password} and
 * {@code caching_sha2_password}, including full authentication over TLS or with the server's
 * RSA public key).
 *
 * <p>Confined to the backend connection's event loop. Each method returns the payload to send
 * next (the caller frames it), or null when nothing is to be sent.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase.html">Connection phase</a>
 */
final class BackendLogin {

    /** What happened with a packet from the server. */
    enum Outcome { CONTINUE, SEND, SUCCESS }

    private final ConnectionKey key;
    private final String schema;
    /** Compress whatever the client does ({@code mysql_servers.compression}). */
    private final boolean compress;
    private HandshakeV10 handshake;
    private byte[] seed;
    private String plugin;
    private boolean secure;
    private boolean awaitingPublicKey;
    private ErrPacket error;

    BackendLogin(ConnectionKey key, String schema, boolean compress) {
        this.key = key;
        this.schema = schema;
        this.compress = compress;
    }

    HandshakeV10 handshake() {
        return handshake;
    }

    /** The ERR the server ended the login with, if any. */
    ErrPacket error() {
        return error;
    }

    /** Decodes the server's greeting; returns the capabilities the proxy will use. */
    long onHandshake(ByteBuf payload) {
        handshake = HandshakeV10.decode(payload);
        if (!Capability.has(handshake.capabilities(), Capability.CLIENT_PROTOCOL_41)) {
            throw new ProtocolException("backend does not speak protocol 4.1");
        }
        seed = handshake.seed();
        plugin = handshake.authPluginName();
        long wanted = (key.capabilities() & Capability.WIRE_AFFECTING) | Capability.BACKEND_REQUIRED;
        if (schema != null) {
            wanted |= Capability.CLIENT_CONNECT_WITH_DB;
        }
        if (compress) {
            wanted |= Capability.CLIENT_COMPRESS;
        }
        return wanted & handshake.capabilities();
    }

    /** The SSL request to send before switching to TLS. */
    ByteBuf sslRequest(ByteBuf out, long caps) {
        new HandshakeResponse41(caps | Capability.CLIENT_SSL, Wire.MAX_PAYLOAD, key.collation(), null,
                new byte[0], null, null, Map.of()).encode(out);
        return out;
    }

    /** The handshake response; {@code secure} tells whether the channel is now TLS. */
    ByteBuf handshakeResponse(ByteBuf out, long caps, boolean secure) {
        this.secure = secure;
        if (!AuthPlugin.CACHING_SHA2_PASSWORD.wireName().equals(plugin)) {
            plugin = AuthPlugin.MYSQL_NATIVE_PASSWORD.wireName();
        }
        long flags = secure ? caps | Capability.CLIENT_SSL : caps;
        new HandshakeResponse41(flags, Wire.MAX_PAYLOAD, key.collation(), key.credentials().user(),
                scramble(), schema, plugin, Map.of("_client_name", "switchyard", "program_name", "switchyard"))
                .encode(out);
        return out;
    }

    /**
     * Handles a packet from the server after the handshake response. Writes a reply into
     * {@code out} when the outcome is {@link Outcome#SEND}; throws on an ERR.
     */
    Outcome onAuthPacket(ByteBuf payload, ByteBuf out) {
        if (awaitingPublicKey) {
            awaitingPublicKey = false;
            PublicKey key = Pem.readPublicKey(new String(AuthMoreData.decode(payload).data(), StandardCharsets.US_ASCII));
            out.writeBytes(CachingSha2Password.encryptPassword(clearPassword(), seed, key));
            return Outcome.SEND;
        }
        int first = payload.getUnsignedByte(payload.readerIndex());
        switch (first) {
            case OkPacket.HEADER:
                return Outcome.SUCCESS;
            case ErrPacket.HEADER:
                error = ErrPacket.decode(payload);
                throw new BackendLoginException(error);
            case AuthSwitchRequest.HEADER: {
                AuthSwitchRequest request = AuthSwitchRequest.decode(payload, AuthPlugin.MYSQL_NATIVE_PASSWORD.wireName());
                plugin = request.pluginName();
                seed = request.seed();
                if (!AuthPlugin.MYSQL_NATIVE_PASSWORD.wireName().equals(plugin) && !AuthPlugin.CACHING_SHA2_PASSWORD.wireName().equals(plugin)) {
                    throw new ProtocolException("backend asks for unsupported authentication plugin " + plugin);
                }
                out.writeBytes(scramble());
                return Outcome.SEND;
            }
            case AuthMoreData.HEADER: {
                int status = AuthMoreData.decode(payload).status();
                if (status == CachingSha2Password.FAST_AUTH_SUCCESS) {
                    return Outcome.CONTINUE;
                }
                if (status == CachingSha2Password.PERFORM_FULL_AUTHENTICATION) {
                    if (secure) {
                        out.writeBytes(clearPassword()).writeByte(0);
                    } else {
                        awaitingPublicKey = true;
                        out.writeByte(CachingSha2Password.REQUEST_PUBLIC_KEY);
                    }
                    return Outcome.SEND;
                }
                throw new ProtocolException("unexpected authentication data from backend");
            }
            default:
                throw new ProtocolException("unexpected packet 0x" + Integer.toHexString(first) + " during backend login");
        }
    }

    private byte[] scramble() {
        BackendCredentials c = key.credentials();
        if (AuthPlugin.CACHING_SHA2_PASSWORD.wireName().equals(plugin)) {
            return CachingSha2Password.scramble(clearPassword(), seed);
        }
        if (c.nativeStage1() != null) {
            return NativePassword.scrambleFromStage1(c.nativeStage1(), seed);
        }
        return NativePassword.scramble(c.password(), seed);
    }

    private byte[] clearPassword() {
        byte[] password = key.credentials().password();
        if (password == null) {
            throw new ProtocolException("backend requires caching_sha2_password, but only the native hash of the password of '"
                    + key.credentials().user() + "' is known; store the clear-text password or use mysql_native_password");
        }
        return password;
    }

    /** The backend refused the login. */
    static final class BackendLoginException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient ErrPacket err;

        BackendLoginException(ErrPacket err) {
            super(err.toString());
            this.err = err;
        }
    }
}
