package io.switchyard.monitor;

import io.switchyard.backend.BackendPool;
import io.switchyard.backend.ServerAddress;
import io.switchyard.backend.ServerHealth;
import io.switchyard.runtime.GlobalVariables;
import java.sql.SQLException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * One server the monitor checks: its data-path pool (whose {@link ServerHealth} the checks
 * update) and the monitor's own probe of it, opened at first use and replaced when the monitor
 * credentials or connect timeout change. Thread-safe.
 */
final class MonitoredServer {
    final ServerAddress address;
    final BackendPool pool;
    /** Probes use TLS: some row of the server has {@code use_ssl=1}. */
    final boolean tls;
    private final ScheduledExecutorService housekeeping;
    private final ThreadFactory threads;
    private ServerProbe probe;
    private volatile boolean retired;
    /** The server has no table of its variables to read the global defaults from (MySQL). */
    private volatile boolean globalsUnreadable;

    MonitoredServer(ServerAddress address, BackendPool pool, boolean tls, ScheduledExecutorService housekeeping,
                    ThreadFactory threads) {
        this.address = address;
        this.pool = pool;
        this.tls = tls;
        this.housekeeping = housekeeping;
        this.threads = threads;
    }

    ServerHealth health() {
        return pool.health();
    }

    boolean globalsUnreadable() {
        return globalsUnreadable;
    }

    void globalsUnreadable(boolean unreadable) {
        globalsUnreadable = unreadable;
    }

    /** False once the server left the configuration or the monitor stopped. */
    boolean active() {
        return !retired;
    }

    /** The probe logging in with the monitor credentials and connect timeout in {@code v}. */
    ServerProbe probe(GlobalVariables v) throws SQLException {
        String user = v.get("mysql-monitor_username");
        String password = v.get("mysql-monitor_password");
        long connectTimeout = v.intValue("mysql-monitor_connect_timeout");
        ServerProbe stale = null;
        ServerProbe current;
        synchronized (this) {
            if (retired) {
                throw new SQLException("server " + address + " is no longer monitored");
            }
            if (probe != null && !probe.matches(user, password, connectTimeout)) {
                stale = probe;
                probe = null;
            }
            if (probe == null) {
                probe = new ServerProbe(address, user, password, connectTimeout, tls, housekeeping, threads);
            }
            current = probe;
        }
        if (stale != null) {
            stale.close();
        }
        return current;
    }

    /** Stops using the server: no more checks, and the probe's connections close. */
    void retire() {
        ServerProbe closing;
        synchronized (this) {
            retired = true;
            closing = probe;
            probe = null;
        }
        if (closing != null) {
            closing.close();
        }
    }
}
