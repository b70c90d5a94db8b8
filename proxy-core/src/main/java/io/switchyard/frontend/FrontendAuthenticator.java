package io.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchyard.backend.BackendCredentials;
import io.switchyard.protocol.AuthMoreData;
import io.switchyard.protocol.AuthSwitchRequest;
import io.switchyard.protocol.Capability;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.HandshakeResponse41;
import io.switchyard.protocol.HandshakeV10;
import io.switchyard.protocol.ProxyError;
import io.switchyard.protocol.ServerStatus;
import io.switchyard.protocol.auth.AuthPlugin;
import io.switchyard.protocol.auth.CachingSha2Password;
import io.switchyard.protocol.auth.NativePassword;
import io.switchyard.topology.UserConfig;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The server side of the connection phase for one client: greeting, optional switch to TLS,
 * then {@code mysql_native_password} or {@code caching_sha2_password} (fast path when the
 * clear-text password is known; full authentication over TLS or with the RSA key when only the
 * native hash is stored), with auth-switch requests when the client starts with another plugin.
 * Also verifies {@code COM_CHANGE_USER}.
 *
 * <p>Confined to the client channel's event loop.
 */
final class FrontendAuthenticator {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What the session does next. */
    enum Step { SEND, SEND_THEN_SUCCESS, START_TLS, SUCCESS, FAILURE }

    /** The authenticator's answer to one client packet. */
    record Reply(Step step, Consumer<ByteBuf> payload, ErrPacket error) {
        static Reply send(Consumer<ByteBuf> payload) {
            return new Reply(Step.SEND, payload, null);
        }

        static Reply fail(ErrPacket error) {
            return new Reply(Step.FAILURE, null, error);
        }
    }

    private enum Expect { RESPONSE, AUTH_SWITCH, SHA2_FULL, SHA2_RSA }

    private final FrontendSettings settings;
    private final Function<String, UserConfig> users;
    private final String clientHost;
    private byte[] seed = newSeed();
    private Expect expect = Expect.RESPONSE;
    private boolean secure;
    private HandshakeResponse41 response;
    private UserConfig user;
    private String pendingPlugin;
    private BackendCredentials credentials;

    FrontendAuthenticator(FrontendSettings settings, Function<String, UserConfig> users, String clientHost) {
        this.settings = settings;
        this.users = users;
        this.clientHost = clientHost;
    }

    /** 20 random bytes in 1..126 (no NUL, which would end the scramble on the wire), drawn at once. */
    static byte[] newSeed() {
        byte[] seed = new byte[20];
        RANDOM.nextBytes(seed);
        for (int i = 0; i < seed.length; i++) {
            seed[i] = (byte) (1 + (seed[i] & 0xFF) % 126);
        }
        return seed;
    }

    HandshakeV10 greeting(ServerIdentity.View identity, long connectionId) {
        long caps = identity.capabilities();
        caps = settings.tls() != null ? caps | Capability.CLIENT_SSL : caps & ~Capability.CLIENT_SSL;
        return new HandshakeV10(identity.serverVersion(), connectionId, seed, caps, identity.collation(),
                ServerStatus.AUTOCOMMIT, settings.authPlugin().wireName());
    }

    /** Handles the client's handshake response, SSL request, or a later authentication packet. */
    Reply onPacket(ByteBuf payload, long serverCaps) {
        switch (expect) {
            case RESPONSE -> {
                HandshakeResponse41 r = HandshakeResponse41.decode(payload);
                if (r.isSslRequest()) {
                    if (settings.tls() == null || secure) {
                        return Reply.fail(ProxyError.SSL_UNAVAILABLE.format());
                    }
                    secure = true;
                    return new Reply(Step.START_TLS, null, null);
                }
                response = r;
                return onResponse(r, serverCaps);
            }
            case AUTH_SWITCH -> {
                return verify(pendingPlugin, readAll(payload));
            }
            case SHA2_FULL -> {
                byte[] data = readAll(payload);
                if (secure) {
                    int len = data.length > 0 && data[data.length - 1] == 0 ? data.length - 1 : data.length;
                    return checkClearText(Arrays.copyOf(data, len));
                }
                if (data.length == 1 && data[0] == CachingSha2Password.REQUEST_PUBLIC_KEY) {
                    expect = Expect.SHA2_RSA;
                    return Reply.send(moreData(settings.rsaKeys().get().publicKeyPemBytes()));
                }
                return Reply.fail(ProxyError.ACCESS_DENIED.format(user.username(), clientHost, "YES"));
            }
            case SHA2_RSA -> {
                Optional<byte[]> clear = CachingSha2Password.decryptPassword(readAll(payload), seed, settings.rsaKeys().get().privateKey());
                return clear.map(this::checkClearText)
                        .orElseGet(() -> Reply.fail(ProxyError.ACCESS_DENIED.format(user.username(), clientHost, "YES")));
            }
            default -> throw new IllegalStateException(expect.toString());
        }
    }

    private Reply onResponse(HandshakeResponse41 r, long serverCaps) {
        if (settings.requireTls() && !secure) {
            return Reply.fail(ProxyError.SSL_REQUIRED.format(r.username()));
        }
        return start(r.username(), r.authPluginName(), r.authResponse());
    }

    /**
     * Verifies a COM_CHANGE_USER request: same rules as the first login, against the seed of the
     * connection's greeting.
     */
    Reply changeUser(String username, String plugin, byte[] authResponse) {
        expect = Expect.RESPONSE;
        return start(username, plugin, authResponse);
    }

    private Reply start(String username, String clientPlugin, byte[] authResponse) {
        user = users.apply(username);
        if (user == null) {
            return Reply.fail(ProxyError.ACCESS_DENIED.format(username, clientHost, authResponse.length > 0 ? "YES" : "NO"));
        }
        if (!user.active()) {
            return Reply.fail(ProxyError.USER_INACTIVE.format(username, clientHost));
        }
        String plugin = clientPlugin == null ? AuthPlugin.MYSQL_NATIVE_PASSWORD.wireName() : clientPlugin;
        boolean known = plugin.equals(AuthPlugin.MYSQL_NATIVE_PASSWORD.wireName())
                || plugin.equals(AuthPlugin.CACHING_SHA2_PASSWORD.wireName());
        if (!known || !plugin.equals(settings.authPlugin().wireName()) && authResponse.length == 0 && hasPassword()) {
            return switchTo(settings.authPlugin().wireName());
        }
        return verify(plugin, authResponse);
    }

    private boolean hasPassword() {
        return !user.password().isEmpty();
    }

    private Reply switchTo(String plugin) {
        pendingPlugin = plugin;
        expect = Expect.AUTH_SWITCH;
        seed = newSeed();
        return Reply.send(new AuthSwitchRequest(plugin, seed)::encode);
    }

    private Reply verify(String plugin, byte[] authResponse) {
        if (plugin.equals(AuthPlugin.CACHING_SHA2_PASSWORD.wireName())) {
            byte[] clear = user.clearPassword();
            if (clear != null) {
                if (!CachingSha2Password.verify(clear, seed, authResponse)) {
                    return denied(authResponse);
                }
                credentials = BackendCredentials.clearText(user.username(), clear);
                return new Reply(Step.SEND_THEN_SUCCESS, moreData(new byte[] {CachingSha2Password.FAST_AUTH_SUCCESS}), null);
            }
            if (authResponse.length == 0) {
                return denied(authResponse);
            }
            expect = Expect.SHA2_FULL;
            return Reply.send(moreData(new byte[] {CachingSha2Password.PERFORM_FULL_AUTHENTICATION}));
        }
        byte[] stage2 = user.nativeStage2();
        if (user.hashedPassword()) {
            Optional<byte[]> stage1 = NativePassword.recoverStage1(stage2, seed, authResponse);
            if (stage1.isEmpty()) {
                return denied(authResponse);
            }
            credentials = BackendCredentials.nativeStage1(user.username(), stage1.get());
        } else {
            if (!NativePassword.verify(stage2, seed, authResponse)) {
                return denied(authResponse);
            }
            credentials = BackendCredentials.clearText(user.username(), user.clearPassword());
        }
        return new Reply(Step.SUCCESS, null, null);
    }

    private Reply checkClearText(byte[] clear) {
        if (!Arrays.equals(NativePassword.stage2Hash(clear), user.nativeStage2())) {
            return Reply.fail(ProxyError.ACCESS_DENIED.format(user.username(), clientHost, "YES"));
        }
        credentials = BackendCredentials.clearText(user.username(), clear);
        return new Reply(Step.SUCCESS, null, null);
    }

    private Reply denied(byte[] authResponse) {
        return Reply.fail(ProxyError.ACCESS_DENIED.format(user.username(), clientHost, authResponse.length > 0 ? "YES" : "NO"));
    }

    private static Consumer<ByteBuf> moreData(byte[] data) {
        return new AuthMoreData(data)::encode;
    }

    private static byte[] readAll(ByteBuf payload) {
        byte[] data = new byte[payload.readableBytes()];
        payload.readBytes(data);
        return data;
    }

    boolean secure() {
        return secure;
    }

    HandshakeResponse41 response() {
        return response;
    }

    UserConfig user() {
        return user;
    }

    BackendCredentials credentials() {
        return credentials;
    }

    static ByteBuf wrap(byte[] payload) {
        return Unpooled.wrappedBuffer(payload);
    }
}
