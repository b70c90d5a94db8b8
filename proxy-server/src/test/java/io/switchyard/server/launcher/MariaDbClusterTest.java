package io.switchyard.server.launcher;

import io.switchyard.testing.Await;

import static io.switchyard.server.launcher.MariaDbCluster.APP_DATABASE;
import static io.switchyard.server.launcher.MariaDbCluster.APP_PASSWORD;
import static io.switchyard.server.launcher.MariaDbCluster.APP_USER;
import static io.switchyard.server.launcher.MariaDbCluster.MONITOR_PASSWORD;
import static io.switchyard.server.launcher.MariaDbCluster.MONITOR_USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A healthy primary with two replicas, shared by tests that leave it healthy. */
class MariaDbClusterTest {
    private static MariaDbCluster cluster;

    @BeforeAll
    static void startCluster() {
        long started = System.nanoTime();
        cluster = MariaDbCluster.builder().replicas(2).start();
        System.out.printf("MariaDB primary + 2 replicas started in %d ms%n", (System.nanoTime() - started) / 1_000_000);
    }

    @AfterAll
    static void closeCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void primaryComesFirstAndEveryServerHasItsOwnIdAndPort() {
        assertThat(cluster.servers()).hasSize(3).startsWith(cluster.primary());
        assertThat(cluster.replicas()).containsExactly(cluster.server(1), cluster.server(2));
        assertThat(cluster.servers()).extracting(server -> server.queryString("SELECT @@server_id"))
                .containsExactly("1", "2", "3");
        assertThat(cluster.servers()).extracting(MariaDbServer::serverId).containsExactly(1, 2, 3);
        assertThat(cluster.servers()).extracting(MariaDbServer::port).doesNotHaveDuplicates().doesNotContain(3306);
        assertThat(cluster.servers()).allMatch(MariaDbServer::isRunning);
    }

    @Test
    void replicasAreReadOnlyAndThePrimaryIsNot() {
        assertThat(cluster.primary().queryString("SELECT @@read_only")).isEqualTo("0");
        assertThat(cluster.replicas()).allSatisfy(
                replica -> assertThat(replica.queryString("SELECT @@read_only")).isEqualTo("1"));
    }

    @Test
    void writeOnPrimaryReachesEveryReplica() {
        cluster.primary().execute("CREATE TABLE app.replicated (id INT PRIMARY KEY, name VARCHAR(20))",
                "INSERT INTO app.replicated VALUES (1, 'one')");

        cluster.awaitReplicaCatchUp(Duration.ofSeconds(10));

        assertThat(cluster.replicas()).allSatisfy(replica ->
                assertThat(replica.queryString("SELECT name FROM app.replicated WHERE id = 1")).isEqualTo("one"));
    }

    @Test
    void applicationUserConnectsWithConnectorJToTheAppDatabase() throws SQLException {
        try (Connection connection = DriverManager.getConnection(
                cluster.primary().jdbcUrl(APP_DATABASE), APP_USER, APP_PASSWORD);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT DATABASE(), CURRENT_USER()")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo(APP_DATABASE);
            assertThat(rows.getString(2)).isEqualTo(APP_USER + "@%");
        }
    }

    @Test
    void applicationUserCannotWriteOnAReadOnlyReplica() throws SQLException {
        try (Connection connection = DriverManager.getConnection(
                cluster.server(1).mariaDbJdbcUrl(APP_DATABASE), APP_USER, APP_PASSWORD);
                Statement statement = connection.createStatement()) {
            assertThatThrownBy(() -> statement.execute("CREATE TABLE app.forbidden (id INT)"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(1290));
        }
    }

    @Test
    void monitorUserSeesReplicationStatusAndKillsOtherUsersQueries() throws Exception {
        MariaDbServer replica = cluster.server(1);
        try (Connection monitor = replica.connect(MONITOR_USER, MONITOR_PASSWORD);
                Statement statement = monitor.createStatement()) {
            try (ResultSet status = statement.executeQuery("SHOW SLAVE STATUS")) {
                assertThat(status.next()).isTrue();
                assertThat(status.getString("Slave_IO_Running")).isEqualTo("Yes");
                assertThat(status.getString("Using_Gtid")).isEqualTo("Slave_Pos");
            }
            try (Connection app = replica.connect(APP_USER, APP_PASSWORD);
                    Statement slow = app.createStatement()) {
                long threadId = threadId(app);
                AtomicReference<Throwable> killFailure = new AtomicReference<>();
                Thread killer = Thread.ofVirtual().start(() -> {
                    try (Statement kill = monitor.createStatement()) {
                        Await.until(Duration.ofSeconds(5), "the sleep shows in the process list",
                                () -> !replica.query("SELECT id FROM information_schema.processlist WHERE id = "
                                        + threadId + " AND info LIKE 'SELECT SLEEP%'").isEmpty());
                        kill.execute("KILL QUERY " + threadId);
                    } catch (Throwable e) {
                        killFailure.set(e);
                    }
                });
                long started = System.nanoTime();
                try {
                    slow.executeQuery("SELECT SLEEP(30)").close();
                } catch (SQLException interrupted) {
                    assertThat(interrupted.getErrorCode()).isEqualTo(1317);
                }
                killer.join(Duration.ofSeconds(10));
                assertThat(killFailure.get()).isNull();
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            }
        }
    }

    private static long threadId(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT CONNECTION_ID()")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    @Test
    void binaryLoggingAndGtidStrictModeAreOnEverywhere() {
        for (MariaDbServer server : cluster.servers()) {
            List<String> settings = List.of(server.queryString("SELECT @@log_bin"),
                    server.queryString("SELECT @@log_slave_updates"), server.queryString("SELECT @@binlog_format"),
                    server.queryString("SELECT @@gtid_strict_mode"));
            assertThat(settings).as(server.toString()).containsExactly("1", "1", "ROW", "1");
        }
    }
}
