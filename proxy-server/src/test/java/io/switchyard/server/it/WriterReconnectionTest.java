package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.backend.ServerAddress;
import io.switchyard.server.launcher.MariaDbServer;
import io.switchyard.testing.Await;
import io.switchyard.topology.HostgroupServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sessions that hold no transaction and whose writer dies continue on the promoted writer, with
 * their session state rebuilt there: session variables, the schema, the character set,
 * autocommit off between transactions, and server-side prepared statements prepared before the
 * failover. Default settings except the monitor's failover timing.
 */
class WriterReconnectionTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(2, cluster -> ProxyFixture.pairedServers(cluster)
            + "variables { mysql-monitor_writer_is_also_reader = false }\n");

    private static List<ServerAddress> writers() {
        return fixture.proxy().topology().servers(0).stream().map(HostgroupServer::address).toList();
    }

    private static ServerAddress address(MariaDbServer server) {
        return new ServerAddress(server.host(), server.port());
    }

    @Test
    void idleSessionsContinueOnThePromotedWriterWithTheirState() throws Exception {
        MariaDbServer primary = fixture.cluster().primary();
        MariaDbServer promoted = fixture.cluster().replicas().get(0);
        MariaDbServer otherReplica = fixture.cluster().replicas().get(1);
        primary.execute("CREATE TABLE app.seen (session VARCHAR(20) PRIMARY KEY, server_id INT, sql_mode VARCHAR(200),"
                + " time_zone VARCHAR(20), db VARCHAR(20), charset VARCHAR(20), autocommit INT)");
        fixture.cluster().awaitReplicaCatchUp(Duration.ofSeconds(10));
        fixture.awaitConfirmedWriter(primary);
        String record = "INSERT INTO seen SELECT ?, @@server_id, @@sql_mode, @@time_zone, DATABASE(),"
                + " @@character_set_client, @@autocommit";

        try (Connection text = fixture.mysql("socketTimeout=20000");
             Connection binary = fixture.mysql("socketTimeout=20000&useServerPrepStmts=true&cachePrepStmts=true");
             Connection manual = fixture.mysql("socketTimeout=20000")) {
            for (Connection c : List.of(text, binary, manual)) {
                try (Statement s = c.createStatement()) {
                    s.execute("SET SESSION sql_mode = 'ANSI_QUOTES'");
                    s.execute("SET time_zone = '+05:00'");
                    s.execute("SET NAMES utf8mb4");
                }
            }
            PreparedStatement prepared = binary.prepareStatement(record);
            prepared.setString(1, "before");
            assertThat(prepared.executeUpdate()).isEqualTo(1);
            manual.setAutoCommit(false);
            try (Statement s = manual.createStatement()) {
                s.executeUpdate(record.replace("?", "'manual-before'"));
            }
            manual.commit();

            primary.kill();
            promoted.promote();
            otherReplica.repointTo(promoted);
            Await.until(Duration.ofSeconds(10), () -> "the promoted replica is the writer (hostgroup 0: " + writers() + ")",
                    () -> writers().equals(List.of(address(promoted))));

            try (Statement s = text.createStatement()) {
                assertThat(s.executeUpdate(record.replace("?", "'text'"))).isEqualTo(1);
            }
            prepared.setString(1, "binary");
            assertThat(prepared.executeUpdate()).as("a statement prepared on the dead writer").isEqualTo(1);
            try (Statement s = manual.createStatement()) {
                assertThat(s.executeUpdate(record.replace("?", "'manual'"))).isEqualTo(1);
            }
            manual.commit();
            prepared.close();
        }

        List<Map<String, Object>> rows = promoted.query("SELECT * FROM app.seen WHERE session IN ('text', 'binary', 'manual')"
                + " ORDER BY session");
        assertThat(rows).hasSize(3);
        for (Map<String, Object> row : rows) {
            assertThat(row).as("row %s", row.get("session"))
                    .containsEntry("server_id", promoted.serverId())
                    .containsEntry("sql_mode", "ANSI_QUOTES")
                    .containsEntry("time_zone", "+05:00")
                    .containsEntry("db", "app")
                    .containsEntry("charset", "utf8mb4")
                    .containsEntry("autocommit", row.get("session").equals("manual") ? 0 : 1);
        }
    }
}
