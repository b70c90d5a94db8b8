package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchyard.server.it.ProxyFixture.ProcessResult;
import io.switchyard.server.launcher.MariaDbCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The admin port as MySQL clients see it: the {@code mariadb} command-line client and
 * Connector/J connect, run what they send on their own and the usual introspection statements,
 * and get a MySQL error (with the session going on) for anything wrong.
 */
@Timeout(120)
class AdminPortTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.withAdmin(0, cluster -> "");

    @Test
    void commandLineClientRunsIntrospectionStatements() {
        ProcessResult r = fixture.adminCli("""
                SELECT @@version_comment LIMIT 1;
                SHOW DATABASES;
                SHOW TABLES;
                SHOW TABLES FROM stats LIKE '%digest%';
                SELECT DATABASE();
                USE monitor;
                SELECT DATABASE();
                SHOW CREATE TABLE main.mysql_replication_hostgroups;
                SELECT hostgroup_id, hostname, port, status FROM mysql_servers;
                SELECT COUNT(*) AS users FROM runtime_mysql_users;
                """, "-N");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).startsWith("Switchyard admin\nmain\ndisk\nstats\nmonitor\n")
                .contains("global_variables\nmysql_query_rules\nmysql_replication_hostgroups\nmysql_servers\nmysql_users\n"
                        + "runtime_global_variables\n")
                .contains("stats_mysql_query_digest\nstats_mysql_query_digest_reset\nmain\nmonitor\n")
                .contains("mysql_replication_hostgroups\tCREATE TABLE mysql_replication_hostgroups (")
                .contains("0\t127.0.0.1\t" + fixture.cluster().primary().port() + "\tONLINE\n")
                .endsWith("1\n");
    }

    @Test
    void commandLineClientTableOutputAndErrorsWithLineNumbers() {
        ProcessResult r = fixture.adminCli("SELECT variable_value FROM global_variables WHERE variable_name = 'mysql-max_connections';\n"
                + "SELEC 1;\nSELECT 'not reached';\n", "-N");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stdout()).isEqualTo("2048\n");
        assertThat(r.stderr()).contains("ERROR 1064 (42000) at line 2");
    }

    @Test
    void connectorJConnectsAndReadsTheTables() throws SQLException {
        try (Connection c = fixture.admin(); Statement s = c.createStatement()) {
            assertThat(c.getMetaData().getDatabaseProductVersion()).contains("switchyard-admin");
            assertThat(rows(s, "SELECT DATABASE()")).containsExactly(List.of("main"));
            assertThat(rows(s, "SELECT hostname, port FROM runtime_mysql_servers"))
                    .containsExactly(List.of("127.0.0.1", Integer.toString(fixture.cluster().primary().port())));
            assertThat(rows(s, "SHOW VARIABLES LIKE 'mysql-monitor_ping_interval'"))
                    .containsExactly(List.of("mysql-monitor_ping_interval", "1000"));
            assertThat(rows(s, "SELECT username, default_hostgroup, active FROM mysql_users"))
                    .containsExactly(List.of(MariaDbCluster.APP_USER, "0", "1"));
            c.setAutoCommit(false);
            c.commit();
            c.setAutoCommit(true);
            c.setCatalog("stats");
            try (Statement inStats = c.createStatement()) {
                assertThat(rows(inStats, "SELECT DATABASE()")).containsExactly(List.of("stats"));
                assertThat(rows(inStats, "SELECT Variable_Value FROM stats_mysql_global WHERE Variable_Name = 'Servers_table_version'"))
                        .hasSize(1);
            }
        }
    }

    @Test
    void badStatementsGetMysqlErrorsAndTheSessionContinues() throws SQLException {
        try (Connection c = fixture.admin(); Statement s = c.createStatement()) {
            assertError(s, "SELEC 1", 1064, "42000");
            assertError(s, "SELECT * FROM no_such_table", 1146, "42S02");
            assertError(s, "SELECT no_such_column FROM mysql_servers", 1054, "42S22");
            assertError(s, "INSERT INTO runtime_mysql_servers (hostgroup_id, hostname, port) VALUES (5, 'h', 1)", 1036, "HY000");
            assertError(s, "UPDATE runtime_global_variables SET variable_value = '1'", 1036, "HY000");
            assertError(s, "DELETE FROM stats.stats_mysql_global", 1036, "HY000");
            assertError(s, "DELETE FROM stats_mysql_query_digest", 1036, "HY000");
            assertError(s, "DROP TABLE mysql_servers", 1235, "42000");
            assertError(s, "ATTACH DATABASE '/tmp/x.db' AS x", 1235, "42000");
            assertError(s, "PRAGMA writable_schema = 1", 1235, "42000");
            assertError(s, "INSERT INTO mysql_servers (hostgroup_id, hostname, port, status) VALUES (7, 'h', 1, 'SLEEPY')", 3819, "HY000");
            assertError(s, "INSERT INTO mysql_servers (hostgroup_id, hostname, port) VALUES (0, '127.0.0.1', "
                    + fixture.cluster().primary().port() + ")", 1062, "23000");
            assertError(s, "INSERT INTO mysql_users (username, password) VALUES (NULL, 'x')", 1048, "23000");
            assertError(s, "SELECT @@no_such_variable", 1193, "HY000");
            assertError(s, "LOAD MYSQL SERVERS TO CONFIG", 1064, "42000");
            assertError(s, "USE nowhere", 1049, "42000");
            assertError(s, "SHOW ENGINES", 1064, "42000");
            assertThat(rows(s, "SELECT 1 + 1")).containsExactly(List.of("2"));
            assertThat(rows(s, "SELECT COUNT(*) FROM mysql_servers")).containsExactly(List.of("1"));
            assertThat(rows(s, "SELECT COUNT(*) FROM disk.mysql_servers")).containsExactly(List.of("1"));
        }
    }

    @Test
    void wrongPasswordIsRefusedWith1045() {
        assertThatThrownBy(() -> DriverManager.getConnection(fixture.adminUrl(null), "admin", "wrong").close())
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getErrorCode()).isEqualTo(1045);
                    assertThat(e.getSQLState()).isEqualTo("28000");
                });
        assertThatThrownBy(() -> DriverManager.getConnection(fixture.adminUrl(null), MariaDbCluster.APP_USER,
                MariaDbCluster.APP_PASSWORD).close())
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1045));
        ProcessResult cli = fixture.adminCli("SELECT 1;", "-padmin2");
        assertThat(cli.exitCode()).isEqualTo(1);
        assertThat(cli.stderr()).contains("ERROR 1045 (28000)");
    }

    static void assertError(Statement s, String sql, int code, String sqlState) {
        assertThatThrownBy(() -> s.execute(sql)).as(sql)
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getErrorCode()).as(sql + ": " + e.getMessage()).isEqualTo(code);
                    assertThat(e.getSQLState()).as(sql).isEqualTo(sqlState);
                });
    }

    static List<List<String>> rows(Statement s, String sql) throws SQLException {
        List<List<String>> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getString(i));
                }
                out.add(row);
            }
        }
        return out;
    }
}
