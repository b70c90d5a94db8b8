package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.launcher.MariaDbCluster;
import io.switchyard.server.launcher.MariaDbServer;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MariaDB's bulk execution (COM_STMT_BULK_EXECUTE), which MariaDB Connector/J uses for batches of
 * server-prepared statements once the server offers it: a batch through the proxy writes what it
 * writes directly and reports the same counts and errors, also when the session runs it on a
 * connection that has to prepare the statement first. One event loop, so sessions share one pool
 * partition and a second session can take the connection the first used.
 */
class BulkExecuteTest {
    private static final int ROWS = 200;
    private static final String INSERT = "INSERT INTO bulk_t (id, name, amount) VALUES (?, ?, ?)";

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "event-loop-threads = 1");

    @BeforeEach
    void table() {
        fixture.cluster().primary().execute("DROP TABLE IF EXISTS app.bulk_t",
                "CREATE TABLE app.bulk_t (id INT PRIMARY KEY, name VARCHAR(40), amount DECIMAL(10,2))");
    }

    private static Connection direct() throws SQLException {
        MariaDbServer primary = fixture.cluster().primary();
        return DriverManager.getConnection(primary.mariaDbJdbcUrl(MariaDbCluster.APP_DATABASE) + "?useServerPrepStmts=true",
                MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
    }

    @Test
    void aBatchWritesWhatItWritesDirectlyInOneBulkExecution() throws Exception {
        List<String> expected;
        try (Connection c = direct()) {
            expected = batch(c, 0, null);
        }
        table();
        long executions = statementExecutions();
        List<String> proxied;
        try (Connection c = fixture.mariadb("useServerPrepStmts=true")) {
            proxied = batch(c, 0, null);
        }
        assertThat(proxied).isEqualTo(expected);
        assertThat(statementExecutions() - executions).as("executions on the server for %d rows", ROWS).isLessThan(10);
    }

    @Test
    void aBatchOnAConnectionThatDidNotPrepareTheStatementPreparesItThereFirst() throws Exception {
        List<String> expected;
        try (Connection c = direct()) {
            expected = batch(c, 2, null);
        }
        table();
        long reprepares = fixture.proxy().stats().stmtReprepares();
        List<Connection> holders = new ArrayList<>();
        try (Connection c = fixture.mariadb("useServerPrepStmts=true")) {
            // After a batch the connection stays for ROW_COUNT(); after a plain SELECT it goes back,
            // and a new session takes the connection given back last (c's).
            List<String> proxied = batch(c, 2, () -> {
                c.createStatement().executeQuery("SELECT 1").close();
                Connection h = fixture.mariadb("useServerPrepStmts=true");
                holders.add(h);
                Statement s = h.createStatement();
                s.execute("BEGIN");
                s.executeQuery("SELECT 1 FROM bulk_t LIMIT 1").close();
            });
            assertThat(proxied).isEqualTo(expected);
        } finally {
            for (Connection h : holders) {
                h.close();
            }
        }
        assertThat(fixture.proxy().stats().stmtReprepares()).as("the second batch ran elsewhere").isGreaterThan(reprepares);
    }

    @Test
    void aBatchThatFailsFailsAsItDoesDirectly() throws Exception {
        List<String> expected;
        try (Connection c = direct()) {
            expected = failingBatch(c);
        }
        table();
        try (Connection c = fixture.mariadb("useServerPrepStmts=true")) {
            assertThat(failingBatch(c)).isEqualTo(expected);
        }
        assertThat(expected).anyMatch(line -> line.startsWith("error 1062"));
    }

    /**
     * A bulk execution without types (flag 128 unset) reuses the types of the statement's last
     * one; on a connection that prepared the statement afresh the proxy sends those types along.
     * Every packet compared, directly and through the proxy.
     */
    @Test
    void aBulkExecutionWithoutTypesAfterAMoveUsesTheTypesSentBefore() throws Exception {
        MariaDbServer primary = fixture.cluster().primary();
        List<String> expected = rawBulks(primary.host(), primary.port(), false);
        table();
        long reprepares = fixture.proxy().stats().stmtReprepares();
        List<String> proxied = rawBulks(fixture.host(), fixture.port(), true);
        assertThat(proxied).isEqualTo(expected);
        assertThat(expected).contains("row 5 five");
        assertThat(fixture.proxy().stats().stmtReprepares()).as("the second bulk ran elsewhere").isGreaterThan(reprepares);
    }

    /**
     * Prepares an INSERT, runs a bulk execution with types and one without; with {@code move},
     * another session (same protocol options, so the same pool) takes the connection in between.
     */
    private static List<String> rawBulks(String host, int port, boolean move) throws Exception {
        long caps = io.switchyard.protocol.Capability.CLIENT_CONNECT_WITH_DB | io.switchyard.protocol.Capability.CLIENT_PROTOCOL_41
                | io.switchyard.protocol.Capability.CLIENT_TRANSACTIONS | io.switchyard.protocol.Capability.CLIENT_SECURE_CONNECTION
                | io.switchyard.protocol.Capability.CLIENT_MULTI_RESULTS | io.switchyard.protocol.Capability.CLIENT_PLUGIN_AUTH
                | io.switchyard.protocol.Capability.CLIENT_DEPRECATE_EOF
                | io.switchyard.protocol.Capability.MARIADB_CLIENT_STMT_BULK_OPERATIONS;
        List<String> seen = new ArrayList<>();
        try (RawMysqlClient c = RawMysqlClient.connect(host, port, java.time.Duration.ofSeconds(10));
             RawMysqlClient holder = RawMysqlClient.connect(host, port, java.time.Duration.ofSeconds(10))) {
            assertThat(c.login(MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD, MariaDbCluster.APP_DATABASE, caps).type())
                    .isEqualTo(RawMysqlClient.OK);
            byte[] sql = "INSERT INTO bulk_t (id, name) VALUES (?, ?)".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] prepare = new byte[sql.length + 1];
            prepare[0] = 0x16;
            System.arraycopy(sql, 0, prepare, 1, sql.length);
            c.write(0, prepare);
            RawMysqlClient.Packet ok = c.read();
            assertThat(ok.type()).isEqualTo(RawMysqlClient.OK);
            for (int i = 0; i < 2; i++) {
                c.read();
            }
            byte[] id = {ok.payload()[1], ok.payload()[2], ok.payload()[3], ok.payload()[4]};
            c.write(0, bulk(id, true, new int[] {1, 2, 3}, new String[] {"one", "two", "three"}));
            seen.add("bulk with types " + describe(c.read()));
            c.query("SELECT 1", 0);
            seen.add("select " + describe(c.read()));
            for (int i = 0; i < 3; i++) {
                c.read();
            }
            if (move) {
                assertThat(holder.login(MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD, MariaDbCluster.APP_DATABASE, caps).type())
                        .isEqualTo(RawMysqlClient.OK);
                holder.query("BEGIN", 0);
                assertThat(holder.read().type()).isEqualTo(RawMysqlClient.OK);
            }
            c.write(0, bulk(id, false, new int[] {4, 5}, new String[] {"four", "five"}));
            seen.add("bulk without types " + describe(c.read()));
        }
        try (Connection check = direct(); Statement s = check.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, name FROM bulk_t ORDER BY id")) {
            while (rs.next()) {
                seen.add("row " + rs.getInt(1) + " " + rs.getString(2));
            }
        }
        return seen;
    }

    /** COM_STMT_BULK_EXECUTE of {@code ids} and {@code names} (INT, VARCHAR), with or without the types. */
    private static byte[] bulk(byte[] id, boolean withTypes, int[] ids, String[] names) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(0xfa);
        out.writeBytes(id);
        out.write(withTypes ? 128 : 0);
        out.write(0);
        if (withTypes) {
            out.writeBytes(new byte[] {0x03, 0, (byte) 0xfd, 0});
        }
        for (int i = 0; i < ids.length; i++) {
            out.write(0);
            out.writeBytes(new byte[] {(byte) ids[i], (byte) (ids[i] >> 8), (byte) (ids[i] >> 16), (byte) (ids[i] >> 24)});
            byte[] name = names[i].getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.write(0);
            out.write(name.length);
            out.writeBytes(name);
        }
        return out.toByteArray();
    }

    private static String describe(RawMysqlClient.Packet p) {
        return p.isErr() ? "error " + p.errorCode() + " " + p.errorMessage() : java.util.HexFormat.of().formatHex(p.payload());
    }

    /**
     * Runs {@code batches} + 1 batches of {@link #ROWS} rows of text, numbers and NULLs through one
     * prepared INSERT, {@code between} before each batch after the first; returns the update
     * counts, then the table's rows and {@code SHOW WARNINGS}.
     */
    private static List<String> batch(Connection c, int batches, ThrowingRunnable between) throws Exception {
        List<String> seen = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (int b = 0; b <= batches; b++) {
                if (b > 0 && between != null) {
                    between.run();
                }
                for (int i = 0; i < ROWS; i++) {
                    int id = b * ROWS + i;
                    ps.setInt(1, id);
                    if (i % 7 == 0) {
                        ps.setNull(2, java.sql.Types.VARCHAR);
                    } else {
                        ps.setString(2, "row " + id + (i % 3 == 0 ? " Ünïcödé €" : ""));
                    }
                    ps.setBigDecimal(3, new java.math.BigDecimal(id).movePointLeft(2));
                    ps.addBatch();
                }
                seen.add("counts " + Arrays.toString(ps.executeBatch()));
            }
        }
        seen.addAll(contents(c));
        return seen;
    }

    /** A batch whose 3rd row repeats a key: the error, the counts the driver reports, and what was written. */
    private static List<String> failingBatch(Connection c) throws Exception {
        List<String> seen = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (int id : new int[] {1, 2, 1, 3}) {
                ps.setInt(1, id);
                ps.setString(2, "r" + id);
                ps.setInt(3, id);
                ps.addBatch();
            }
            try {
                seen.add("counts " + Arrays.toString(ps.executeBatch()));
            } catch (BatchUpdateException e) {
                seen.add("error " + e.getErrorCode() + " " + e.getSQLState() + " " + Arrays.toString(e.getUpdateCounts()));
            }
        }
        seen.addAll(contents(c));
        return seen;
    }

    private static List<String> contents(Connection c) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SHOW WARNINGS")) {
                while (rs.next()) {
                    rows.add("warning " + rs.getInt(2) + " " + rs.getString(3));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT id, name, amount FROM bulk_t ORDER BY id")) {
                while (rs.next()) {
                    rows.add(rs.getInt(1) + " " + rs.getString(2) + " " + rs.getBigDecimal(3));
                }
            }
        }
        return rows;
    }

    private static long statementExecutions() {
        return Long.parseLong(String.valueOf(fixture.cluster().primary().query("SELECT VARIABLE_VALUE AS v FROM "
                + "information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'COM_STMT_EXECUTE'").get(0).get("v")));
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
