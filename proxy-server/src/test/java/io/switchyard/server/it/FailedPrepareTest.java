package io.switchyard.server.it;

import static io.switchyard.protocol.Capability.CLIENT_CONNECT_WITH_DB;
import static io.switchyard.protocol.Capability.CLIENT_DEPRECATE_EOF;
import static io.switchyard.protocol.Capability.CLIENT_MULTI_RESULTS;
import static io.switchyard.protocol.Capability.CLIENT_PLUGIN_AUTH;
import static io.switchyard.protocol.Capability.CLIENT_PROTOCOL_41;
import static io.switchyard.protocol.Capability.CLIENT_SECURE_CONNECTION;
import static io.switchyard.protocol.Capability.CLIENT_TRANSACTIONS;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.launcher.MariaDbCluster;
import io.switchyard.server.launcher.MariaDbServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A prepare that fails, pipelined with the execution of statement -1 ("the one just prepared",
 * as MariaDB Connector/J sends them): the execution fails as it does directly, with the server's
 * error, and does not run the statement prepared before; {@code SHOW WARNINGS} then shows that
 * error. Statements the session does not have are refused in the server's words (by the proxy,
 * so {@code SHOW WARNINGS} does not show that refusal: the README's known limit).
 */
class FailedPrepareTest {
    private static final long CAPABILITIES = CLIENT_CONNECT_WITH_DB | CLIENT_PROTOCOL_41 | CLIENT_TRANSACTIONS
            | CLIENT_SECURE_CONNECTION | CLIENT_MULTI_RESULTS | CLIENT_PLUGIN_AUTH | CLIENT_DEPRECATE_EOF;

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "");

    @BeforeAll
    static void table() {
        fixture.cluster().primary().execute("CREATE TABLE IF NOT EXISTS app.fp (id INT, n INT)");
    }

    /**
     * The prepare fails for its syntax; or, in a read-only transaction (which ties the session to
     * its connection), because it writes; the same after {@code SET NAMES ... COLLATE}.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"SELEKT 1", "START TRANSACTION READ ONLY; UPDATE fp SET n = ? WHERE id = ?",
        "SET NAMES utf8mb4 COLLATE utf8mb4_bin; START TRANSACTION READ ONLY; UPDATE fp SET n = ? WHERE id = ?"})
    void anExecutionPipelinedAfterAFailedPrepareFailsAsItDoesDirectly(String script) throws Exception {
        MariaDbServer primary = fixture.cluster().primary();
        List<String> direct = conversation(primary.host(), primary.port(), script);
        List<String> proxied = conversation(fixture.host(), fixture.port(), script);

        assertThat(direct).anyMatch(line -> line.contains("Unknown prepared statement handler (4294967295) given to mysqld_stmt_execute"));
        assertThat(proxied).isEqualTo(direct);
    }

    /** The same with MariaDB Connector/J, which pipelines a prepare and its first execution. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"START TRANSACTION READ ONLY", "SET NAMES utf8mb4 COLLATE utf8mb4_bin; START TRANSACTION READ ONLY"})
    void aDriverPipeliningAFailingPrepareSeesWhatItSeesDirectly(String script) throws Exception {
        String direct = fixture.cluster().primary().mariaDbJdbcUrl(MariaDbCluster.APP_DATABASE) + "?useServerPrepStmts=true";
        List<String> expected;
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
            expected = driverConversation(c, script);
        }
        try (java.sql.Connection c = fixture.mariadb("useServerPrepStmts=true")) {
            assertThat(driverConversation(c, script)).isEqualTo(expected);
        }
        assertThat(expected).anyMatch(line -> line.contains("1243"));
    }

    private static List<String> driverConversation(java.sql.Connection c, String script) throws Exception {
        List<String> seen = new ArrayList<>();
        try (java.sql.Statement s = c.createStatement()) {
            for (String sql : script.split("; ")) {
                s.execute(sql);
            }
            try (java.sql.PreparedStatement ps = c.prepareStatement("UPDATE fp SET n = ? WHERE id = ?")) {
                ps.setInt(1, 2);
                ps.setInt(2, 2);
                ps.executeUpdate();
                seen.add("updated");
            } catch (java.sql.SQLException e) {
                seen.add("error " + e.getErrorCode());
            }
            s.execute("SELECT 'no table'");
            try (java.sql.ResultSet rs = s.executeQuery("SHOW WARNINGS")) {
                while (rs.next()) {
                    seen.add(rs.getString(1) + " " + rs.getInt(2) + " " + rs.getString(3));
                }
            }
            s.execute("ROLLBACK");
        }
        return seen;
    }

    /**
     * Runs the statements of {@code script} before its last, then prepares the last pipelined
     * with an execution of statement -1; returns every packet received, as "step seq
     * text-or-hex", statement ids left out.
     */
    private static List<String> conversation(String host, int port, String script) throws IOException {
        List<String> seen = new ArrayList<>();
        String[] statements = script.split("; ");
        try (RawMysqlClient c = RawMysqlClient.connect(host, port, Duration.ofSeconds(10))) {
            assertThat(c.login(MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD, MariaDbCluster.APP_DATABASE, CAPABILITIES).type())
                    .isEqualTo(RawMysqlClient.OK);
            for (int i = 0; i < statements.length - 1; i++) {
                c.query(statements[i], 0);
                record(c.read(), statements[i], seen);
            }
            c.write(0, RawMysqlClient.command(0x16, "SELECT 1 AS one"));
            RawMysqlClient.Packet ok = c.read();
            seen.add("prepare " + ok.type());
            record(c.read(), "prepare", seen);

            ByteArrayOutputStream pipelined = new ByteArrayOutputStream();
            byte[] prepare = RawMysqlClient.command(0x16, statements[statements.length - 1]);
            pipelined.writeBytes(RawMysqlClient.header(prepare.length, 0));
            pipelined.writeBytes(prepare);
            byte[] execute = {0x17, -1, -1, -1, -1, 0, 1, 0, 0, 0};
            pipelined.writeBytes(RawMysqlClient.header(execute.length, 0));
            pipelined.writeBytes(execute);
            c.writeRaw(pipelined.toByteArray());
            record(c.read(), "bad prepare", seen);
            record(c.read(), "execute -1", seen);

            c.query("SHOW WARNINGS", 0);
            RawMysqlClient.Packet count = c.read();
            record(count, "show warnings", seen);
            for (int i = 0; i < count.payload()[0]; i++) {
                c.read();
            }
            while (true) {
                RawMysqlClient.Packet row = c.read();
                record(row, "show warnings", seen);
                if (row.type() == 0xfe || row.isErr()) {
                    break;
                }
            }

            c.write(0, new byte[] {0x17, 99, 0, 0, 0, 0, 1, 0, 0, 0});
            record(c.read(), "execute 99", seen);
        }
        return seen;
    }

    private static void record(RawMysqlClient.Packet p, String step, List<String> seen) {
        seen.add(step + " " + p.sequence() + " " + (p.isErr() ? p.errorCode() + " " + p.errorMessage()
                : p.type() == 0xfe ? "end" : HexFormat.of().formatHex(p.payload())));
    }

}
