package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchyard.server.launcher.MariaDbServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Statement routing by ProxySQL-style query rules over a primary (hostgroup 0, the users'
 * default) and two replicas (hostgroup 1): the read/write split, transactions kept on the
 * primary, session state that follows the session to whichever server runs a statement,
 * rewrites, blocking with error_msg, OK_msg, and flagIN/flagOUT chains.
 */
class ReadWriteSplitTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(2, cluster -> """
            servers = [
              { hostgroup = 0, host = "127.0.0.1", port = %d, comment = "primary" }
              { hostgroup = 1, host = "127.0.0.1", port = %d, comment = "replica 1" }
              { hostgroup = 1, host = "127.0.0.1", port = %d, comment = "replica 2" }
            ]
            query-rules = [
              { rule-id = 1, match-pattern = "^DROP TABLE keep_me", error-msg = "dropping keep_me is not allowed", apply = true }
              { rule-id = 2, match-pattern = "^SELECT 'ping'$", ok-msg = "pong", apply = true }
              { rule-id = 3, match-pattern = "^SELECT 'old'", replace-pattern = "SELECT 'new'" }
              { rule-id = 4, match-pattern = "^SELECT /\\\\* chain \\\\*/", flag-out = 7 }
              { rule-id = 5, flag-in = 7, match-pattern = "chain", destination-hostgroup = 0, apply = true }
              { rule-id = 10, match-pattern = "^SELECT.*FOR UPDATE", destination-hostgroup = 0, apply = true }
              { rule-id = 11, match-pattern = "^SELECT", destination-hostgroup = 1, apply = true }
            ]
            """.formatted(cluster.primary().port(), cluster.replicas().get(0).port(), cluster.replicas().get(1).port()));

    static int primaryId;
    static Set<Integer> replicaIds;

    @BeforeAll
    static void tables() {
        primaryId = fixture.cluster().primary().serverId();
        replicaIds = fixture.cluster().replicas().stream().map(MariaDbServer::serverId).collect(Collectors.toSet());
        fixture.cluster().primary().execute("CREATE TABLE app.split (id INT PRIMARY KEY, v VARCHAR(20))",
                "INSERT INTO app.split VALUES (1, 'one')");
        fixture.cluster().awaitReplicaCatchUp(java.time.Duration.ofSeconds(10));
    }

    private static int serverId(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void readsGoToReplicasWritesToPrimary() throws Exception {
        try (Connection c = fixture.mariadb(""); Statement s = c.createStatement()) {
            Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < 40; i++) {
                seen.add(serverId(s, "SELECT @@server_id"));
                assertThat(s.executeUpdate("UPDATE split SET v = 'w" + i + "' WHERE id = 1")).isEqualTo(1);
            }
            assertThat(seen).isSubsetOf(replicaIds).isNotEmpty();
        }
    }

    @Test
    void selectForUpdateAndTransactionsStayOnThePrimary() throws Exception {
        try (Connection c = fixture.mariadb(""); Statement s = c.createStatement()) {
            assertThat(serverId(s, "SELECT @@server_id FROM split WHERE id = 1 FOR UPDATE")).isEqualTo(primaryId);
            s.execute("START TRANSACTION");
            assertThat(serverId(s, "SELECT @@server_id")).isEqualTo(primaryId);
            s.executeUpdate("UPDATE split SET v = 'in-tx' WHERE id = 1");
            assertThat(serverId(s, "SELECT @@server_id")).isEqualTo(primaryId);
            s.execute("COMMIT");
            assertThat(replicaIds).contains(serverId(s, "SELECT @@server_id"));
        }
    }

    @Test
    void sessionStateFollowsTheSessionToTheReplica() throws Exception {
        try (Connection c = fixture.mariadb(""); Statement s = c.createStatement()) {
            s.execute("SET time_zone = '+05:30'");
            s.execute("SET SESSION sql_mode = 'ANSI_QUOTES'");
            s.execute("SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci");
            try (ResultSet rs = s.executeQuery("SELECT @@server_id, @@time_zone, @@sql_mode, @@collation_connection")) {
                rs.next();
                assertThat(replicaIds).contains(rs.getInt(1));
                assertThat(rs.getString(2)).isEqualTo("+05:30");
                assertThat(rs.getString(3)).isEqualTo("ANSI_QUOTES");
                assertThat(rs.getString(4)).isEqualTo("utf8mb4_unicode_ci");
            }
        }
    }

    @Test
    void aSessionWithUserVariablesStaysWhereItSetThem() throws Exception {
        try (Connection c = fixture.mariadb(""); Statement s = c.createStatement()) {
            s.execute("SET @marker = 'carried'");
            for (int i = 0; i < 5; i++) {
                try (ResultSet rs = s.executeQuery("SELECT @@server_id, @marker")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(primaryId);
                    assertThat(rs.getString(2)).isEqualTo("carried");
                }
            }
        }
    }

    @Test
    void rulesBlockAnswerAndRewrite() throws Exception {
        try (Connection c = fixture.mariadb(""); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute("DROP TABLE keep_me"))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getErrorCode()).isEqualTo(1148);
                        assertThat(e.getMessage()).contains("dropping keep_me is not allowed");
                    });
            assertThat(s.execute("SELECT 'ping'")).as("answered with OK, no result set").isFalse();
            try (ResultSet rs = s.executeQuery("SELECT 'old'")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("new");
            }
        }
    }

    @Test
    void lastInsertIdFollowsTheSessionToWhicheverServerReads() throws Exception {
        try (Connection c = fixture.mariadb(""); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS auto_ids (id INT AUTO_INCREMENT PRIMARY KEY, v INT)");
            s.executeUpdate("INSERT INTO auto_ids (v) VALUES (1)", Statement.RETURN_GENERATED_KEYS);
            long generated;
            try (ResultSet keys = s.getGeneratedKeys()) {
                keys.next();
                generated = keys.getLong(1);
            }
            s.executeUpdate("INSERT INTO auto_ids (id, v) VALUES (" + (generated + 1000) + ", 2)");
            for (int i = 0; i < 3; i++) {
                try (ResultSet rs = s.executeQuery("SELECT LAST_INSERT_ID(), @@server_id")) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("an explicit id does not change LAST_INSERT_ID()").isEqualTo(generated);
                }
            }
        }
    }

    @Test
    void flagOutChainsLeadToTheRuleWithThatFlagIn() throws Exception {
        try (Connection c = fixture.mariadb(""); Statement s = c.createStatement()) {
            assertThat(serverId(s, "SELECT /* chain */ @@server_id")).isEqualTo(primaryId);
        }
    }
}
