package io.switchyard.backend;

import io.netty.handler.ssl.SslContext;

/**
 * How the proxy connects to backends. Immutable.
 *
 * @param connectTimeoutMillis bound for TCP connect plus login
 * @param tls client TLS context for backends, or null for plain connections
 * @param tlsRequired fail instead of falling back to plain when a backend offers no TLS
 * @param compression every connection uses protocol compression when the server offers it
 *                    ({@code mysql_servers.compression}); otherwise only those of clients that compress
 */
public record BackendSettings(long connectTimeoutMillis, SslContext tls, boolean tlsRequired, boolean compression) {
    public BackendSettings {
        if (connectTimeoutMillis <= 0) {
            throw new IllegalArgumentException("backend connect timeout must be positive, got " + connectTimeoutMillis);
        }
    }

    /** Settings without forced compression. */
    public BackendSettings(long connectTimeoutMillis, SslContext tls, boolean tlsRequired) {
        this(connectTimeoutMillis, tls, tlsRequired, false);
    }

    /** The same settings with forced compression on or off. */
    public BackendSettings withCompression(boolean on) {
        return on == compression ? this : new BackendSettings(connectTimeoutMillis, tls, tlsRequired, on);
    }
}
