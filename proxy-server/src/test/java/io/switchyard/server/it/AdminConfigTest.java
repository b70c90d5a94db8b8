package io.switchyard.server.it;

import static io.switchyard.server.it.AdminPortTest.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchyard.server.launcher.MariaDbServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Operators change the running proxy through the admin tables and verbs: servers and rules put
 * in force with LOAD … TO RUNTIME reach the traffic (also of clients already connected), bad
 * configurations are refused whole with an error naming the row, SAVE … TO DISK survives a
 * restart, and the stats tables count the traffic.
 */
@Timeout(180)
class AdminConfigTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.withAdmin(1, cluster -> "");

    private static MariaDbServer primary() {
        return fixture.cluster().primary();
    }

    private static MariaDbServer replica() {
        return fixture.cluster().replicas().get(0);
    }

    @BeforeEach
    void backToTheConfigurationFile() throws SQLException {
        try (Connection c = fixture.admin(); Statement s = c.createStatement()) {
            for (String sql : List.of("LOAD MYSQL QUERY RULES FROM CONFIG", "LOAD MYSQL QUERY RULES TO RUNTIME",
                    "LOAD MYSQL SERVERS FROM CONFIG", "LOAD MYSQL SERVERS TO RUNTIME", "LOAD MYSQL USERS FROM CONFIG",
                    "LOAD MYSQL USERS TO RUNTIME", "LOAD MYSQL VARIABLES FROM CONFIG", "LOAD MYSQL VARIABLES TO RUNTIME",
                    "SAVE MYSQL SERVERS TO DISK", "SAVE MYSQL QUERY RULES TO DISK", "SAVE MYSQL VARIABLES TO DISK")) {
                s.execute(sql);
            }
        }
    }

    private static String serverIdThroughProxy(Connection client) throws SQLException {
        try (Statement s = client.createStatement()) {
            return rows(s, "SELECT @@server_id").get(0).get(0);
        }
    }

    @Test
    void addedServerReceivesTrafficOnceLoadedToRuntime() throws SQLException {
        try (Connection admin = fixture.admin(); Statement s = admin.createStatement()) {
            s.executeUpdate("INSERT INTO mysql_servers (hostgroup_id, hostname, port, comment) VALUES (1, '127.0.0.1', "
                    + replica().port() + ", 'replica')");
            s.executeUpdate("INSERT INTO mysql_query_rules (rule_id, active, match_digest, destination_hostgroup, apply) "
                    + "VALUES (10, 1, '^SELECT @@server_id', 1, 1)");
            assertThat(rows(s, "SELECT COUNT(*) FROM runtime_mysql_servers")).containsExactly(List.of("1"));
            s.execute("LOAD MYSQL SERVERS TO RUNTIME");
            s.execute("LOAD MYSQL QUERY RULES TO RUNTIME");
            assertThat(rows(s, "SELECT hostgroup_id, port, comment FROM runtime_mysql_servers ORDER BY hostgroup_id"))
                    .containsExactly(List.of("0", Integer.toString(primary().port()), ""),
                            List.of("1", Integer.toString(replica().port()), "replica"));
            assertThat(rows(s, "SELECT rule_id, destination_hostgroup FROM runtime_mysql_query_rules"))
                    .containsExactly(List.of("10", "1"));
        }
        try (Connection client = fixture.mysql(null)) {
            assertThat(serverIdThroughProxy(client)).isEqualTo(Integer.toString(replica().serverId()));
        }
    }

    @Test
    void changedRuleReroutesAClientThatIsAlreadyConnected() throws SQLException {
        try (Connection client = fixture.mysql(null); Connection admin = fixture.admin(); Statement s = admin.createStatement()) {
            s.executeUpdate("INSERT INTO mysql_servers (hostgroup_id, hostname, port) VALUES (1, '127.0.0.1', " + replica().port() + ")");
            s.execute("LOAD MYSQL SERVERS TO RUNTIME");
            assertThat(serverIdThroughProxy(client)).isEqualTo(Integer.toString(primary().serverId()));

            s.executeUpdate("INSERT INTO mysql_query_rules (rule_id, active, match_digest, destination_hostgroup, apply) "
                    + "VALUES (20, 1, '^SELECT @@server_id', 1, 1)");
            s.execute("LOAD MYSQL QUERY RULES TO RUNTIME");
            assertThat(serverIdThroughProxy(client)).isEqualTo(Integer.toString(replica().serverId()));

            s.executeUpdate("UPDATE mysql_query_rules SET destination_hostgroup = 0 WHERE rule_id = 20");
            s.execute("load mysql query rules from memory");
            assertThat(serverIdThroughProxy(client)).isEqualTo(Integer.toString(primary().serverId()));
        }
    }

    @Test
    void badLoadsAreRefusedNamingTheRowAndTheRuntimeStaysAsItWas() throws SQLException {
        try (Connection client = fixture.mysql(null); Connection admin = fixture.admin(); Statement s = admin.createStatement()) {
            s.executeUpdate("INSERT INTO mysql_query_rules (rule_id, active, match_pattern, destination_hostgroup) VALUES (30, 1, '(unclosed', 0)");
            assertRefused(s, "LOAD MYSQL QUERY RULES TO RUNTIME", "rule_id=30");
            assertThat(rows(s, "SELECT COUNT(*) FROM runtime_mysql_query_rules")).containsExactly(List.of("0"));
            AdminPortTest.assertError(s, "INSERT INTO mysql_query_rules (rule_id, active) VALUES (30, 1)", 1062, "23000");
            s.executeUpdate("DELETE FROM mysql_query_rules");

            s.executeUpdate("UPDATE global_variables SET variable_value = '5' WHERE variable_name = 'mysql-monitor_ping_interval'");
            assertRefused(s, "LOAD MYSQL VARIABLES TO RUNTIME", "mysql-monitor_ping_interval", "100..3600000");
            assertThat(rows(s, "SELECT variable_value FROM runtime_global_variables WHERE variable_name = 'mysql-monitor_ping_interval'"))
                    .containsExactly(List.of("1000"));
            s.execute("LOAD MYSQL VARIABLES FROM DISK");
            s.executeUpdate("INSERT INTO global_variables VALUES ('mysql-no_such_variable', '1')");
            assertRefused(s, "LOAD MYSQL VARIABLES TO RUNTIME", "mysql-no_such_variable");
            s.execute("LOAD MYSQL VARIABLES FROM DISK");

            s.executeUpdate("UPDATE mysql_servers SET max_connections = 'lots'");
            assertRefused(s, "LOAD MYSQL SERVERS TO RUNTIME", "hostgroup_id=0", "max_connections must be an integer, got 'lots'");
            assertThat(rows(s, "SELECT hostgroup_id, port FROM runtime_mysql_servers"))
                    .containsExactly(List.of("0", Integer.toString(primary().port())));

            assertThat(serverIdThroughProxy(client)).isEqualTo(Integer.toString(primary().serverId()));
            try (Connection another = fixture.mysql(null)) {
                assertThat(serverIdThroughProxy(another)).isEqualTo(Integer.toString(primary().serverId()));
            }
        }
    }

    @Test
    void savedToDiskTheConfigurationSurvivesARestart() throws SQLException {
        try (Connection admin = fixture.admin(); Statement s = admin.createStatement()) {
            s.executeUpdate("INSERT INTO mysql_servers (hostgroup_id, hostname, port, weight) VALUES (1, '127.0.0.1', "
                    + replica().port() + ", 7)");
            s.executeUpdate("INSERT INTO mysql_query_rules (rule_id, active, match_digest, destination_hostgroup, apply, comment) "
                    + "VALUES (40, 1, '^SELECT @@server_id', 1, 1, 'to the replica')");
            s.executeUpdate("UPDATE global_variables SET variable_value = '1500' WHERE variable_name = 'mysql-monitor_ping_interval'");
            for (String part : List.of("SERVERS", "QUERY RULES", "VARIABLES")) {
                s.execute("LOAD MYSQL " + part + " TO RUNTIME");
                s.execute("SAVE MYSQL " + part + " TO DISK");
            }
        }
        fixture.restart();
        try (Connection admin = fixture.admin(); Statement s = admin.createStatement()) {
            assertThat(rows(s, "SELECT hostgroup_id, port, weight FROM runtime_mysql_servers ORDER BY hostgroup_id"))
                    .containsExactly(List.of("0", Integer.toString(primary().port()), "1"),
                            List.of("1", Integer.toString(replica().port()), "7"));
            assertThat(rows(s, "SELECT rule_id, comment FROM runtime_mysql_query_rules")).containsExactly(List.of("40", "to the replica"));
            assertThat(rows(s, "SELECT variable_value FROM runtime_global_variables WHERE variable_name = 'mysql-monitor_ping_interval'"))
                    .containsExactly(List.of("1500"));
            assertThat(rows(s, "SELECT COUNT(*) FROM mysql_servers m JOIN disk.mysql_servers d USING (hostgroup_id, hostname, port)"))
                    .containsExactly(List.of("2"));
        }
        try (Connection client = fixture.mysql(null)) {
            assertThat(serverIdThroughProxy(client)).isEqualTo(Integer.toString(replica().serverId()));
        }
    }

    @Test
    void initialStartRebuildsTheDiskLayerFromTheConfigurationFile() throws SQLException {
        try (Connection admin = fixture.admin(); Statement s = admin.createStatement()) {
            s.executeUpdate("INSERT INTO mysql_servers (hostgroup_id, hostname, port) VALUES (1, '127.0.0.1', " + replica().port() + ")");
            s.execute("LOAD MYSQL SERVERS TO RUNTIME");
            s.execute("SAVE MYSQL SERVERS TO DISK");
        }
        fixture.restart(true);
        try (Connection admin = fixture.admin(); Statement s = admin.createStatement()) {
            List<String> primaryOnly = List.of("0", Integer.toString(primary().port()));
            assertThat(rows(s, "SELECT hostgroup_id, port FROM runtime_mysql_servers")).containsExactly(primaryOnly);
            assertThat(rows(s, "SELECT hostgroup_id, port FROM disk.mysql_servers")).containsExactly(primaryOnly);
        }
    }

    @Test
    void savedFromRuntimeMemoryMatchesWhatIsInForce() throws SQLException {
        try (Connection admin = fixture.admin(); Statement s = admin.createStatement()) {
            s.executeUpdate("DELETE FROM mysql_users");
            assertThat(rows(s, "SELECT COUNT(*) FROM mysql_users")).containsExactly(List.of("0"));
            s.execute("SAVE MYSQL USERS FROM RUNTIME");
            assertThat(rows(s, "SELECT username, transaction_persistent, max_connections FROM mysql_users"))
                    .containsExactly(List.of("app", "1", "10000"));
        }
    }

    @Test
    void statsTablesShowSessionsAndConnections() throws SQLException {
        try (Connection client = fixture.mysql(null); Connection admin = fixture.admin(); Statement s = admin.createStatement();
             Statement inTransaction = client.createStatement()) {
            serverIdThroughProxy(client);
            inTransaction.execute("BEGIN");
            assertThat(rows(s, "SELECT username, frontend_connections >= 1 FROM stats_mysql_users"))
                    .containsExactly(List.of("app", "1"));
            assertThat(rows(s, "SELECT COUNT(*) >= 1 FROM stats_mysql_processlist WHERE user = 'app'")).containsExactly(List.of("1"));
            assertThat(rows(s, "SELECT hostgroup, srv_port, status, ConnUsed >= 1, ConnOK >= 1 FROM stats.stats_mysql_connection_pool"))
                    .containsExactly(List.of("0", Integer.toString(primary().port()), "ONLINE", "1", "1"));
            assertThat(rows(s, "SELECT Variable_Value >= 1 FROM stats_mysql_global WHERE Variable_Name = 'Client_Connections_connected'"))
                    .containsExactly(List.of("1"));
            assertThat(rows(s, "SHOW STATUS LIKE 'Client_Connections_created'")).hasSize(1);
            assertThat(rows(s, "SELECT COUNT(*) FROM stats_mysql_commands_counters WHERE Command = 'SELECT'")).containsExactly(List.of("1"));
            inTransaction.execute("COMMIT");
            assertThat(rows(s, "SELECT ConnUsed FROM stats.stats_mysql_connection_pool"))
                    .as("between statements the connection is back in the pool").containsExactly(List.of("0"));
            // The monitor connects to and pings every server; read_only and lag are checked only for
            // servers of replication hostgroups (MonitorTest covers those logs).
            for (String table : List.of("mysql_server_connect_log", "mysql_server_ping_log")) {
                assertThat(Long.parseLong(rows(s, "SELECT COUNT(*) FROM monitor." + table).get(0).get(0)))
                        .as("rows in monitor.%s", table).isPositive();
            }
            for (String table : List.of("mysql_server_read_only_log", "mysql_server_replication_lag_log")) {
                assertThat(Long.parseLong(rows(s, "SELECT COUNT(*) FROM monitor." + table).get(0).get(0)))
                        .as("rows in monitor.%s without replication hostgroups", table).isZero();
            }
        }
    }

    /**
     * {@code mysql_servers.compression = 1} makes the connections opened to the server from then
     * on compress, for a client that does not: it reads {@code Compression ON}; back at 0, new
     * connections do not. (OFFLINE_HARD then ONLINE closes the open ones in between.)
     */
    @Test
    void compressionColumnMakesNewConnectionsToTheServerCompress() throws SQLException {
        try (Connection admin = fixture.admin(); Statement s = admin.createStatement()) {
            reopenPrimary(s, "compression = 1");
            assertThat(rows(s, "SELECT DISTINCT compression FROM runtime_mysql_servers WHERE port = " + primary().port()))
                    .containsExactly(List.of("1"));
            assertThat(compressionThroughProxy()).isEqualTo("ON");
            reopenPrimary(s, "compression = 0");
            assertThat(compressionThroughProxy()).isEqualTo("OFF");
        }
    }

    /** Closes every connection to the primary (OFFLINE_HARD), then puts it ONLINE again with {@code change}. */
    private static void reopenPrimary(Statement admin, String change) throws SQLException {
        admin.executeUpdate("UPDATE mysql_servers SET status = 'OFFLINE_HARD' WHERE port = " + primary().port());
        admin.execute("LOAD MYSQL SERVERS TO RUNTIME");
        admin.executeUpdate("UPDATE mysql_servers SET status = 'ONLINE', " + change + " WHERE port = " + primary().port());
        admin.execute("LOAD MYSQL SERVERS TO RUNTIME");
    }

    /** {@code Compression} as a client that does not ask for compression reads it through the proxy. */
    private static String compressionThroughProxy() throws SQLException {
        try (Connection client = fixture.mysql(null); Statement s = client.createStatement()) {
            return rows(s, "SHOW SESSION STATUS LIKE 'Compression'").get(0).get(1);
        }
    }

    /**
     * A sleeping session that holds a connection (here: a transaction) shows it in the process
     * list, so an operator finds who keeps the pool's connections; one that gave its connection
     * back shows none.
     */
    @Test
    void processListShowsTheConnectionASleepingSessionHolds() throws SQLException {
        try (Connection holding = fixture.mysql(null); Connection released = fixture.mysql(null);
             Connection admin = fixture.admin(); Statement s = admin.createStatement();
             Statement inTransaction = holding.createStatement(); Statement plain = released.createStatement()) {
            inTransaction.execute("BEGIN");
            String thread = rows(inTransaction, "SELECT CONNECTION_ID()").get(0).get(0);
            rows(plain, "SELECT 1");
            assertThat(rows(s, "SELECT hostgroup, srv_host, srv_port, srv_thread_id, command FROM stats_mysql_processlist "
                    + "WHERE user = 'app' ORDER BY hostgroup DESC"))
                    .containsExactly(List.of("0", "127.0.0.1", Integer.toString(primary().port()), thread, "Sleep"),
                            java.util.Arrays.asList("-1", null, "0", "-1", "Sleep"));
            inTransaction.execute("ROLLBACK");
        }
    }

    /** The stats tables count the statements the data path ran: digests, commands, pool queries, rule hits. */
    @Test
    void statsTablesCountTheStatementsSent() throws SQLException {
        try (Connection admin = fixture.admin(); Statement s = admin.createStatement()) {
            s.executeUpdate("INSERT INTO mysql_query_rules (rule_id, active, match_digest, destination_hostgroup) "
                    + "VALUES (50, 1, 'AS admin_probe', 0)");
            s.execute("LOAD MYSQL QUERY RULES TO RUNTIME");
            rows(s, "SELECT * FROM stats_mysql_query_digest_reset");
            long selectsBefore = Long.parseLong(rows(s, "SELECT Total_cnt FROM stats_mysql_commands_counters WHERE Command = 'SELECT'").get(0).get(0));
            long queriesBefore = Long.parseLong(rows(s, "SELECT Queries FROM stats_mysql_connection_pool WHERE hostgroup = 0").get(0).get(0));
            try (Connection client = fixture.mysql(null); Statement c = client.createStatement()) {
                for (int i = 0; i < 7; i++) {
                    rows(c, "SELECT " + i + " AS admin_probe");
                }
            }
            assertThat(rows(s, "SELECT count_star FROM stats_mysql_query_digest WHERE digest_text LIKE 'SELECT ? AS admin_probe%'"))
                    .containsExactly(List.of("7"));
            assertThat(Long.parseLong(rows(s, "SELECT Total_cnt FROM stats_mysql_commands_counters WHERE Command = 'SELECT'").get(0).get(0)))
                    .isGreaterThanOrEqualTo(selectsBefore + 7);
            assertThat(Long.parseLong(rows(s, "SELECT Queries FROM stats_mysql_connection_pool WHERE hostgroup = 0").get(0).get(0)))
                    .isGreaterThanOrEqualTo(queriesBefore + 7);
            assertThat(rows(s, "SELECT hits FROM stats_mysql_query_rules WHERE rule_id = 50")).containsExactly(List.of("7"));
            assertThat(rows(s, "SELECT COUNT(*) FROM stats_mysql_query_digest_reset WHERE digest_text LIKE 'SELECT ? AS admin_probe%'"))
                    .containsExactly(List.of("1"));
            assertThat(rows(s, "SELECT COUNT(*) FROM stats_mysql_query_digest WHERE digest_text LIKE 'SELECT ? AS admin_probe%'"))
                    .containsExactly(List.of("0"));
        }
    }

    private static void assertRefused(Statement s, String sql, String... mentions) {
        assertThatThrownBy(() -> s.execute(sql)).as(sql)
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getErrorCode()).as(e.getMessage()).isEqualTo(9100);
                    assertThat(e.getMessage()).contains("refused, the runtime is unchanged").contains(mentions);
                });
    }
}
