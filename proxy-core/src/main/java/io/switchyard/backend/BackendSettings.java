package io.switchyard.backend;

import io.netty.handler.ssl.SslContext;

/**
 * How the proxy connects to backends. Immutable.
 *
 * @param connectTimeoutMillis bound for TCP connect plus login
 * @param tls client TLS context for backends, or null for plain connections
 * @param tlsRequired fail instead of falling back to plain when a backend offers no TLS
 */
public record BackendSettings(long connectTimeoutMillis, SslContext tls, boolean tlsRequired) {
    public BackendSettings {
        if (connectTimeoutMillis <= 0) {
            throw new IllegalArgumentException("backend connect timeout must be positive, got " + connectTimeoutMillis);
        }
    }
}
