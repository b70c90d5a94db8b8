package io.switchyard.server.it;

import io.switchyard.server.launcher.MariaDbCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a MariaDB cluster and the proxy in front of it, for end-to-end tests.
 *
 * <p>This is the stand-in: clients talk to the primary directly, so every test written against
 * it describes what a client sees from a bare MariaDB server, which the proxy must reproduce.
 * The pool counters report {@code -1} here ("no proxy"); tests guard their pool assertions with
 * {@code backendConnectionsOpen() >= 0}.
 *
 * <p>Thread-safe once started. {@link #close()} stops the proxy and every server.
 */
public final class ProxyFixture implements AutoCloseable {
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);

    private final MariaDbCluster cluster;

    private ProxyFixture(MariaDbCluster cluster) {
        this.cluster = cluster;
    }

    /** A cluster with {@code replicas} replicas and the proxy in front of it, user app/app-pass. */
    public static ProxyFixture start(int replicas) {
        return start(replicas, "");
    }

    /** Same as {@link #start(int)}, with extra proxy settings in HOCON (ignored by the stand-in). */
    public static ProxyFixture start(int replicas, String extraHocon) {
        return new ProxyFixture(MariaDbCluster.builder().replicas(replicas).start());
    }

    public MariaDbCluster cluster() {
        return cluster;
    }

    /** The proxy's client address. */
    public String host() {
        return "127.0.0.1";
    }

    /** The proxy's client port. */
    public int port() {
        return cluster.primary().port();
    }

    /** A Connector/J URL to the proxy, database {@code app}, followed by {@code params}. */
    public String mysqlUrl(String params) {
        return "jdbc:mysql://" + host() + ":" + port() + "/" + MariaDbCluster.APP_DATABASE
                + "?sslMode=DISABLED&allowPublicKeyRetrieval=true&" + params;
    }

    /** A MariaDB Connector/J URL to the proxy, database {@code app}, followed by {@code params}. */
    public String mariadbUrl(String params) {
        return "jdbc:mariadb://" + host() + ":" + port() + "/" + MariaDbCluster.APP_DATABASE + "?" + params;
    }

    /** A Connector/J connection as the application user; the caller closes it. */
    public Connection mysql(String params) throws SQLException {
        return DriverManager.getConnection(mysqlUrl(params), MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
    }

    /** A MariaDB Connector/J connection as the application user; the caller closes it. */
    public Connection mariadb(String params) throws SQLException {
        return DriverManager.getConnection(mariadbUrl(params), MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
    }

    /**
     * Runs the {@code mariadb} command-line client as the application user against the proxy,
     * database {@code app}, with {@code sql} on its standard input. The process is killed if it
     * runs longer than 60 s, and the result then has exit code -1.
     */
    public ProcessResult cli(String sql, String... extraArgs) {
        List<String> command = new ArrayList<>(List.of("mariadb", "--no-defaults", "--protocol=TCP",
                "-h", host(), "-P", Integer.toString(port()), "-u", MariaDbCluster.APP_USER,
                "-p" + MariaDbCluster.APP_PASSWORD, "--skip-ssl"));
        command.addAll(List.of(extraArgs));
        command.add(MariaDbCluster.APP_DATABASE);
        return Processes.run(command, sql, CLI_TIMEOUT);
    }

    /** Total connections the proxy holds to backends; -1 when there is no proxy. */
    public long backendConnectionsOpen() {
        return -1;
    }

    /** Backend connections currently borrowed by client sessions; -1 when there is no proxy. */
    public long backendConnectionsInUse() {
        return -1;
    }

    @Override
    public void close() {
        cluster.close();
    }

    /** What a finished (or killed, exit code -1) process returned. */
    public record ProcessResult(int exitCode, String stdout, String stderr) {}
}
