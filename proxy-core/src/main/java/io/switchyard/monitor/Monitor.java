package io.switchyard.monitor;

import io.switchyard.backend.BackendPool;
import io.switchyard.backend.ServerAddress;
import io.switchyard.backend.ServerHealth;
import io.switchyard.backend.ServerState;
import io.switchyard.runtime.ConfigRuntime;
import io.switchyard.runtime.GlobalVariables;
import io.switchyard.runtime.RuntimeConfig;
import io.switchyard.topology.ServerRow;
import java.sql.SQLException;
import java.time.Duration;
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
 * configuration changes) it runs connect, ping, read_only, replication lag and global defaults
 * checks on its own threads, through a small HikariCP pool of Connector/J connections per server
 * (never the data path's pools; over TLS when a row of the server has {@code use_ssl=1}). Results
 * go to the {@code monitor.mysql_server_*_log} tables and to each server's {@link ServerHealth}: failed pings open its circuit breaker, read_only places it in
 * its replication hostgroup pair (see {@link WriterArbiter}), lag above
 * {@code max_replication_lag} shuns it, and a session variable's global changed directly on the
 * server is followed by its pool's {@link io.switchyard.backend.GlobalValues}. When a server is
 * shunned, its pool's idle connections are closed.
 *
 * <p>Intervals, timeouts, credentials and thresholds are read from the variables in force at
 * every check, so a change takes effect at the next one. A failed ping is confirmed at once on
 * a fresh connection rather than after a full interval, so a dead server is shunned within
 * {@code mysql-monitor_ping_interval} + {@code mysql-monitor_ping_max_failures} x
 * {@code mysql-monitor_ping_timeout}. What each check does with its result is in
 * {@link ServerChecks}.
 *
 * <p>Thread-safe. Checks run on a few daemon worker threads, one at a time per server and kind
 * of check; a single scheduler thread times them. {@link #close()} stops everything.
 */
public final class Monitor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Monitor.class);
    private static final int WORKER_THREADS = 8;

    /** The kinds of check, with the variables that time them. */
    private enum Check {
        CONNECT("mysql-monitor_connect_interval", "mysql-monitor_connect_timeout"),
        PING("mysql-monitor_ping_interval", "mysql-monitor_ping_timeout"),
        READ_ONLY("mysql-monitor_read_only_interval", "mysql-monitor_read_only_timeout"),
        REPLICATION_LAG("mysql-monitor_replication_lag_interval", "mysql-monitor_replication_lag_timeout"),
        GLOBALS("mysql-monitor_globals_interval", "mysql-monitor_globals_timeout");

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
    private final Map<ServerAddress, MonitoredServer> targets = new ConcurrentHashMap<>();
    private final ServerChecks checks;
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
        this.checks = new ServerChecks(runtime);
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

    /**
     * Who decides the writers of replication hostgroup pairs from now on ({@link WriterDecisions};
     * by default this node alone).
     */
    public void writerDecisions(WriterDecisions decisions) {
        checks.decisions(decisions);
    }

    /**
     * The decision for the pair of {@code writerHostgroup} changed hands or was published anew:
     * the servers are placed again by it (on a monitor thread).
     */
    public void reconsiderWriter(int writerHostgroup) {
        if (closed) {
            return;
        }
        try {
            scheduler.execute(() -> checks.reconsider(writerHostgroup));
        } catch (RejectedExecutionException stopping) {
            // closed meanwhile
        }
    }

    /** Rows of {@code monitor.mysql_server_connect_log}, oldest first. */
    public List<ConnectLogRow> connectLog() {
        return checks.connectLog.rows();
    }

    /** Rows of {@code monitor.mysql_server_ping_log}, oldest first. */
    public List<PingLogRow> pingLog() {
        return checks.pingLog.rows();
    }

    /** Rows of {@code monitor.mysql_server_read_only_log}, oldest first. */
    public List<ReadOnlyLogRow> readOnlyLog() {
        return checks.readOnlyLog.rows();
    }

    /** Rows of {@code monitor.mysql_server_replication_lag_log}, oldest first. */
    public List<ReplicationLagLogRow> replicationLagLog() {
        return checks.replicationLagLog.rows();
    }

    /**
     * The servers' status changes (shunned, back online, shunned for lag) within
     * {@code mysql-monitor_history}, at most the last 1,000, oldest first.
     */
    public List<StatusChangeRow> statusChanges() {
        return checks.statusLog.rows();
    }

    /** Times a server reported read_only=0 while its replication pair already had a writer, and was fenced. */
    public long writerConflicts() {
        return checks.writerConflicts();
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
        MonitoredServer t = targets.get(server);
        if (t == null || closed) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("server " + server + " is not monitored"));
        }
        long millis = Math.max(1, timeout.toMillis());
        try {
            return CompletableFuture.runAsync(() -> {
                try {
                    t.probe(runtime.current().variables()).killQuery(threadId, millis);
                } catch (SQLException e) {
                    throw new CompletionException(e);
                }
            }, workers).orTimeout(millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("the monitor is stopped", e));
        }
    }

    /**
     * Stops every check and closes the monitor's connections. Checks still running are cut
     * short (interrupted, their connections aborted) and their outcome is dropped: a check
     * waiting for its timeout must neither delay the stop nor shun a server on the way out.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        targets.values().forEach(this::retire);
        targets.clear();
        workers.shutdownNow();
        try {
            workers.awaitTermination(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
            boolean tls = config.rows().servers().stream().anyMatch(r -> r.address().equals(address) && r.useSsl());
            MonitoredServer existing = targets.get(address);
            if (existing != null && existing.pool == pool && existing.tls == tls) {
                continue;
            }
            if (existing != null) {
                retire(existing);
            }
            MonitoredServer t = new MonitoredServer(address, pool, tls, scheduler, poolThreads);
            pool.health().policy(config.variables().breakerPolicy());
            pool.health().onTransition(transition -> {
                checks.statusLog.add(new StatusChangeRow(address.host(), address.port(), ServerChecks.epochMicros(),
                        transition.from().name(), transition.to().name(), transition.reason()));
                if (transition.to() == ServerState.SHUNNED) {
                    closeConnections(pool);
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
        for (MonitoredServer t : List.copyOf(targets.values())) {
            if (!wanted.contains(t.address)) {
                targets.remove(t.address, t);
                retire(t);
                log.info("no longer monitoring server {}", t.address);
            }
        }
    }

    private void retire(MonitoredServer t) {
        t.pool.health().onTransition(transition -> {});
        t.retire();
    }

    private void schedule(MonitoredServer t, Check check, long delayMillis) {
        if (closed || !t.active()) {
            return;
        }
        try {
            scheduler.schedule(() -> workers.execute(() -> run(t, check)), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // closed meanwhile
        }
    }

    private void run(MonitoredServer t, Check check) {
        if (closed || !t.active()) {
            return;
        }
        long started = System.nanoTime();
        RuntimeConfig config = runtime.current();
        GlobalVariables v = config.variables();
        long next = v.intValue(check.intervalVariable);
        try {
            t.pool.health().policy(v.breakerPolicy());
            if (v.intValue("mysql-monitor_enabled") == 0) {
                if (check == Check.PING) {
                    t.pool.health().retryAfterRest();
                }
            } else {
                long timeout = v.intValue(check.timeoutVariable);
                switch (check) {
                    case CONNECT -> checks.connect(t, v, timeout);
                    case PING -> {
                        if (checks.ping(t, v, timeout)) {
                            next = 0;
                        }
                    }
                    case READ_ONLY -> checks.readOnly(t, config, timeout);
                    case REPLICATION_LAG -> checks.replicationLag(t, config, timeout);
                    case GLOBALS -> checks.globals(t, v, timeout);
                }
            }
        } catch (RuntimeException e) {
            log.warn("{} check of server {} failed unexpectedly", check, t.address, e);
        } finally {
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            schedule(t, check, Math.max(0, next - elapsed));
        }
    }

    /**
     * A shunned server's idle connections are closed. When it stopped answering pings (hung,
     * frozen, cut off), its busy connections are closed too: a statement waiting on it would
     * otherwise wait until its timeout; closed, it is retried elsewhere when it may be, or fails
     * with a clear error.
     */
    private static void closeConnections(BackendPool pool) {
        try {
            if (pool.health().reachable()) {
                pool.closeIdle();
            } else {
                pool.closeEverything();
            }
        } catch (RejectedExecutionException shuttingDown) {
            // the event loops are stopping; their connections close with them
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread thread = new Thread(r, prefix + "-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
