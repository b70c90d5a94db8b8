package io.switchyard.backend;

/** A backend server's network address. Immutable. */
public record ServerAddress(String host, int port) {
    public ServerAddress {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("server host must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("server port " + port + " is outside 1..65535");
        }
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
