package io.switchyard.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.switchyard.protocol.auth.TlsContexts.BackendTrust;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsContextsTest {

    private static TlsIdentity proxyIdentity;

    @TempDir
    Path dir;

    private EmbeddedChannel server;
    private EmbeddedChannel client;

    @BeforeAll
    static void generateIdentity() {
        proxyIdentity = TlsIdentity.selfSigned("proxy.test");
    }

    @AfterEach
    void releaseChannels() {
        if (server != null) {
            server.finishAndReleaseAll();
        }
        if (client != null) {
            client.finishAndReleaseAll();
        }
    }

    @Test
    void selfSignedServerAndTrustAllClientCompleteAHandshakeAndCarryData() {
        connect(TlsContexts.server(proxyIdentity), TlsContexts.client(BackendTrust.TRUST_ALL, null, false), "10.0.0.9");

        assertThat(handshakeSucceeded(client)).isTrue();
        assertThat(handshakeSucceeded(server)).isTrue();
        assertThat(client.pipeline().get(SslHandler.class).engine().getSession().getProtocol()).isEqualTo("TLSv1.3");

        client.writeOutbound(Unpooled.copiedBuffer("COM_PING", StandardCharsets.US_ASCII));
        shuttle();
        ByteBuf received = server.readInbound();
        try {
            assertThat(received.toString(StandardCharsets.US_ASCII)).isEqualTo("COM_PING");
        } finally {
            received.release();
        }
    }

    @Test
    void clientTrustingTheCertificateAsCaVerifiesTheHostName() throws IOException {
        Path ca = Files.writeString(dir.resolve("ca.pem"), proxyIdentity.certificatePem());
        SslContext verifying = TlsContexts.client(BackendTrust.CA_FILE, ca, true);

        connect(TlsContexts.server(proxyIdentity), verifying, "proxy.test");
        assertThat(handshakeSucceeded(client)).isTrue();
        releaseChannels();

        connect(TlsContexts.server(proxyIdentity), verifying, "db.example");
        assertThat(handshakeSucceeded(client)).isFalse();
    }

    @Test
    void clientTrustingACaRejectsACertificateItDidNotIssue() throws IOException {
        Path ca = Files.writeString(dir.resolve("ca.pem"), proxyIdentity.certificatePem());
        TlsIdentity impostor = TlsIdentity.selfSigned("proxy.test");

        connect(TlsContexts.server(impostor), TlsContexts.client(BackendTrust.CA_FILE, ca, false), "proxy.test");

        assertThat(handshakeSucceeded(client)).isFalse();
    }

    @Test
    void serverLoadsPemFilesWrittenForItsIdentity() throws IOException {
        Path cert = Files.writeString(dir.resolve("cert.pem"), proxyIdentity.certificatePem());
        Path key = Files.writeString(dir.resolve("key.pem"), Pem.writePrivateKey(proxyIdentity.privateKey()));

        connect(TlsContexts.server(cert, key), TlsContexts.client(BackendTrust.TRUST_ALL, null, false), "proxy.test");

        assertThat(handshakeSucceeded(server)).isTrue();
    }

    @Test
    void mismatchedKeyAndCertificateAreRejectedNamingTheFiles() throws IOException {
        Path cert = Files.writeString(dir.resolve("cert.pem"), proxyIdentity.certificatePem());
        Path otherKey = Files.writeString(dir.resolve("other-key.pem"),
                Pem.writePrivateKey(RsaKeyPair.generate().privateKey()));

        assertThatIllegalArgumentException()
                .isThrownBy(() -> TlsContexts.server(cert, otherKey))
                .withMessageContaining("other-key.pem is not the key of the first certificate in");
    }

    @Test
    void inconsistentBackendTrustSettingsAreRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> TlsContexts.client(BackendTrust.TRUST_ALL, null, true))
                .withMessageContaining("hostname verification");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> TlsContexts.client(BackendTrust.CA_FILE, null, false))
                .withMessageContaining("needs a CA file");
    }

    private void connect(SslContext serverContext, SslContext clientContext, String backendHost) {
        server = new EmbeddedChannel(serverContext.newHandler(ByteBufAllocator.DEFAULT));
        client = new EmbeddedChannel(clientContext.newHandler(ByteBufAllocator.DEFAULT, backendHost, 3306));
        shuttle();
    }

    /** Moves TLS records between the two channels until neither has anything left to send. */
    private void shuttle() {
        boolean moved = true;
        while (moved) {
            moved = transfer(client, server) | transfer(server, client);
        }
    }

    private static boolean transfer(EmbeddedChannel from, EmbeddedChannel to) {
        boolean moved = false;
        for (Object record = from.readOutbound(); record != null; record = from.readOutbound()) {
            moved = true;
            if (!to.isOpen()) {
                ((ByteBuf) record).release();
                continue;
            }
            try {
                to.writeInbound(record);
            } catch (RuntimeException handshakeFailure) {
                // The failed side has fired exceptionCaught and closed; the test checks the outcome.
            }
        }
        return moved;
    }

    private static boolean handshakeSucceeded(EmbeddedChannel channel) {
        var future = channel.pipeline().get(SslHandler.class) == null
                ? null
                : channel.pipeline().get(SslHandler.class).handshakeFuture();
        return future != null && future.isDone() && future.isSuccess();
    }
}
