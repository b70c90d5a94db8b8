package io.switchyard.topology;

import io.switchyard.backend.BackendPool;
import io.switchyard.backend.ServerAddress;
import io.switchyard.backend.ServerState;
import java.util.Objects;

/**
 * A server as a member of one hostgroup: the pool of connections to it (shared by every hostgroup
 * the server is in) and the row's weight, status and connection limit. Immutable.
 *
 * @param hostgroup the hostgroup id
 * @param pool connections to the server
 * @param weight relative share of new sessions among the hostgroup's usable servers (0: none)
 * @param state the server's status in this hostgroup
 * @param maxConnections connections this hostgroup may have open to the server
 * @param maxReplicationLag seconds of lag above which the monitor shuns the server (0: no limit)
 * @param comment free text from the configuration
 */
public record HostgroupServer(int hostgroup, BackendPool pool, int weight, ServerState state, int maxConnections,
                              int maxReplicationLag, String comment) {
    public HostgroupServer {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(state, "state");
        if (weight < 0) {
            throw new IllegalArgumentException("weight of " + pool.address() + " in hostgroup " + hostgroup + " must be >= 0");
        }
    }

    /** True when new work may be placed here now: online, weighted, and below its connection limit. */
    public boolean usable() {
        return acceptsWork() && pool.inUse() < maxConnections;
    }

    /** True when the server takes new work (online and weighted), whether or not a connection is free now. */
    public boolean acceptsWork() {
        return effectiveState().acceptsNewWork() && weight > 0;
    }

    /**
     * True when the server is shunned (its configured status is ONLINE and it is weighted) but a
     * monitor probe succeeded since its last failure: it is back, only still resting.
     */
    public boolean restingButAnswering() {
        return state == ServerState.ONLINE && weight > 0 && pool.health().answeringWhileShunned();
    }

    /** The configured status, or the monitor's (shunned) when the configured one is ONLINE. */
    public ServerState effectiveState() {
        return state == ServerState.ONLINE ? pool.health().status() : state;
    }

    public ServerAddress address() {
        return pool.address();
    }
}
