package io.switchyard.backend;

/**
 * A server's status in a hostgroup, with the names and meaning of ProxySQL's
 * {@code mysql_servers.status}.
 */
public enum ServerState {
    /** Serves new and existing sessions. */
    ONLINE,
    /** Temporarily out: too many errors or failed health checks; retried later. */
    SHUNNED,
    /** Draining: no new sessions; sessions already on it finish their work. */
    OFFLINE_SOFT,
    /** Out: no new sessions, and existing connections are closed. */
    OFFLINE_HARD,
    /** Set by the monitor only: a replica lagging more than its {@code max_replication_lag}; back when it catches up. */
    SHUNNED_REPLICATION_LAG;

    /** True when new sessions may be sent to a server in this state. */
    public boolean acceptsNewWork() {
        return this == ONLINE;
    }

    /** Parses a status name (case-insensitive); null when unknown. */
    public static ServerState parse(String name) {
        for (ServerState s : values()) {
            if (s.name().equalsIgnoreCase(name)) {
                return s;
            }
        }
        return null;
    }
}
