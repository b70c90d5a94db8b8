package io.switchyard.server.launcher;

import io.switchyard.protocol.auth.Pem;
import io.switchyard.protocol.auth.TlsIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A primary and zero or more replicas of real, locally installed MariaDB servers, joined by
 * GTID replication, for integration tests and the {@code demo} command. Every server copies one
 * cached, pre-initialised data directory, so a primary with two replicas starts in seconds.
 *
 * <p>Every server has the same users, created at initialisation rather than replicated:
 * {@link #ROOT_USER} over TCP from 127.0.0.1 (root also keeps its unix-socket login), the
 * application user {@link #APP_USER} with all privileges except {@code READ_ONLY ADMIN} (so
 * read-only replicas refuse its writes), the monitor user {@link #MONITOR_USER} (replication
 * status, process list, {@code KILL} of any thread) and the replication user
 * {@link #REPLICATION_USER}; and the database {@link #APP_DATABASE}.
 *
 * <p>Thread-safe. {@link #close()} stops every server and deletes the cluster's directory; a JVM
 * shutdown hook does the same if the cluster is never closed.
 */
public final class MariaDbCluster implements AutoCloseable {
    public static final String ROOT_USER = "root";
    public static final String ROOT_PASSWORD = "root-pass";
    public static final String APP_USER = "app";
    public static final String APP_PASSWORD = "app-pass";
    public static final String APP_DATABASE = "app";
    public static final String MONITOR_USER = "monitor";
    public static final String MONITOR_PASSWORD = "monitor-pass";
    public static final String REPLICATION_USER = "repl";
    public static final String REPLICATION_PASSWORD = "repl-pass";

    private static final Logger log = LoggerFactory.getLogger(MariaDbCluster.class);
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(3);

    private final Path dir;
    private final List<MariaDbServer> servers = new ArrayList<>();
    private final Thread shutdownHook;
    private volatile MariaDbServer primary;
    private volatile boolean closed;

    private MariaDbCluster(Path dir) {
        this.dir = dir;
        this.shutdownHook = new Thread(this::closeNow, "mariadb-cluster-shutdown");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The current primary: the first server until another one is {@link MariaDbServer#promote() promoted}. */
    public MariaDbServer primary() {
        return primary;
    }

    /** The servers that currently replicate from another (running or not), in creation order. */
    public List<MariaDbServer> replicas() {
        return servers.stream().filter(server -> server.source() != null).toList();
    }

    /** All servers in creation order; index 0 is the original primary. */
    public List<MariaDbServer> servers() {
        return List.copyOf(servers);
    }

    /** The server at {@code index} in creation order (0 is the original primary). */
    public MariaDbServer server(int index) {
        return servers.get(index);
    }

    /** The directory holding every server's data, socket, pid file and logs. */
    public Path directory() {
        return dir;
    }

    /**
     * Waits until every running, unpaused replica has applied the primary's current GTID
     * position, or fails with the lagging replica's status once {@code timeout} has passed.
     */
    public void awaitReplicaCatchUp(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String position = primary.queryString("SELECT @@gtid_binlog_pos");
        for (MariaDbServer replica : replicas()) {
            if (!replica.isRunning() || replica.isPaused()) {
                continue;
            }
            double seconds = Math.max(0.001, (deadline - System.nanoTime()) / 1e9);
            String result = replica.queryString(String.format(Locale.ROOT,
                    "SELECT MASTER_GTID_WAIT('%s', %.3f)", position, seconds));
            if (!"0".equals(result)) {
                throw new MariaDbLaunchException(replica + " did not reach GTID " + position + " within "
                        + timeout.toMillis() + " ms; gtid_slave_pos=" + replica.queryString("SELECT @@gtid_slave_pos")
                        + ", status: " + slaveStatusSummary(replica));
            }
        }
    }

    /** Stops every server (clean shutdown bounded to a few seconds, then SIGKILL) and deletes the directory. */
    @Override
    public void close() {
        closeNow();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to; it finds the cluster closed.
        }
    }

    private synchronized void closeNow() {
        if (closed) {
            return;
        }
        closed = true;
        // Replicas first: a replica whose primary is going away stalls its own shutdown reconnecting.
        stopAll(replicas());
        stopAll(servers.stream().filter(server -> server.source() == null).toList());
        try {
            MariaDbTemplate.deleteTree(dir);
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", dir, e.toString());
        }
        log.info("closed MariaDB cluster in {}", dir);
    }

    private static void stopAll(List<MariaDbServer> group) {
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (MariaDbServer server : group) {
                executor.submit(() -> server.stop(CLOSE_GRACE));
            }
        }
    }

    private static String slaveStatusSummary(MariaDbServer replica) {
        List<Map<String, Object>> rows = replica.query("SHOW SLAVE STATUS");
        if (rows.isEmpty()) {
            return "not a replica";
        }
        Map<String, Object> row = rows.get(0);
        return "io=" + row.get("Slave_IO_Running") + " sql=" + row.get("Slave_SQL_Running")
                + " last_io_error=" + row.get("Last_IO_Error") + " last_sql_error=" + row.get("Last_SQL_Error");
    }

    /** Configures and starts a {@link MariaDbCluster}. Not thread-safe; use once. */
    public static final class Builder {
        private int replicas = 2;
        private boolean semiSync;
        private Duration semiSyncTimeout = Duration.ofSeconds(10);
        private Duration startTimeout = Duration.ofSeconds(30);
        private Path baseDir;
        private boolean tls;

        private Builder() {}

        /**
         * Gives every server a self-signed TLS certificate (written to the cluster directory as
         * {@code tls/server-cert.pem} and {@code tls/server-key.pem}) so clients can connect with TLS.
         */
        public Builder tls(boolean tls) {
            this.tls = tls;
            return this;
        }

        /** Number of replicas of the primary; default 2. */
        public Builder replicas(int replicas) {
            if (replicas < 0) {
                throw new IllegalArgumentException("replicas must be >= 0, was " + replicas);
            }
            this.replicas = replicas;
            return this;
        }

        /**
         * Enables built-in semi-sync replication ({@code AFTER_SYNC}). Every server runs the
         * replica side, so any replica can be promoted; only the current primary waits for
         * acknowledgements ({@link MariaDbServer#promote()} and {@link MariaDbServer#repointTo}
         * switch the primary side on and off), because a replica that waited would stall on every
         * event it applies.
         */
        public Builder semiSync(boolean semiSync) {
            this.semiSync = semiSync;
            return this;
        }

        /** How long a semi-sync primary waits for an acknowledgement before going asynchronous; default 10 s. */
        public Builder semiSyncTimeout(Duration timeout) {
            this.semiSyncTimeout = Objects.requireNonNull(timeout, "semiSyncTimeout");
            return this;
        }

        /** How long each server may take to accept connections; default 30 s. */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = Objects.requireNonNull(timeout, "startTimeout");
            return this;
        }

        /** Parent of the cluster's temporary directory; default the system temp directory. */
        public Builder baseDir(Path baseDir) {
            this.baseDir = baseDir;
            return this;
        }

        /** Starts the servers, in parallel, and attaches every replica to the primary. */
        public MariaDbCluster start() {
            MariaDbBinaries binaries = MariaDbBinaries.locate();
            long started = System.nanoTime();
            MariaDbCluster cluster;
            try {
                if (baseDir != null) {
                    Files.createDirectories(baseDir);
                }
                cluster = new MariaDbCluster(baseDir == null
                        ? Files.createTempDirectory("switchyard-mariadb-")
                        : Files.createTempDirectory(baseDir, "switchyard-mariadb-"));
            } catch (IOException e) {
                throw new MariaDbLaunchException("cannot create a directory for the MariaDB cluster", e);
            }
            Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
            try {
                List<String> extraOptions = tls ? tlsOptions(cluster.dir.resolve("tls")) : List.of();
                for (int i = 0; i <= replicas; i++) {
                    Path serverDir = cluster.dir.resolve("server-" + (i + 1));
                    Files.createDirectories(serverDir);
                    MariaDbTemplate.copyTo(binaries, serverDir.resolve("data"));
                    cluster.servers.add(new MariaDbServer(binaries, serverDir, i + 1, i > 0,
                            semiSync ? semiSyncTimeout : null, startTimeout,
                            promoted -> cluster.primary = promoted, extraOptions));
                }
                cluster.primary = cluster.servers.get(0);
                startAll(cluster.servers);
                for (MariaDbServer replica : cluster.servers.subList(1, cluster.servers.size())) {
                    replica.repointTo(cluster.primary);
                }
                awaitReplicasConnected(cluster);
            } catch (IOException | RuntimeException e) {
                cluster.close();
                throw e instanceof MariaDbLaunchException launch ? launch
                        : new MariaDbLaunchException("cannot start the MariaDB cluster: " + e.getMessage(), e);
            }
            log.info("started MariaDB cluster of 1 primary and {} replicas{} in {} ms ({})", replicas,
                    semiSync ? " (semi-sync)" : "", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                    cluster.dir);
            return cluster;
        }

        private static List<String> tlsOptions(Path tlsDir) throws IOException {
            Files.createDirectories(tlsDir);
            TlsIdentity identity = TlsIdentity.selfSigned("127.0.0.1");
            Path cert = tlsDir.resolve("server-cert.pem");
            Path key = tlsDir.resolve("server-key.pem");
            Files.writeString(cert, identity.certificatePem());
            Files.writeString(key, Pem.writePrivateKey(identity.privateKey()));
            return List.of("--ssl-cert=" + cert, "--ssl-key=" + key);
        }

        private static void startAll(List<MariaDbServer> servers) {
            try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> starts = new ArrayList<>();
                for (MariaDbServer server : servers) {
                    starts.add(executor.submit(server::start));
                }
                for (Future<?> start : starts) {
                    start.get();
                }
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException runtime ? runtime
                        : new MariaDbLaunchException("cannot start MariaDB", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MariaDbLaunchException("interrupted while starting MariaDB", e);
            }
        }

        /** Waits for every replica's I/O thread to connect, so the first write needs no retry. */
        private void awaitReplicasConnected(MariaDbCluster cluster) {
            long deadline = System.nanoTime() + startTimeout.toNanos();
            for (MariaDbServer replica : cluster.replicas()) {
                while (!"Yes".equals(replica.query("SHOW SLAVE STATUS").get(0).get("Slave_IO_Running"))) {
                    if (System.nanoTime() > deadline) {
                        throw new MariaDbLaunchException(replica + " did not connect to the primary within "
                                + startTimeout.toSeconds() + " s: " + slaveStatusSummary(replica));
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new MariaDbLaunchException("interrupted while attaching replicas", e);
                    }
                }
            }
        }
    }
}
