package io.switchyard.monitor;

import io.switchyard.backend.BackendPool;
import io.switchyard.runtime.ConfigRuntime;
import io.switchyard.runtime.RuntimeConfig;
import io.switchyard.topology.GlobalVariables;
import io.switchyard.topology.ReplicationHostgroup;
import io.switchyard.topology.ServerAddress;
import io.switchyard.topology.ServerHealth;
import io.switchyard.topology.ServerRow;
import io.switchyard.topology.ServerState;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health monitor: for every configured server (each host and port once, following
 * configuration changes) it runs connect, ping, read_only and replication lag checks on its own
 * threads, through a small HikariCP pool of Connector/J connections per server (never the data
 * path's pools). Results go to the {@code monitor.mysql_server_*_log} tables and to each
 * server's {@link ServerHealth}: failed pings open its circuit breaker, read_only places it in
 * its replication hostgroup pair (see {@link WriterArbiter}), lag above
 * {@code max_replication_lag} shuns it. When a server is shunned, its pool's idle connections
 * are closed.
 *
 * <p>Intervals, timeouts, credentials and thresholds are read from the variables in force at
 * every check, so a change takes effect at the next one. A failed ping is confirmed at once
 * rather than after a full interval, so a dead server is shunned within
 * {@code mysql-monitor_ping_interval} + {@code mysql-monitor_ping_max_failures} x
 * {@code mysql-monitor_ping_timeout}. A probe refused by the server (e.g. the monitor user
 * cannot log in) proves the server is up and never shuns it.
 *
 * <p>Thread-safe. Checks run on a few daemon worker threads, one at a time per server and kind
 * of check; a single scheduler thread times them. {@link #close()} stops everything.
 */
public final class Monitor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Monitor.class);
    private static final int WORKER_THREADS = 8;
    private static final int ERROR_TEXT_MAX = 256;

    /** The kinds of check, with the variables that time them. */
    private enum Check {
        CONNECT("mysql-monitor_connect_interval", "mysql-monitor_connect_timeout"),
        PING("mysql-monitor_ping_interval", "mysql-monitor_ping_timeout"),
        READ_ONLY("mysql-monitor_read_only_interval", "mysql-monitor_read_only_timeout"),
        REPLICATION_LAG("mysql-monitor_replication_lag_interval", "mysql-monitor_replication_lag_timeout");

        final String intervalVariable;
        final String timeoutVariable;

        Check(String intervalVariable, String timeoutVariable) {
            this.intervalVariable = intervalVariable;
            this.timeoutVariable = timeoutVariable;
        }
    }

    private final ConfigRuntime runtime;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ThreadPoolExecutor workers;
    private final ThreadFactory poolThreads;
    private final Map<ServerAddress, Target> targets = new ConcurrentHashMap<>();
    private final WriterArbiter arbiter = new WriterArbiter();
    private final MonitorLog<ConnectLogRow> connectLog;
    private final MonitorLog<PingLogRow> pingLog;
    private final MonitorLog<ReadOnlyLogRow> readOnlyLog;
    private final MonitorLog<ReplicationLagLogRow> replicationLagLog;
    private volatile boolean started;
    private volatile boolean closed;

    /** A monitor of the servers configured in {@code runtime}; checks begin at {@link #start()}. */
    public Monitor(ConfigRuntime runtime) {
        this.runtime = runtime;
        this.scheduler = new ScheduledThreadPoolExecutor(1, daemonThreads("switchyard-monitor-scheduler"));
        this.scheduler.setRemoveOnCancelPolicy(true);
        this.workers = new ThreadPoolExecutor(WORKER_THREADS, WORKER_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemonThreads("switchyard-monitor"));
        this.workers.allowCoreThreadTimeOut(true);
        this.poolThreads = daemonThreads("switchyard-monitor-pool");
        long history = runtime.current().variables().intValue("mysql-monitor_history");
        this.connectLog = new MonitorLog<>("mysql_server_connect_log", MonitorLog.DEFAULT_MAX_ROWS, history,
                ConnectLogRow::timeStartUs, Monitor::epochMicros);
        this.pingLog = new MonitorLog<>("mysql_server_ping_log", MonitorLog.DEFAULT_MAX_ROWS, history,
                PingLogRow::timeStartUs, Monitor::epochMicros);
        this.readOnlyLog = new MonitorLog<>("mysql_server_read_only_log", MonitorLog.DEFAULT_MAX_ROWS, history,
                ReadOnlyLogRow::timeStartUs, Monitor::epochMicros);
        this.replicationLagLog = new MonitorLog<>("mysql_server_replication_lag_log", MonitorLog.DEFAULT_MAX_ROWS, history,
                ReplicationLagLogRow::timeStartUs, Monitor::epochMicros);
    }

    /** Starts checking the configured servers, and follows configuration changes from now on. */
    public synchronized void start() {
        if (started || closed) {
            return;
        }
        started = true;
        runtime.onChange(config -> {
            if (!closed) {
                try {
                    scheduler.execute(this::sync);
                } catch (RejectedExecutionException stopping) {
                    // closed meanwhile
                }
            }
        });
        sync();
        log.info("monitor started for {} servers", targets.size());
    }

    /** Rows of {@code monitor.mysql_server_connect_log}, oldest first. */
    public List<ConnectLogRow> connectLog() {
        return connectLog.rows();
    }

    /** Rows of {@code monitor.mysql_server_ping_log}, oldest first. */
    public List<PingLogRow> pingLog() {
        return pingLog.rows();
    }

    /** Rows of {@code monitor.mysql_server_read_only_log}, oldest first. */
    public List<ReadOnlyLogRow> readOnlyLog() {
        return readOnlyLog.rows();
    }

    /** Rows of {@code monitor.mysql_server_replication_lag_log}, oldest first. */
    public List<ReplicationLagLogRow> replicationLagLog() {
        return replicationLagLog.rows();
    }

    /** Times a server reported read_only=0 while its replication pair already had a writer, and was fenced. */
    public long writerConflicts() {
        return arbiter.conflicts();
    }

    /** The servers being checked. */
    public Set<ServerAddress> servers() {
        return Set.copyOf(targets.keySet());
    }

    /**
     * Runs {@code KILL QUERY threadId} on {@code server} over the monitor's connection, within
     * {@code mysql-monitor_connect_timeout} + {@code mysql-monitor_ping_timeout} ms.
     */
    public CompletableFuture<Void> killQuery(ServerAddress server, long threadId) {
        GlobalVariables v = runtime.current().variables();
        return killQuery(server, threadId, Duration.ofMillis(v.intValue("mysql-monitor_connect_timeout")
                + (long) v.intValue("mysql-monitor_ping_timeout")));
    }

    /**
     * Runs {@code KILL QUERY threadId} on {@code server} over the monitor's connection. The future
     * fails with an {@link IllegalArgumentException} when the server is not monitored, with a
     * {@link java.util.concurrent.TimeoutException} after {@code timeout}, or with the server's
     * error (e.g. unknown thread id).
     */
    public CompletableFuture<Void> killQuery(ServerAddress server, long threadId, Duration timeout) {
        Target t = targets.get(server);
        if (t == null || closed) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("server " + server + " is not monitored"));
        }
        long millis = Math.max(1, timeout.toMillis());
        try {
            return CompletableFuture.runAsync(() -> {
                try {
                    probe(t, runtime.current().variables()).killQuery(threadId, millis);
                } catch (SQLException e) {
                    throw new CompletionException(e);
                }
            }, workers).orTimeout(millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("the monitor is stopped", e));
        }
    }

    /** Stops every check and closes the monitor's connections; waits briefly for running checks. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        workers.shutdown();
        try {
            if (!workers.awaitTermination(3, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
        targets.values().forEach(this::retire);
        targets.clear();
        scheduler.shutdownNow();
        log.info("monitor stopped");
    }

    /** Brings the set of checked servers in line with the configuration in force. */
    private synchronized void sync() {
        if (closed) {
            return;
        }
        RuntimeConfig config = runtime.current();
        Set<ServerAddress> wanted = new HashSet<>();
        for (ServerRow row : config.rows().servers()) {
            ServerAddress address = row.address();
            BackendPool pool = runtime.pool(address);
            if (pool == null || !wanted.add(address)) {
                continue;
            }
            Target existing = targets.get(address);
            if (existing != null && existing.pool == pool) {
                continue;
            }
            if (existing != null) {
                retire(existing);
            }
            Target t = new Target(address, pool);
            pool.health().policy(ServerHealth.BreakerPolicy.from(config.variables()));
            pool.health().onTransition(transition -> {
                if (transition.to() == ServerState.SHUNNED) {
                    closeIdle(pool);
                }
            });
            targets.put(address, t);
            for (Check check : Check.values()) {
                schedule(t, check, ThreadLocalRandom.current().nextLong(50));
            }
            if (started) {
                log.info("monitoring server {}", address);
            }
        }
        for (Target t : List.copyOf(targets.values())) {
            if (!wanted.contains(t.address)) {
                targets.remove(t.address, t);
                retire(t);
                log.info("no longer monitoring server {}", t.address);
            }
        }
    }

    private void retire(Target t) {
        t.retired = true;
        t.pool.health().onTransition(transition -> {});
        ServerProbe probe;
        synchronized (t) {
            probe = t.probe;
            t.probe = null;
        }
        if (probe != null) {
            probe.close();
        }
    }

    private void schedule(Target t, Check check, long delayMillis) {
        if (closed || t.retired) {
            return;
        }
        try {
            scheduler.schedule(() -> workers.execute(() -> run(t, check)), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // closed meanwhile
        }
    }

    private void run(Target t, Check check) {
        if (closed || t.retired) {
            return;
        }
        long started = System.nanoTime();
        RuntimeConfig config = runtime.current();
        GlobalVariables v = config.variables();
        long next = v.intValue(check.intervalVariable);
        try {
            t.pool.health().policy(ServerHealth.BreakerPolicy.from(v));
            if (v.intValue("mysql-monitor_enabled") == 0) {
                if (check == Check.PING) {
                    t.pool.health().retryAfterRest();
                }
            } else {
                long timeout = v.intValue(check.timeoutVariable);
                switch (check) {
                    case CONNECT -> connectCheck(t, v, timeout);
                    case PING -> {
                        if (pingCheck(t, v, timeout)) {
                            next = 0;
                        }
                    }
                    case READ_ONLY -> readOnlyCheck(t, config, timeout);
                    case REPLICATION_LAG -> replicationLagCheck(t, config, timeout);
                }
            }
        } catch (RuntimeException e) {
            log.warn("{} check of server {} failed unexpectedly", check, t.address, e);
        } finally {
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            schedule(t, check, Math.max(0, next - elapsed));
        }
    }

    private void connectCheck(Target t, GlobalVariables v, long timeout) {
        long start = epochMicros();
        ServerHealth health = t.pool.health();
        try {
            long micros = probe(t, v).connect(timeout);
            connectLog.add(new ConnectLogRow(t.address.host(), t.address.port(), start, micros, null));
            health.connectCheckSucceeded();
        } catch (SQLException e) {
            connectLog.add(new ConnectLogRow(t.address.host(), t.address.port(), start, 0, describe(e)));
            if (answered(e)) {
                health.connectCheckSucceeded();
            } else {
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
    private boolean pingCheck(Target t, GlobalVariables v, long timeout) {
        long start = epochMicros();
        ServerHealth health = t.pool.health();
        pingLog.historyMillis(v.intValue("mysql-monitor_history"));
        boolean confirming = health.pingFailuresInRow() > 0 && health.status() != ServerState.SHUNNED;
        try {
            ServerProbe probe = probe(t, v);
            long micros = confirming ? probe.pingFresh(timeout) : probe.ping(timeout);
            pingLog.add(new PingLogRow(t.address.host(), t.address.port(), start, micros, null));
            health.pingSucceeded(micros);
            return false;
        } catch (SQLException e) {
            pingLog.add(new PingLogRow(t.address.host(), t.address.port(), start, 0, describe(e)));
            if (answered(e)) {
                health.pingSucceeded(-1);
                return false;
            }
            health.pingFailed();
            return health.status() != ServerState.SHUNNED;
        }
    }

    private void readOnlyCheck(Target t, RuntimeConfig config, long timeout) {
        List<ReplicationHostgroup> pairs = pairsOf(config, t.address);
        if (pairs.isEmpty() || runtime.pool(t.address) != t.pool) {
            return;
        }
        GlobalVariables v = config.variables();
        readOnlyLog.historyMillis(v.intValue("mysql-monitor_history"));
        ServerHealth health = t.pool.health();
        long start = epochMicros();
        long startNanos = System.nanoTime();
        boolean readOnly;
        try {
            readOnly = probe(t, v).readOnly(pairs.get(0).checkType(), timeout);
        } catch (SQLException e) {
            readOnlyLog.add(new ReadOnlyLogRow(t.address.host(), t.address.port(), start, 0, null, describe(e)));
            health.reachable(answered(e));
            return;
        }
        readOnlyLog.add(new ReadOnlyLogRow(t.address.host(), t.address.port(), start,
                TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - startNanos), readOnly ? 1 : 0, null));
        health.reachable(true);
        long recoveryMillis = TimeUnit.SECONDS.toMillis(v.intValue("mysql-shun_recovery_time_sec"));
        synchronized (arbiter) {
            if (closed) {
                return;
            }
            boolean changed = false;
            for (ReplicationHostgroup pair : pairs) {
                changed |= arbiter.decide(pair, t.pool, readOnly, runtime.current().topology(), recoveryMillis);
            }
            if (changed) {
                runtime.refresh();
            }
        }
    }

    private void replicationLagCheck(Target t, RuntimeConfig config, long timeout) {
        ServerHealth health = t.pool.health();
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
            status = probe(t, v).replicaStatus(timeout);
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

    /** The probe of {@code t} with the monitor credentials and connect timeout in force; replaced when they change. */
    private ServerProbe probe(Target t, GlobalVariables v) throws SQLException {
        String user = v.get("mysql-monitor_username");
        String password = v.get("mysql-monitor_password");
        long connectTimeout = v.intValue("mysql-monitor_connect_timeout");
        ServerProbe stale = null;
        ServerProbe probe;
        synchronized (t) {
            if (t.retired) {
                throw new SQLException("server " + t.address + " is no longer monitored");
            }
            if (t.probe != null && !t.probe.matches(user, password, connectTimeout)) {
                stale = t.probe;
                t.probe = null;
            }
            if (t.probe == null) {
                t.probe = new ServerProbe(t.address, user, password, connectTimeout, scheduler, poolThreads);
            }
            probe = t.probe;
        }
        if (stale != null) {
            stale.close();
        }
        return probe;
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

    private static void closeIdle(BackendPool pool) {
        try {
            pool.closeIdle();
        } catch (RejectedExecutionException shuttingDown) {
            // the event loops are stopping; their connections close with them
        }
    }

    private static long epochMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread thread = new Thread(r, prefix + "-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** One monitored server: its data-path pool (for its health) and the monitor's probe of it. */
    private static final class Target {
        final ServerAddress address;
        final BackendPool pool;
        ServerProbe probe;
        volatile boolean retired;

        Target(ServerAddress address, BackendPool pool) {
            this.address = address;
            this.pool = pool;
        }
    }
}
