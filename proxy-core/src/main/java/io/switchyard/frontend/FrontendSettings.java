package io.switchyard.frontend;

import io.netty.handler.ssl.SslContext;
import io.switchyard.protocol.auth.AuthPlugin;
import io.switchyard.protocol.auth.RsaKeyPair;

/**
 * How the proxy faces clients. Immutable.
 *
 * @param bindAddress address to listen on
 * @param port port to listen on (0 picks a free one)
 * @param maxAllowedPacket largest logical packet a client may send, in bytes
 * @param authPlugin plugin named in the handshake ({@code mysql_native_password} or {@code caching_sha2_password})
 * @param tls server TLS context for clients, or null when TLS is off
 * @param requireTls refuse clients that do not switch to TLS
 * @param rsaKeys key pair for {@code caching_sha2_password} full authentication without TLS,
 *     asked for only when a client needs it (so it can be generated in the background)
 * @param maxClientConnections client connections the proxy accepts at once
 * @param netReadTimeoutMillis a client that leaves a packet half-sent this long is disconnected
 */
public record FrontendSettings(String bindAddress, int port, long maxAllowedPacket, AuthPlugin authPlugin,
                               SslContext tls, boolean requireTls, java.util.function.Supplier<RsaKeyPair> rsaKeys,
                               int maxClientConnections, long netReadTimeoutMillis) {
    public FrontendSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("frontend.port " + port + " is outside 0..65535");
        }
        if (maxAllowedPacket < 1024) {
            throw new IllegalArgumentException("frontend.max-allowed-packet must be at least 1024 bytes, got " + maxAllowedPacket);
        }
        if (authPlugin == AuthPlugin.MYSQL_CLEAR_PASSWORD) {
            throw new IllegalArgumentException("frontend.auth-plugin must be mysql_native_password or caching_sha2_password");
        }
        if (requireTls && tls == null) {
            throw new IllegalArgumentException("frontend.tls.required is set but no TLS is configured (frontend.tls.enabled)");
        }
        if (netReadTimeoutMillis < 100) {
            throw new IllegalArgumentException("frontend.net-read-timeout must be at least 100ms, got " + netReadTimeoutMillis + " ms");
        }
        if (maxClientConnections < 1) {
            throw new IllegalArgumentException("frontend.max-client-connections must be >= 1, got " + maxClientConnections);
        }
    }
}
