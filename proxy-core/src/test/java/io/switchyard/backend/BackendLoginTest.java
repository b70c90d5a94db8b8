package io.switchyard.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchyard.protocol.Capability;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.HandshakeResponse41;
import io.switchyard.protocol.HandshakeV10;
import io.switchyard.protocol.auth.CachingSha2Password;
import io.switchyard.protocol.auth.NativePassword;
import io.switchyard.protocol.auth.RsaKeyPair;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy's side of a backend login, driven by the packets a MySQL 8 server sends for
 * {@code caching_sha2_password} (fast path, full authentication with the RSA key, full
 * authentication over TLS) and for an auth switch to {@code mysql_native_password}.
 */
class BackendLoginTest {
    /** A 20-byte seed as a server sends it (printable, no NUL). */
    static final byte[] SEED = "2w7Lk#pQ0z!Xb9Rt4Ve^".getBytes(StandardCharsets.US_ASCII);
    /** SHA256("app-pass") XOR SHA256(SHA256(SHA256("app-pass")) + SEED), computed with Python's hashlib. */
    static final String APP_PASS_SHA2_SCRAMBLE = "75f775fdbf99c5ff655a412c334f1523c135fb8e977ebabf1bac32182e728cb3";

    final ByteBuf out = Unpooled.buffer();

    @AfterEach
    void release() {
        out.release();
    }

    private static ConnectionKey key() {
        return new ConnectionKey(BackendCredentials.clearText("app", "app-pass".getBytes(StandardCharsets.UTF_8)),
                Capability.CLIENT_DEPRECATE_EOF | Capability.CLIENT_MULTI_RESULTS, 45);
    }

    private static ByteBuf mysql8Greeting(String plugin) {
        long caps = Capability.PROXY_SUPPORTED | Capability.CLIENT_MYSQL;
        ByteBuf buf = Unpooled.buffer();
        new HandshakeV10("8.4.3", 42, SEED, caps & 0xFFFFFFFFL, 255, 2, plugin).encode(buf);
        return buf;
    }

    private HandshakeResponse41 sentResponse(BackendLogin login, boolean secure) {
        ByteBuf greeting = mysql8Greeting("caching_sha2_password");
        long caps = login.onHandshake(greeting);
        greeting.release();
        login.handshakeResponse(out, caps, secure);
        return HandshakeResponse41.decode(out);
    }

    private static ByteBuf packet(int... bytes) {
        ByteBuf buf = Unpooled.buffer();
        for (int b : bytes) {
            buf.writeByte(b);
        }
        return buf;
    }

    @Test
    void compressionIsAskedForWhenTheClientCompressesOrTheServerRowSaysSo() {
        ByteBuf greeting = mysql8Greeting("caching_sha2_password");
        long plain = new BackendLogin(key(), null, false).onHandshake(greeting.duplicate());
        long forced = new BackendLogin(key(), null, true).onHandshake(greeting.duplicate());
        ConnectionKey compressing = new ConnectionKey(key().credentials(), key().capabilities() | Capability.CLIENT_COMPRESS, 45);
        long client = new BackendLogin(compressing, null, false).onHandshake(greeting.duplicate());
        greeting.release();

        assertThat(Capability.has(plain, Capability.CLIENT_COMPRESS)).isFalse();
        assertThat(Capability.has(forced, Capability.CLIENT_COMPRESS)).isTrue();
        assertThat(Capability.has(client, Capability.CLIENT_COMPRESS)).isTrue();
    }

    @Test
    void cachingSha2FastPathSendsTheScrambleAndAcceptsFastAuthSuccess() {
        BackendLogin login = new BackendLogin(key(), "app", false);
        HandshakeResponse41 response = sentResponse(login, false);

        assertThat(response.authPluginName()).isEqualTo("caching_sha2_password");
        assertThat(response.database()).isEqualTo("app");
        assertThat(HexFormat.of().formatHex(response.authResponse())).isEqualTo(APP_PASS_SHA2_SCRAMBLE);

        ByteBuf fastOk = packet(0x01, 0x03);
        assertThat(login.onAuthPacket(fastOk, out.clear())).isEqualTo(BackendLogin.Outcome.CONTINUE);
        fastOk.release();
        ByteBuf ok = packet(0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00);
        assertThat(login.onAuthPacket(ok, out.clear())).isEqualTo(BackendLogin.Outcome.SUCCESS);
        ok.release();
    }

    @Test
    void cachingSha2FullAuthenticationAsksForTheRsaKeyAndSendsTheEncryptedPassword() {
        RsaKeyPair serverKeys = RsaKeyPair.generate();
        BackendLogin login = new BackendLogin(key(), null, false);
        sentResponse(login, false);

        ByteBuf fullAuth = packet(0x01, 0x04);
        assertThat(login.onAuthPacket(fullAuth, out.clear())).isEqualTo(BackendLogin.Outcome.SEND);
        fullAuth.release();
        assertThat(out.readableBytes()).isEqualTo(1);
        assertThat(out.getByte(0)).isEqualTo(CachingSha2Password.REQUEST_PUBLIC_KEY);

        ByteBuf keyPacket = Unpooled.buffer().writeByte(0x01).writeBytes(serverKeys.publicKeyPemBytes());
        assertThat(login.onAuthPacket(keyPacket, out.clear())).isEqualTo(BackendLogin.Outcome.SEND);
        keyPacket.release();
        byte[] encrypted = new byte[out.readableBytes()];
        out.readBytes(encrypted);
        assertThat(CachingSha2Password.decryptPassword(encrypted, SEED, serverKeys.privateKey()))
                .hasValueSatisfying(p -> assertThat(new String(p, StandardCharsets.UTF_8)).isEqualTo("app-pass"));
    }

    @Test
    void cachingSha2FullAuthenticationOverTlsSendsTheClearTextPassword() {
        BackendLogin login = new BackendLogin(key(), null, false);
        HandshakeResponse41 response = sentResponse(login, true);
        assertThat(Capability.has(response.capabilities(), Capability.CLIENT_SSL)).isTrue();

        ByteBuf fullAuth = packet(0x01, 0x04);
        assertThat(login.onAuthPacket(fullAuth, out.clear())).isEqualTo(BackendLogin.Outcome.SEND);
        fullAuth.release();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("app-pass\0");
    }

    @Test
    void authSwitchToNativePasswordUsesTheNewSeed() {
        BackendLogin login = new BackendLogin(key(), null, false);
        sentResponse(login, false);
        byte[] newSeed = "abcdefghij0123456789".getBytes(StandardCharsets.US_ASCII);
        ByteBuf switchRequest = Unpooled.buffer().writeByte(0xfe)
                .writeBytes("mysql_native_password".getBytes(StandardCharsets.US_ASCII)).writeByte(0)
                .writeBytes(newSeed).writeByte(0);
        assertThat(login.onAuthPacket(switchRequest, out.clear())).isEqualTo(BackendLogin.Outcome.SEND);
        switchRequest.release();
        byte[] scramble = new byte[out.readableBytes()];
        out.readBytes(scramble);
        assertThat(NativePassword.verify(NativePassword.stage2Hash("app-pass"), newSeed, scramble)).isTrue();
    }

    @Test
    void errFromTheServerEndsTheLoginWithItsCodeAndMessage() {
        BackendLogin login = new BackendLogin(key(), null, false);
        sentResponse(login, false);
        ByteBuf err = Unpooled.buffer();
        new ErrPacket(1045, "28000", "Access denied for user 'app'@'10.0.0.1' (using password: YES)").encode(err);
        assertThatThrownBy(() -> login.onAuthPacket(err, out.clear()))
                .isInstanceOfSatisfying(BackendLogin.BackendLoginException.class, e -> assertThat(e.err.code()).isEqualTo(1045));
        err.release();
    }
}
