package io.switchyard.server.it;

import io.switchyard.backend.BackendPool;
import io.switchyard.server.Daemon;
import io.switchyard.server.Switchyard;
import io.switchyard.server.config.ConfigLoader;
import io.switchyard.server.launcher.MariaDbCluster;
import io.switchyard.server.launcher.MariaDbServer;
import io.switchyard.testing.Await;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A MariaDB cluster and the proxy in front of it, for end-to-end tests. Used as a JUnit
 * extension ({@code @RegisterExtension static final ProxyFixture fixture = ProxyFixture.perClass(0, "")})
 * it starts before the class's tests, checks after each test that every borrowed backend
 * connection was given back, and stops after the class; or started and closed by hand.
 */
public final class ProxyFixture implements AutoCloseable, BeforeAllCallback, AfterEachCallback, AfterAllCallback {
    private final int replicas;
    private final java.util.function.Function<MariaDbCluster, String> extraHocon;
    private final boolean admin;
    private boolean semiSync;
    private MariaDbCluster cluster;
    private Switchyard proxy;
    private Daemon daemon;
    private java.nio.file.Path dataDir;
    private String hocon;

    private ProxyFixture(int replicas, java.util.function.Function<MariaDbCluster, String> extraHocon) {
        this(replicas, extraHocon, false);
    }

    private ProxyFixture(int replicas, java.util.function.Function<MariaDbCluster, String> extraHocon, boolean admin) {
        this.replicas = replicas;
        this.extraHocon = extraHocon;
        this.admin = admin;
    }

    /**
     * A fixture shared by the tests of one class that runs the whole daemon: the proxy, its admin
     * port (any free port, user admin/admin) and the configuration layers in a temporary data
     * directory, removed after the class.
     */
    public static ProxyFixture withAdmin(int replicas, java.util.function.Function<MariaDbCluster, String> extraHocon) {
        return new ProxyFixture(replicas, extraHocon, true);
    }

    /** Runs the cluster with semi-synchronous replication (AFTER_SYNC): an acknowledged commit is on a replica. */
    public ProxyFixture withSemiSync() {
        this.semiSync = true;
        return this;
    }

    /**
     * The cluster's primary in hostgroup 0 and its replicas in hostgroup 1, paired by
     * {@code replication-hostgroups}: the HOCON lines for a fixture's extra settings.
     */
    public static String pairedServers(MariaDbCluster cluster) {
        StringBuilder servers = new StringBuilder("servers = [\n  { hostgroup = 0, host = \"127.0.0.1\", port = "
                + cluster.primary().port() + " }\n");
        for (MariaDbServer replica : cluster.replicas()) {
            servers.append("  { hostgroup = 1, host = \"127.0.0.1\", port = ").append(replica.port()).append(" }\n");
        }
        return servers.append("]\nreplication-hostgroups = [ { writer-hostgroup = 0, reader-hostgroup = 1 } ]\n").toString();
    }

    /** The read/write split's two rules: {@code SELECT ... FOR UPDATE} to the writer hostgroup 0, other {@code SELECT}s to 1. */
    public static final String SPLIT_RULES = """
            query-rules = [
              { rule-id = 1, match-digest = "^SELECT .* FOR UPDATE", destination-hostgroup = 0, apply = true }
              { rule-id = 2, match-digest = "^SELECT", destination-hostgroup = 1, apply = true }
            ]
            """;

    /**
     * The failover tests' monitor settings, as a {@code variables} block with {@code extra}
     * lines: the writer is no reader, read_only checked every 500 ms, shunned servers rest 1 s.
     */
    public static String failoverVariables(String extra) {
        return "variables {\n" + extra + """
                  mysql-monitor_writer_is_also_reader = false
                  mysql-monitor_read_only_interval = 500
                  mysql-shun_recovery_time_sec = 1
                }
                """;
    }

    /** Waits until {@code primary} is the only server of writer hostgroup 0 and the monitor saw it report read_only=0. */
    public void awaitConfirmedWriter(MariaDbServer primary) {
        io.switchyard.backend.ServerAddress address = new io.switchyard.backend.ServerAddress(primary.host(), primary.port());
        Await.until(Duration.ofSeconds(10), "the primary is the confirmed writer",
                () -> writers().equals(List.of(address)) && Boolean.FALSE.equals(proxy().runtime().pool(address).health().readOnly()));
    }

    /**
     * Waits until {@code count} connections of the first pool are in use: a session gives its
     * connection back after the client has its reply (once the proxy has read what the statement
     * left), and only then may another session take it.
     */
    public void awaitConnectionsInUse(int count) {
        BackendPool pool = proxy().topology().allPools().get(0);
        Await.until(Duration.ofSeconds(5), () -> "connections in use: " + pool.inUse() + ", awaited " + count,
                () -> pool.inUse() == count);
    }

    /**
     * Waits until every connection of the first pool is parked in it. A connection that a closing
     * session held (in a transaction, or pinned) is reset before it is parked, and parks on top of
     * the idle ones when the reset is done: tests that make a new session take the connection
     * given back last wait for this before they start, or such a connection, parking in the
     * middle, would be the one taken.
     */
    public void awaitConnectionsParked() {
        BackendPool pool = proxy().topology().allPools().get(0);
        Await.until(Duration.ofSeconds(5), () -> "connections in use " + pool.inUse() + ", idle " + pool.idle() + " of " + pool.total(),
                () -> pool.inUse() == 0 && pool.idle() == pool.total());
    }

    /**
     * Makes the connection a session gave back last busy, so that the session's next statement
     * runs on another one: waits until every connection is parked, logs a client in with Connector/J
     * {@code options} (a new session takes the connection given back last, in the pool its
     * options select) and runs {@code read} in a transaction there. Closing the returned
     * connection ends the transaction.
     */
    public Connection holdLastConnection(String options, String read) throws SQLException {
        awaitConnectionsParked();
        Connection holder = mysql(options);
        holder.setAutoCommit(false);
        try (java.sql.Statement s = holder.createStatement()) {
            s.executeQuery(read).close();
        }
        return holder;
    }

    /** The servers of writer hostgroup 0. */
    public List<io.switchyard.backend.ServerAddress> writers() {
        return proxy().topology().servers(0).stream().map(io.switchyard.topology.HostgroupServer::address).toList();
    }

    /** A fixture shared by the tests of one class, started and stopped by JUnit. */
    public static ProxyFixture perClass(int replicas, String extraHocon) {
        return new ProxyFixture(replicas, cluster -> extraHocon);
    }

    /** Same, with extra settings that depend on the started servers (their ports). */
    public static ProxyFixture perClass(int replicas, java.util.function.Function<MariaDbCluster, String> extraHocon) {
        return new ProxyFixture(replicas, extraHocon);
    }

    /** A cluster with {@code replicas} replicas and the proxy in front of its primary, user app/app-pass. */
    public static ProxyFixture start(int replicas) {
        return start(replicas, "");
    }

    /** Same, with extra HOCON inside the {@code switchyard} block (e.g. {@code backend.pool.max-connections = 5}). */
    public static ProxyFixture start(int replicas, String extraHocon) {
        ProxyFixture fixture = new ProxyFixture(replicas, cluster -> extraHocon);
        fixture.startNow();
        return fixture;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        startNow();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Await.until(Duration.ofSeconds(5), () -> "backend connections in use return to 0 (now " + backendConnectionsInUse() + ")",
                () -> backendConnectionsInUse() == 0);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    private void startNow() {
        cluster = MariaDbCluster.builder().replicas(replicas).semiSync(semiSync).start();
        try {
            hocon = """
                    switchyard {
                      frontend { bind = "127.0.0.1", port = 0, max-allowed-packet = 256MiB }
                      servers = [ { hostgroup = 0, host = "127.0.0.1", port = %d } ]
                      users = [ { username = "%s", password = "%s", default-hostgroup = 0 } ]
                      metrics { port = 0 }
                      variables { mysql-monitor_username = "%s", mysql-monitor_password = "%s" }
                      %s
                    }
                    """.formatted(cluster.primary().port(), MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD,
                    MariaDbCluster.MONITOR_USER, MariaDbCluster.MONITOR_PASSWORD, extraHocon.apply(cluster));
            if (admin) {
                hocon = hocon.replace("frontend {", "admin { port = 0 }\n  frontend {");
                dataDir = java.nio.file.Files.createTempDirectory("switchyard-data");
                startDaemon();
            } else {
                proxy = Switchyard.start(ConfigLoader.fromString(hocon));
            }
        } catch (java.io.IOException e) {
            cluster.close();
            throw new java.io.UncheckedIOException(e);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private void startDaemon() {
        startDaemon(false);
    }

    private void startDaemon(boolean initial) {
        String text = hocon;
        daemon = Daemon.start(ConfigLoader.fromString(text), dataDir, initial, () -> ConfigLoader.fromString(text).rows());
        proxy = daemon.proxy();
    }

    /** Stops the daemon and starts it again on the same data directory (admin fixtures only). */
    public void restart() {
        restart(false);
    }

    /** Same; with {@code initial} the disk layer is rebuilt from the configuration file, as {@code --initial} does. */
    public void restart(boolean initial) {
        daemon.close();
        daemon = null;
        proxy = null;
        startDaemon(initial);
    }

    /** The daemon's data directory (admin fixtures only). */
    public java.nio.file.Path dataDir() {
        return dataDir;
    }

    public int adminPort() {
        return daemon.admin().port();
    }

    public String adminUrl(String params) {
        return "jdbc:mysql://127.0.0.1:" + adminPort() + "/?sslMode=DISABLED&connectTimeout=5000&socketTimeout=30000&"
                + (params == null ? "" : params);
    }

    /** A Connector/J connection to the admin port as admin/admin. */
    public Connection admin() throws SQLException {
        return DriverManager.getConnection(adminUrl(null), "admin", "admin");
    }

    /**
     * Runs the {@code mariadb} command-line client against the admin port as admin/admin with
     * {@code sql} on its standard input; killed after 60 s.
     */
    public ProcessResult adminCli(String sql, String... extraArgs) {
        List<String> command = new ArrayList<>(List.of("mariadb", "--no-defaults", "--protocol=TCP",
                "-h", host(), "-P", Integer.toString(adminPort()), "-u", "admin", "-padmin", "--skip-ssl"));
        command.addAll(List.of(extraArgs));
        return Processes.run(command, sql, Duration.ofSeconds(60));
    }

    /**
     * What an orchestrator does: take the replica that received the most, let it apply what it
     * received, promote it, and point the other replica at it.
     */
    public MariaDbServer promoteMostAdvancedReplica() {
        MariaDbServer best = null;
        long bestSeq = -1;
        String bestPos = null;
        for (MariaDbServer r : cluster().replicas()) {
            String pos = String.valueOf(r.query("SHOW SLAVE STATUS").get(0).get("Gtid_IO_Pos"));
            long seq = pos.isBlank() || pos.equals("null") ? 0 : Long.parseLong(pos.substring(pos.lastIndexOf('-') + 1).split(",")[0]);
            if (seq > bestSeq) {
                best = r;
                bestSeq = seq;
                bestPos = pos;
            }
        }
        if (best == null) {
            throw new AssertionError("no replica to promote");
        }
        if (bestPos != null && !bestPos.isBlank() && !bestPos.equals("null")) {
            String caughtUp = best.queryString("SELECT MASTER_GTID_WAIT('" + bestPos + "', 10)");
            if (!"0".equals(caughtUp)) {
                throw new AssertionError(best + " did not apply what it received (" + bestPos + ") within 10 s");
            }
        }
        best.promote();
        for (MariaDbServer r : cluster().replicas()) {
            if (r != best) {
                r.repointTo(best);
            }
        }
        return best;
    }

    public MariaDbCluster cluster() {
        return cluster;
    }

    public Switchyard proxy() {
        return proxy;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return proxy.port();
    }

    public String mysqlUrl(String params) {
        return "jdbc:mysql://127.0.0.1:" + port() + "/" + MariaDbCluster.APP_DATABASE
                + "?sslMode=DISABLED&allowPublicKeyRetrieval=true&" + (params == null ? "" : params);
    }

    public String mariadbUrl(String params) {
        return "jdbc:mariadb://127.0.0.1:" + port() + "/" + MariaDbCluster.APP_DATABASE + "?" + (params == null ? "" : params);
    }

    public Connection mysql(String params) throws SQLException {
        return DriverManager.getConnection(mysqlUrl(params), MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
    }

    /**
     * A new connection as an application's pool opens one: a refused login is tried again every
     * 100 ms for up to 20 s (logins fail while a hostgroup has no writer, or its connections are
     * being cut).
     */
    public Connection mysqlRetryingLogin(String params) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                return mysql(params);
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    public Connection mariadb(String params) throws SQLException {
        return DriverManager.getConnection(mariadbUrl(params), MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
    }

    /**
     * Runs the {@code mariadb} command-line client as the application user against the proxy,
     * database {@code app}, with {@code sql} on its standard input. The process is killed if it
     * runs longer than 60 s, and the result then has exit code -1.
     */
    public ProcessResult cli(String sql, String... extraArgs) {
        return cli(port(), sql, extraArgs);
    }

    /** The same against {@code port}: the proxy's, or a server's to compare with a direct connection. */
    public ProcessResult cli(int port, String sql, String... extraArgs) {
        return cliIn(port, MariaDbCluster.APP_DATABASE, sql, extraArgs);
    }

    /** The same with {@code database} as the session's first schema. */
    public ProcessResult cliIn(int port, String database, String sql, String... extraArgs) {
        List<String> command = new ArrayList<>(List.of("mariadb", "--no-defaults", "--protocol=TCP",
                "-h", host(), "-P", Integer.toString(port), "-u", MariaDbCluster.APP_USER,
                "-p" + MariaDbCluster.APP_PASSWORD, "--skip-ssl"));
        command.addAll(List.of(extraArgs));
        command.add(database);
        return Processes.run(command, sql, Duration.ofSeconds(60));
    }

    /** Connections open to backends, busy and idle. */
    public long backendConnectionsOpen() {
        return proxy.topology().allPools().stream().mapToLong(BackendPool::total).sum();
    }

    /** Backend connections borrowed by sessions. */
    public long backendConnectionsInUse() {
        return proxy.topology().allPools().stream().mapToLong(BackendPool::inUse).sum();
    }

    @Override
    public void close() {
        try {
            if (daemon != null) {
                daemon.close();
            } else if (proxy != null) {
                proxy.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
            if (dataDir != null) {
                deleteTree(dataDir);
            }
            daemon = null;
            proxy = null;
            cluster = null;
            dataDir = null;
        }
    }

    private static void deleteTree(java.nio.file.Path dir) {
        try (var paths = java.nio.file.Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            // a temporary directory; the OS cleans up what is left
        }
    }

    /** Exit code and output of a process. */
    public record ProcessResult(int exitCode, String stdout, String stderr) {}
}
