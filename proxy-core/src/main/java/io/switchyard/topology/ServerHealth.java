package io.switchyard.topology;

/**
 * What the health monitor and the data path have learned about one server (host and port),
 * shared by every hostgroup the server is in: whether it is shunned, its {@code @@read_only}
 * and its replication lag. Thread-safe: written by the monitor and by connection failures,
 * read on every routing decision.
 */
public final class ServerHealth {
    private volatile ServerState status = ServerState.ONLINE;
    private volatile Boolean readOnly;
    private volatile long lagSeconds = -1;
    private volatile long shunnedAtNanos;

    /** ONLINE, SHUNNED or SHUNNED_REPLICATION_LAG. */
    public ServerState status() {
        return status;
    }

    /** Opens the breaker: no new work goes to the server until it recovers. */
    public void shun(ServerState why) {
        if (why != ServerState.SHUNNED && why != ServerState.SHUNNED_REPLICATION_LAG) {
            throw new IllegalArgumentException("not a shunned state: " + why);
        }
        shunnedAtNanos = System.nanoTime();
        status = why;
    }

    /** Closes the breaker. */
    public void recover() {
        status = ServerState.ONLINE;
    }

    /** {@link System#nanoTime()} of the last shun. */
    public long shunnedAtNanos() {
        return shunnedAtNanos;
    }

    /** The server's read_only as last checked, or null when not checked (yet). */
    public Boolean readOnly() {
        return readOnly;
    }

    public void readOnly(Boolean value) {
        this.readOnly = value;
    }

    /** Seconds behind its primary as last checked; -1 when unknown or not a replica. */
    public long lagSeconds() {
        return lagSeconds;
    }

    public void lagSeconds(long value) {
        this.lagSeconds = value;
    }
}
