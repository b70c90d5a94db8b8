package io.switchyard.monitor;

import io.switchyard.backend.ServerAddress;
import io.switchyard.backend.ServerHealth;
import io.switchyard.backend.ServerState;
import io.switchyard.runtime.ConfigRuntime;
import io.switchyard.runtime.GlobalVariables;
import io.switchyard.runtime.RuntimeConfig;
import io.switchyard.topology.ReplicationHostgroup;
import io.switchyard.topology.ServerRow;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What each check does with a server and its outcome: run the probe, append a row to the
 * check's log, and update the server's {@link ServerHealth} (breaker, read_only placement
 * through the {@link WriterArbiter}, replication lag). A probe refused by the server itself
 * (e.g. the monitor user cannot log in) proves the server is up and never shuns it. Connect and
 * ping outcomes also go to the server's {@link io.switchyard.backend.OutageLog}, which logs an
 * outage once rather than every failed check.
 *
 * <p>Thread-safe: the logs are, and read_only decisions are serialised on the arbiter. Each
 * method blocks its caller for about the check's timeout at most. A check that fails because
 * its server was retired meanwhile (the monitor stopping) changes nothing.
 */
final class ServerChecks {
    private static final int ERROR_TEXT_MAX = 256;
    private static final int STATUS_LOG_MAX_ROWS = 1_000;
    private static final String CONNECT_CHECK = "monitor connect check";
    private static final String PING_CHECK = "monitor ping";

    private final ConfigRuntime runtime;
    private final WriterArbiter arbiter = new WriterArbiter();
    private volatile WriterDecisions decisions = WriterDecisions.ALONE;
    final MonitorLog<ConnectLogRow> connectLog;
    final MonitorLog<PingLogRow> pingLog;
    final MonitorLog<ReadOnlyLogRow> readOnlyLog;
    final MonitorLog<ReplicationLagLogRow> replicationLagLog;
    final MonitorLog<StatusChangeRow> statusLog;

    ServerChecks(ConfigRuntime runtime) {
        this.runtime = runtime;
        long history = runtime.current().variables().intValue("mysql-monitor_history");
        this.connectLog = new MonitorLog<>("mysql_server_connect_log", MonitorLog.DEFAULT_MAX_ROWS, history,
                ConnectLogRow::timeStartUs, ServerChecks::epochMicros);
        this.pingLog = new MonitorLog<>("mysql_server_ping_log", MonitorLog.DEFAULT_MAX_ROWS, history,
                PingLogRow::timeStartUs, ServerChecks::epochMicros);
        this.readOnlyLog = new MonitorLog<>("mysql_server_read_only_log", MonitorLog.DEFAULT_MAX_ROWS, history,
                ReadOnlyLogRow::timeStartUs, ServerChecks::epochMicros);
        this.replicationLagLog = new MonitorLog<>("mysql_server_replication_lag_log", MonitorLog.DEFAULT_MAX_ROWS, history,
                ReplicationLagLogRow::timeStartUs, ServerChecks::epochMicros);
        this.statusLog = new MonitorLog<>("server status changes", STATUS_LOG_MAX_ROWS, history,
                StatusChangeRow::timeUs, ServerChecks::epochMicros);
    }

    /** Times a server reported read_only=0 while its pair already had a writer. */
    long writerConflicts() {
        return arbiter.conflicts();
    }

    void connect(MonitoredServer t, GlobalVariables v, long timeout) {
        long start = epochMicros();
        ServerHealth health = t.health();
        long started = health.outages().now();
        try {
            long micros = t.probe(v).connect(timeout);
            connectLog.add(new ConnectLogRow(t.address.host(), t.address.port(), start, micros, null));
            health.outages().succeeded(CONNECT_CHECK);
            health.connectCheckSucceeded();
        } catch (SQLException e) {
            if (!t.active()) {
                return;
            }
            connectLog.add(new ConnectLogRow(t.address.host(), t.address.port(), start, 0, describe(e)));
            if (answered(e)) {
                health.outages().succeeded(CONNECT_CHECK);
                health.connectCheckSucceeded();
            } else {
                health.outages().failed(CONNECT_CHECK, describe(e), started);
                health.connectCheckFailed();
            }
        }
        connectLog.historyMillis(v.intValue("mysql-monitor_history"));
    }

    /**
     * Pings on a pooled connection, or on a fresh one when confirming a failure (so neither a
     * broken pooled connection nor the pool's wait decides alone). Returns true when the ping
     * failed and should be confirmed at once.
     */
    boolean ping(MonitoredServer t, GlobalVariables v, long timeout) {
        long start = epochMicros();
        ServerHealth health = t.health();
        long started = health.outages().now();
        pingLog.historyMillis(v.intValue("mysql-monitor_history"));
        statusLog.historyMillis(v.intValue("mysql-monitor_history"));
        boolean confirming = health.pingFailuresInRow() > 0 && health.status() != ServerState.SHUNNED;
        try {
            ServerProbe probe = t.probe(v);
            long micros = confirming ? probe.pingFresh(timeout) : probe.ping(timeout);
            pingLog.add(new PingLogRow(t.address.host(), t.address.port(), start, micros, null));
            health.outages().succeeded(PING_CHECK);
            health.pingSucceeded(micros);
            return false;
        } catch (SQLException e) {
            if (!t.active()) {
                return false;
            }
            pingLog.add(new PingLogRow(t.address.host(), t.address.port(), start, 0, describe(e)));
            if (answered(e)) {
                health.outages().succeeded(PING_CHECK);
                health.pingSucceeded(-1);
                return false;
            }
            health.outages().failed(PING_CHECK, describe(e), started);
            health.pingFailed();
            return health.status() != ServerState.SHUNNED;
        }
    }

    void readOnly(MonitoredServer t, RuntimeConfig config, long timeout) {
        List<ReplicationHostgroup> pairs = pairsOf(config, t.address);
        if (pairs.isEmpty() || runtime.pool(t.address) != t.pool) {
            return;
        }
        GlobalVariables v = config.variables();
        readOnlyLog.historyMillis(v.intValue("mysql-monitor_history"));
        ServerHealth health = t.health();
        long start = epochMicros();
        long startNanos = System.nanoTime();
        boolean readOnly;
        try {
            ServerProbe.ReadOnlyCheck check = t.probe(v).readOnly(pairs.get(0).checkType(), timeout);
            readOnly = check.readOnly();
            health.gtidChecked(io.switchyard.backend.GtidPosition.parse(check.gtidPosition()));
        } catch (SQLException e) {
            if (!t.active()) {
                return;
            }
            readOnlyLog.add(new ReadOnlyLogRow(t.address.host(), t.address.port(), start, 0, null, describe(e)));
            health.reachable(answered(e));
            return;
        }
        readOnlyLog.add(new ReadOnlyLogRow(t.address.host(), t.address.port(), start,
                TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - startNanos), readOnly ? 1 : 0, null));
        health.reachable(true);
        long recoveryMillis = TimeUnit.SECONDS.toMillis(v.intValue("mysql-shun_recovery_time_sec"));
        synchronized (arbiter) {
            if (!t.active()) {
                return;
            }
            boolean changed = false;
            for (ReplicationHostgroup pair : pairs) {
                if (arbiter.decide(pair, t.pool, readOnly, runtime.current().topology(), recoveryMillis, decisions)) {
                    changed = true;
                    if (decisions.follow(pair.writerHostgroup()).isEmpty()) {
                        decisions.decided(pair.writerHostgroup(), writerOf(pair));
                    }
                }
            }
            if (changed) {
                runtime.refresh();
            }
        }
    }

    /** Who decides the writers from now on. */
    void decisions(WriterDecisions next) {
        this.decisions = next;
    }

    /**
     * The fleet's decision for {@code pair} changed, or this node now decides it: a follower
     * places the pair's servers that reported read_only=0 by the published writer; the deciding
     * node publishes the writer it has.
     */
    void reconsider(int writerHostgroup) {
        synchronized (arbiter) {
            RuntimeConfig config = runtime.current();
            for (ReplicationHostgroup pair : config.rows().replicationHostgroups()) {
                if (pair.writerHostgroup() != writerHostgroup) {
                    continue;
                }
                java.util.Optional<WriterDecisions.Decision> published = decisions.follow(writerHostgroup);
                if (published.isEmpty()) {
                    decisions.decided(writerHostgroup, writerOf(pair));
                    continue;
                }
                List<io.switchyard.backend.BackendPool> reportingWritable = new java.util.ArrayList<>();
                for (ServerAddress a : membersOf(config, pair)) {
                    io.switchyard.backend.BackendPool pool = runtime.pool(a);
                    if (pool != null && Boolean.FALSE.equals(pool.health().readOnly())) {
                        reportingWritable.add(pool);
                    }
                }
                if (arbiter.follow(pair, reportingWritable, published.get().writer(), config.topology())) {
                    runtime.refresh();
                }
            }
        }
    }

    /** The server this node has as the writer of {@code pair}: read_only=0 and not fenced; null for none. */
    private ServerAddress writerOf(ReplicationHostgroup pair) {
        for (ServerAddress a : membersOf(runtime.current(), pair)) {
            io.switchyard.backend.BackendPool pool = runtime.pool(a);
            if (pool != null && Boolean.FALSE.equals(pool.health().readOnly()) && !pool.health().fenced()) {
                return a;
            }
        }
        return null;
    }

    /** The servers configured in either hostgroup of {@code pair}. */
    private static List<ServerAddress> membersOf(RuntimeConfig config, ReplicationHostgroup pair) {
        Set<ServerAddress> members = new java.util.LinkedHashSet<>();
        for (ServerRow row : config.rows().servers()) {
            if (row.hostgroup() == pair.writerHostgroup() || row.hostgroup() == pair.readerHostgroup()) {
                members.add(row.address());
            }
        }
        return List.copyOf(members);
    }

    /**
     * Reads the server's global defaults of session variables and hands them to its pool's
     * {@link io.switchyard.backend.GlobalValues}, which follows those that changed where the proxy
     * did not see it. A failed read changes nothing (health is the other checks' business); a
     * server without the variables table or MariaDB's memory limit (MySQL) is not read again by
     * this probe.
     */
    void globals(MonitoredServer t, GlobalVariables v, long timeout) {
        if (runtime.pool(t.address) != t.pool || t.globalsUnreadable()) {
            return;
        }
        try {
            t.pool.globals().watched(t.probe(v).sessionGlobals(timeout));
        } catch (SQLException e) {
            // No variables table, or (MySQL) no max_session_mem_used, which the read sets first.
            if (e.getErrorCode() == 1109 || e.getErrorCode() == 1146 || e.getErrorCode() == 1193) {
                t.globalsUnreadable(true);
            }
        }
    }

    void replicationLag(MonitoredServer t, RuntimeConfig config, long timeout) {
        ServerHealth health = t.health();
        int maxLag = maxReplicationLag(config, t.address);
        if (maxLag == 0) {
            health.caughtUp("max_replication_lag is 0");
            return;
        }
        GlobalVariables v = config.variables();
        replicationLagLog.historyMillis(v.intValue("mysql-monitor_history"));
        long start = epochMicros();
        long startNanos = System.nanoTime();
        ServerProbe.ReplicaStatus status;
        try {
            status = t.probe(v).replicaStatus(timeout);
        } catch (SQLException e) {
            replicationLagLog.add(new ReplicationLagLogRow(t.address.host(), t.address.port(), start, 0, null, describe(e)));
            return;
        }
        long took = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - startNanos);
        String host = t.address.host();
        int port = t.address.port();
        if (!status.replica()) {
            replicationLagLog.add(new ReplicationLagLogRow(host, port, start, took, null, null));
            health.lagSeconds(-1);
            health.caughtUp("it no longer replicates");
        } else if (!status.running()) {
            String why = "replication is not running (IO thread " + (status.ioRunning() ? "Yes" : "No") + ", SQL thread "
                    + (status.sqlRunning() ? "Yes" : "No") + ")";
            replicationLagLog.add(new ReplicationLagLogRow(host, port, start, took, null, why));
            health.lagSeconds(-1);
            health.lagging(why);
        } else if (status.secondsBehind() == null) {
            replicationLagLog.add(new ReplicationLagLogRow(host, port, start, took, null, null));
        } else {
            long lag = status.secondsBehind();
            replicationLagLog.add(new ReplicationLagLogRow(host, port, start, took, lag, null));
            health.lagSeconds(lag);
            if (lag > maxLag) {
                health.lagging(lag + " s behind its primary, above max_replication_lag " + maxLag);
            } else {
                health.caughtUp(lag + " s behind its primary, within max_replication_lag " + maxLag);
            }
        }
    }

    private static List<ReplicationHostgroup> pairsOf(RuntimeConfig config, ServerAddress address) {
        Set<Integer> hostgroups = new HashSet<>();
        for (ServerRow row : config.rows().servers()) {
            if (row.address().equals(address)) {
                hostgroups.add(row.hostgroup());
            }
        }
        return config.rows().replicationHostgroups().stream()
                .filter(p -> hostgroups.contains(p.writerHostgroup()) || hostgroups.contains(p.readerHostgroup()))
                .toList();
    }

    /** The smallest positive max_replication_lag among the server's rows; 0 when none sets one. */
    private static int maxReplicationLag(RuntimeConfig config, ServerAddress address) {
        int max = 0;
        for (ServerRow row : config.rows().servers()) {
            if (row.address().equals(address) && row.maxReplicationLag() > 0) {
                max = max == 0 ? row.maxReplicationLag() : Math.min(max, row.maxReplicationLag());
            }
        }
        return max;
    }

    /**
     * True when the failure is an error the server itself sent (e.g. access denied): it is up,
     * whatever else is wrong. Connection failures and timeouts have SQLSTATE class 08 or no code.
     */
    static boolean answered(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof SQLException s && s.getErrorCode() > 0 && s.getSQLState() != null
                    && !s.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }

    /** The failure's message, with its innermost cause's when that says more, bounded in length. */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = String.valueOf(e.getMessage());
        if (root != e && root.getMessage() != null && !text.contains(root.getMessage())) {
            text = text + ": " + root.getMessage();
        }
        text = text.replaceAll("\\s+", " ").trim();
        return text.length() <= ERROR_TEXT_MAX ? text : text.substring(0, ERROR_TEXT_MAX - 3) + "...";
    }

    static long epochMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

}
