package io.switchyard.backend;

/**
 * Sizing and timing of a backend connection pool. Immutable; validated on construction with
 * messages that name the setting.
 *
 * @param minIdle idle connections kept open to the server (for the users and protocol options already seen)
 * @param maxConnections connections to one server, busy and idle together
 * @param idleTimeoutMillis an idle connection above {@code minIdle} is closed after this long unused
 * @param maxLifetimeMillis a connection is closed when it becomes idle this long after it was opened
 * @param keepaliveMillis an idle connection unused this long is pinged ({@code COM_PING}); a failed ping closes it
 * @param acquireTimeoutMillis how long a session waits for a connection when the pool is at its maximum
 */
public record PoolSettings(int minIdle, int maxConnections, long idleTimeoutMillis, long maxLifetimeMillis,
                           long keepaliveMillis, long acquireTimeoutMillis) {
    public PoolSettings {
        require(minIdle >= 0, "backend.pool.min-idle must be >= 0, got " + minIdle);
        require(maxConnections >= 1, "backend.pool.max-connections must be >= 1, got " + maxConnections);
        require(minIdle <= maxConnections, "backend.pool.min-idle (" + minIdle + ") must not exceed backend.pool.max-connections (" + maxConnections + ")");
        require(idleTimeoutMillis >= 1000, "backend.pool.idle-timeout must be at least 1s, got " + idleTimeoutMillis + " ms");
        require(maxLifetimeMillis >= 1000, "backend.pool.max-lifetime must be at least 1s, got " + maxLifetimeMillis + " ms");
        require(keepaliveMillis >= 100, "backend.pool.keepalive-interval must be at least 100ms, got " + keepaliveMillis + " ms");
        require(acquireTimeoutMillis >= 1, "backend.pool.acquire-timeout must be positive, got " + acquireTimeoutMillis + " ms");
    }

    public static PoolSettings defaults() {
        return new PoolSettings(0, 1000, 600_000, 3_600_000, 30_000, 10_000);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
