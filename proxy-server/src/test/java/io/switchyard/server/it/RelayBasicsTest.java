package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.testing.Await;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RelayBasicsTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "");



    @Test
    void connectorJRunsTextAndServerPreparedStatementsAndCursorFetch() throws Exception {
        try (Connection c = fixture.mysql("useServerPrepStmts=true&useCursorFetch=true&defaultFetchSize=7")) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS basics (id INT PRIMARY KEY, v VARCHAR(20))");
                s.execute("DELETE FROM basics");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO basics VALUES (?, ?)")) {
                for (int i = 0; i < 50; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "v" + i);
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT id, v FROM basics WHERE id >= ? ORDER BY id")) {
                ps.setInt(1, 10);
                try (ResultSet rs = ps.executeQuery()) {
                    int n = 0;
                    while (rs.next()) {
                        assertThat(rs.getString(2)).isEqualTo("v" + rs.getInt(1));
                        n++;
                    }
                    assertThat(n).isEqualTo(40);
                }
            }
        }
        Await.until(java.time.Duration.ofSeconds(5), () -> "backend connections in use drop to 0 (now "
                + fixture.backendConnectionsInUse() + ")", () -> fixture.backendConnectionsInUse() == 0);
    }

    private static RawMysqlClient rawClient() throws Exception {
        RawMysqlClient client = RawMysqlClient.connect("127.0.0.1", fixture.port(), java.time.Duration.ofSeconds(10));
        assertThat(client.login("app", "app-pass", "app").isErr()).isFalse();
        return client;
    }

    @Test
    void fieldListStatisticsAndPingAreRelayed() throws Exception {
        try (Connection c = fixture.mysql(""); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS listed (a INT, b VARCHAR(3))");
        }
        try (RawMysqlClient client = rawClient()) {
            client.write(0, "\u0004listed\u0000".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(client.read().payload()).as("first column definition").isNotEmpty();
            assertThat(client.read().payload()).as("second column definition").isNotEmpty();
            RawMysqlClient.Packet end = client.read();
            assertThat(end.type()).as("end of the field list").isEqualTo(0xfe);

            client.write(0, new byte[] {0x09});
            assertThat(new String(client.read().payload(), java.nio.charset.StandardCharsets.UTF_8)).startsWith("Uptime:");

            client.write(0, new byte[] {0x0e});
            assertThat(client.read().type()).isEqualTo(0x00);
        }
    }

    @Test
    void unknownAndUnsupportedCommandsGetACleanErrorAndTheSessionGoesOn() throws Exception {
        try (RawMysqlClient client = rawClient()) {
            client.write(0, new byte[] {0x1d});
            RawMysqlClient.Packet daemon = client.read();
            assertThat(daemon.isErr()).isTrue();
            assertThat(daemon.errorCode()).isEqualTo(1047);
            client.write(0, new byte[] {(byte) 0x99, 1, 2, 3});
            assertThat(client.read().errorCode()).isEqualTo(1047);
            client.write(0, new byte[] {0x08});
            assertThat(client.read().errorCode()).as("COM_SHUTDOWN is not relayed").isEqualTo(1047);
            client.query("SELECT 1", 0);
            assertThat(client.read().isErr()).isFalse();
        }
    }

    /** Runs {@code SELECT SLEEP(30)} on {@code victim}, sends {@code KILL QUERY id} on {@code killer}; the SLEEP's result or error code. */
    private static int sleepKilledBy(Connection victim, Connection killer, long id) throws Exception {
        var running = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try (Statement s = victim.createStatement(); ResultSet rs = s.executeQuery("SELECT SLEEP(30)")) {
                rs.next();
                return rs.getInt(1);
            } catch (java.sql.SQLException e) {
                return e.getErrorCode();
            }
        });
        Await.until(java.time.Duration.ofSeconds(10), "SELECT SLEEP(30) runs on the server", () -> !fixture.cluster().primary()
                .query("SELECT id FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP(30)%'").isEmpty());
        try (Statement s = killer.createStatement()) {
            s.execute("KILL QUERY " + id);
        }
        return running.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void killOfAProxySessionIdStopsThatSessionsQuery() throws Exception {
        try (Connection victim = fixture.mysql(""); Connection killer = fixture.mysql("")) {
            long victimId = ((com.mysql.cj.jdbc.JdbcConnection) victim).getId();
            assertThat(sleepKilledBy(victim, killer, victimId))
                    .as("MariaDB ends a killed SLEEP with 1317 (query execution was interrupted)").isEqualTo(1317);
            try (Statement s = killer.createStatement()) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.execute("KILL 999999"))
                        .isInstanceOfSatisfying(java.sql.SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1094));
            }
        }
    }

    /**
     * A session that read {@code CONNECTION_ID()} keeps that id: its statements stay on the
     * backend connection the id names, so a {@code KILL QUERY} of it from another connection stops
     * this session's statement and nobody else's (MariaDB's {@code myisam_icp_notembedded} does
     * this), while other sessions share the pool meanwhile.
     */
    @Test
    void anIdReadWithConnectionIdStaysTheSessionsOwn() throws Exception {
        try (Connection victim = fixture.mysql(""); Connection other = fixture.mysql(""); Connection killer = fixture.mysql("")) {
            long id;
            try (Statement s = victim.createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
                rs.next();
                id = rs.getLong(1);
            }
            for (int i = 0; i < 20; i++) {
                try (Statement s = other.createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
                    rs.next();
                }
                try (Statement s = victim.createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("CONNECTION_ID() after other sessions ran").isEqualTo(id);
                }
            }
            assertThat(sleepKilledBy(victim, killer, id)).isEqualTo(1317);
        }
    }

    /**
     * {@code FLUSH STATUS}, statements, then the session's status counters: what a DBA runs to
     * see how a query read its tables. The counters belong to the backend connection, so the
     * session stays on the one it flushed while other sessions share the pool, and reads what it
     * would read directly.
     */
    @Test
    void sessionStatusCountersCountTheSessionsOwnStatementsAfterFlushStatus() throws Exception {
        try (Connection direct = java.sql.DriverManager.getConnection(fixture.cluster().primary().jdbcUrl("app"),
                io.switchyard.server.launcher.MariaDbCluster.APP_USER, io.switchyard.server.launcher.MariaDbCluster.APP_PASSWORD);
             Connection proxied = fixture.mysql(""); Connection other = fixture.mysql("")) {
            for (Connection c : List.of(direct, proxied)) {
                try (Statement s = c.createStatement()) {
                    s.execute("FLUSH STATUS");
                    for (int i = 0; i < 5; i++) {
                        try (Statement o = other.createStatement(); ResultSet rs = o.executeQuery("SELECT 1")) {
                            rs.next();
                        }
                        s.executeQuery("SELECT " + i).close();
                    }
                }
            }
            assertThat(comSelect(proxied)).as("Com_select of the session's connection").isEqualTo(comSelect(direct)).isEqualTo(5);
        }
    }

    /**
     * A session that limits its own memory ({@code max_session_mem_used}): the server counts all
     * the memory of the connection a statement runs on, and a pooled connection holds memory for
     * other sessions: the prepared statements the proxy keeps cached on it, and a network buffer
     * another session's large command grew. Under the limit, the session's statements run as
     * directly. First the cache: statements the session prepared and closed inside a transaction,
     * so they are on the connection it runs on. Then the buffers: eight sessions have each sent a
     * 1 MiB command on their own connection, and the limited session starts after them.
     */
    @Test
    void aSessionMemoryLimitCountsOnlyWhatTheSessionHolds() throws Exception {
        List<String> expected = List.of("x-0", "x-99", "0");
        closeIdleConnections();
        try (Connection direct = direct("&useServerPrepStmts=true"); Connection proxied = fixture.mysql("useServerPrepStmts=true")) {
            assertThat(afterClosedStatements(direct)).as("directly").isEqualTo(expected);
            assertThat(afterClosedStatements(proxied)).as("through the proxy").isEqualTo(expected);
            assertThat(afterClosedStatements(proxied)).as("again, the closed statements prepared anew").isEqualTo(expected);
        }
        closeIdleConnections();
        String large = "SELECT LENGTH('" + "y".repeat(1024 * 1024) + "')";
        List<Connection> others = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                Connection other = fixture.mysql("");
                others.add(other);
                try (Statement s = other.createStatement()) {
                    s.execute("BEGIN");
                    s.executeQuery(large).close();
                }
            }
            for (Connection other : others) {
                other.createStatement().execute("COMMIT");
            }
        } finally {
            for (Connection other : others) {
                other.close();
            }
        }
        try (Connection direct = direct(""); Connection proxied = fixture.mysql("")) {
            assertThat(underMemoryLimit(direct)).as("directly").isEqualTo(expected);
            for (int i = 0; i < 3; i++) {
                assertThat(underMemoryLimit(proxied)).as("through the proxy, after other sessions' large commands").isEqualTo(expected);
            }
        }
    }

    private static Connection direct(String params) throws java.sql.SQLException {
        return java.sql.DriverManager.getConnection(fixture.cluster().primary().jdbcUrl("app") + params,
                io.switchyard.server.launcher.MariaDbCluster.APP_USER, io.switchyard.server.launcher.MariaDbCluster.APP_PASSWORD);
    }

    /** Closes the pool's idle connections and waits until none is left. */
    private static void closeIdleConnections() {
        io.switchyard.backend.BackendPool pool = fixture.proxy().topology().allPools().get(0);
        pool.closeIdle();
        Await.until(java.time.Duration.ofSeconds(5), "idle backend connections closed", () -> pool.idle() == 0);
    }

    /** In a transaction, prepares, runs and closes 10 statements (about 150 KiB of server memory each), then {@link #underMemoryLimit}. */
    private static List<String> afterClosedStatements(Connection c) throws java.sql.SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("BEGIN");
            for (int i = 0; i < 10; i++) {
                try (PreparedStatement ps = c.prepareStatement("SELECT ? AS n, " + manyColumns() + ", " + i)) {
                    ps.setInt(1, i);
                    ps.executeQuery().close();
                }
            }
            List<String> outcome = underMemoryLimit(c);
            s.execute("COMMIT");
            return outcome;
        }
    }

    /** Runs a query of 100 columns under a 512 KiB limit: its first and last values and the error code (0 for none). */
    private static List<String> underMemoryLimit(Connection c) throws java.sql.SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET max_session_mem_used = 512 * 1024");
            List<String> outcome;
            try (ResultSet rs = s.executeQuery("SELECT " + manyColumns())) {
                rs.next();
                outcome = List.of(rs.getString(1), rs.getString(100), "0");
            } catch (java.sql.SQLException e) {
                outcome = List.of(e.getMessage(), "", String.valueOf(e.getErrorCode()));
            }
            s.execute("SET max_session_mem_used = DEFAULT");
            return outcome;
        }
    }

    /** A select list of 100 columns, {@code x-0} to {@code x-99}. */
    static String manyColumns() {
        StringBuilder columns = new StringBuilder();
        for (int k = 0; k < 100; k++) {
            columns.append(k == 0 ? "" : ", ").append("CONCAT('x-', ").append(k).append(") AS c").append(k);
        }
        return columns.toString();
    }

    private static long comSelect(Connection c) throws java.sql.SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW SESSION STATUS LIKE 'Com_select'")) {
            rs.next();
            return rs.getLong(2);
        }
    }

    @Test
    void streamedParametersTravelAsLongDataAndStatementsCanBeResetAndReused() throws Exception {
        byte[] blob = new byte[3 * 1024 * 1024];
        new java.util.Random(7).nextBytes(blob);
        try (Connection c = fixture.mysql("useServerPrepStmts=true&cachePrepStmts=true");
             Statement s = c.createStatement()) {
            s.execute("CREATE OR REPLACE TABLE long_data (id INT PRIMARY KEY, b LONGBLOB)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO long_data VALUES (?, ?)")) {
                for (int i = 1; i <= 3; i++) {
                    ps.setInt(1, i);
                    ps.setBinaryStream(2, new java.io.ByteArrayInputStream(blob));
                    ps.executeUpdate();
                    ps.clearParameters();
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*), SUM(LENGTH(b)), COUNT(DISTINCT MD5(b)) FROM long_data")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(3);
                assertThat(rs.getLong(2)).isEqualTo(3L * blob.length);
                assertThat(rs.getInt(3)).isEqualTo(1);
            }
        }
    }

    @Test
    void mariadbConnectorRunsQueries() throws Exception {
        try (Connection c = fixture.mariadb("useServerPrepStmts=true"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT @@server_id, DATABASE()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(2)).isEqualTo("app");
        }
    }
}
