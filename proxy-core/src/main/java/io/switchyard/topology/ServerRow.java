package io.switchyard.topology;

import io.switchyard.backend.ServerAddress;
import io.switchyard.backend.ServerState;
import java.util.Objects;

/**
 * One row of {@code mysql_servers}, with ProxySQL's columns. The same server (host and port) may
 * have a row in several hostgroups. Immutable; validated on construction with messages that
 * name the row.
 *
 * @param hostgroup the hostgroup id (>= 0)
 * @param host the server's host name or IP
 * @param port the server's port
 * @param status the configured status (ONLINE, SHUNNED, OFFLINE_SOFT, OFFLINE_HARD)
 * @param weight relative share of new work among the hostgroup's usable servers (0: none)
 * @param compression connections to the server use protocol compression, whatever their client
 *                    does (a row of the server in any hostgroup decides; new connections only)
 * @param maxConnections connections this hostgroup may have open to the server
 * @param maxReplicationLag seconds of replication lag above which the server is shunned (0: no limit)
 * @param useSsl 1 to reach this server over TLS (needs backend TLS configured), 0 otherwise
 * @param comment free text
 */
public record ServerRow(int hostgroup, String host, int port, ServerState status, int weight, boolean compression,
                        int maxConnections, int maxReplicationLag, boolean useSsl, String comment) {
    public ServerRow {
        Objects.requireNonNull(status, "status");
        comment = comment == null ? "" : comment;
        String row = "mysql_servers row (hostgroup_id=" + hostgroup + ", hostname='" + host + "', port=" + port + ")";
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException(row + ": hostname must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(row + ": port must be in 1..65535");
        }
        if (hostgroup < 0) {
            throw new IllegalArgumentException(row + ": hostgroup_id must be >= 0");
        }
        if (weight < 0 || weight > 10_000_000) {
            throw new IllegalArgumentException(row + ": weight must be in 0..10000000, got " + weight);
        }
        if (maxConnections < 0 || maxConnections > 10_000) {
            throw new IllegalArgumentException(row + ": max_connections must be in 0..10000, got " + maxConnections);
        }
        if (maxReplicationLag < 0 || maxReplicationLag > 126144000) {
            throw new IllegalArgumentException(row + ": max_replication_lag must be in 0..126144000, got " + maxReplicationLag);
        }
        if (status == ServerState.SHUNNED_REPLICATION_LAG) {
            throw new IllegalArgumentException(row + ": status SHUNNED_REPLICATION_LAG is set by the monitor, not configured");
        }
    }

    /** A server row with ProxySQL's column defaults. */
    public static ServerRow of(int hostgroup, String host, int port) {
        return new ServerRow(hostgroup, host, port, ServerState.ONLINE, 1, false, 1000, 0, false, "");
    }

    public ServerAddress address() {
        return new ServerAddress(host, port);
    }

    /** The same row placed in another hostgroup. */
    public ServerRow inHostgroup(int hostgroup) {
        return new ServerRow(hostgroup, host, port, status, weight, compression, maxConnections, maxReplicationLag, useSsl, comment);
    }
}
