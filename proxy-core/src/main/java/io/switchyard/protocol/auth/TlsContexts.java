package io.switchyard.protocol.auth;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the Netty {@link SslContext}s of the proxy: one for client-facing TLS (the proxy as
 * server) and one for proxy-to-backend TLS (the proxy as client). Both use the JDK's TLS
 * implementation and allow only {@link #PROTOCOLS}.
 *
 * <p>MySQL negotiates TLS inside its own protocol: the client sends an SSLRequest packet after
 * the server's handshake, and TLS starts on the next byte. So a session adds the handler from
 * {@code context.newHandler(...)} at the head of its pipeline at that moment: the frontend once
 * it has read an SSLRequest, the backend once its SSLRequest has been written. Backend handlers
 * must be made with {@link SslContext#newHandler(io.netty.buffer.ByteBufAllocator, String, int)}
 * (the backend's host and port), or hostname verification has nothing to check against.
 *
 * <p>Stateless; the returned contexts are immutable and thread-safe: build each once at
 * start-up (or on configuration change) and share it between sessions.
 */
public final class TlsContexts {

    /** The TLS versions offered on both sides, newest first; MySQL 8.4 also allows only these. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /**
     * How the proxy authenticates backends it connects to with TLS.
     *
     * <ul>
     *   <li>{@link #TRUST_ALL}: encrypt, but accept any certificate (MySQL's
     *       {@code --ssl-mode=REQUIRED}); hostname verification is off.
     *   <li>{@link #CA_FILE}: accept certificates issued by the CAs in a PEM file
     *       ({@code VERIFY_CA}, or {@code VERIFY_IDENTITY} with hostname verification).
     *   <li>{@link #SYSTEM_TRUST}: accept certificates issued by the JDK's default trust store.
     * </ul>
     */
    public enum BackendTrust {
        TRUST_ALL,
        CA_FILE,
        SYSTEM_TRUST
    }

    private TlsContexts() {
    }

    /** A client-facing context presenting {@code identity}. */
    public static SslContext server(TlsIdentity identity) {
        SslContextBuilder builder = SslContextBuilder
                .forServer(identity.privateKey(), identity.certificateChain())
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOLS);
        return build(builder, "client-facing");
    }

    /** A client-facing context presenting the certificate chain and key in these PEM files. */
    public static SslContext server(Path certificateChainPem, Path privateKeyPem) {
        return server(TlsIdentity.load(certificateChainPem, privateKeyPem));
    }

    /**
     * A backend-facing context.
     *
     * @param trust how to authenticate the backend's certificate
     * @param caFilePem PEM file with one or more CA certificates; required for
     *     {@link BackendTrust#CA_FILE}, must be {@code null} otherwise
     * @param verifyHostname whether the certificate must name the host the handler was created
     *     for; not allowed with {@link BackendTrust#TRUST_ALL}
     * @throws IllegalArgumentException if the combination is inconsistent or the CA file is
     *     unreadable, naming what to change
     */
    public static SslContext client(BackendTrust trust, Path caFilePem, boolean verifyHostname) {
        if ((trust == BackendTrust.CA_FILE) != (caFilePem != null)) {
            throw new IllegalArgumentException(trust == BackendTrust.CA_FILE
                    ? "backend TLS trust CA_FILE needs a CA file"
                    : "a backend CA file is only used with trust CA_FILE, not " + trust);
        }
        if (trust == BackendTrust.TRUST_ALL && verifyHostname) {
            throw new IllegalArgumentException(
                    "backend hostname verification needs trust CA_FILE or SYSTEM_TRUST, not TRUST_ALL");
        }
        SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOLS)
                .endpointIdentificationAlgorithm(verifyHostname ? "HTTPS" : null);
        switch (trust) {
            case TRUST_ALL -> builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
            case CA_FILE -> builder.trustManager(readCaFile(caFilePem));
            case SYSTEM_TRUST -> builder.trustManager((TrustManagerFactory) null);
        }
        return build(builder, "backend");
    }

    private static List<X509Certificate> readCaFile(Path caFilePem) {
        try {
            return Pem.readCertificates(Files.readString(caFilePem, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new IllegalArgumentException(caFilePem + ": cannot read CA file: " + e, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(caFilePem + ": " + e.getMessage(), e);
        }
    }

    private static SslContext build(SslContextBuilder builder, String side) {
        try {
            return builder.build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot build the " + side + " TLS context: "
                    + e.getMessage(), e);
        }
    }
}
