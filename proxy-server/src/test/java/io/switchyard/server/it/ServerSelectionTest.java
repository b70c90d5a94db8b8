package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchyard.server.launcher.MariaDbCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How a session's server is chosen within its hostgroup: weighted random among the usable
 * servers; servers OFFLINE_SOFT or with weight 0 get no new sessions; a hostgroup with no usable
 * server answers with ProxySQL's error 9001.
 */
class ServerSelectionTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(1, cluster -> """
            servers = [
              { hostgroup = 0, host = "127.0.0.1", port = %1$d, weight = 1 }
              { hostgroup = 0, host = "127.0.0.1", port = %2$d, weight = 3 }
              { hostgroup = 1, host = "127.0.0.1", port = %1$d, weight = 1 }
              { hostgroup = 1, host = "127.0.0.1", port = %2$d, weight = 1000, status = OFFLINE_SOFT }
              { hostgroup = 2, host = "127.0.0.1", port = %2$d, weight = 0 }
            ]
            users = [
              { username = "app", password = "app-pass", default-hostgroup = 0 }
              { username = "monitor", password = "monitor-pass", default-hostgroup = 1 }
              { username = "repl", password = "repl-pass", default-hostgroup = 2 }
            ]
            backend.pool.acquire-timeout = 500ms
            """.formatted(cluster.primary().port(), cluster.replicas().get(0).port()));

    private static Map<Integer, Integer> serverIdsOfSessions(String user, String password, int sessions) throws SQLException {
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = 0; i < sessions; i++) {
            try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + fixture.port() + "/", user, password);
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT @@server_id")) {
                rs.next();
                counts.merge(rs.getInt(1), 1, Integer::sum);
            }
        }
        return counts;
    }

    @Test
    void weightsShapeTheShareOfSessions() throws Exception {
        int primaryId = fixture.cluster().primary().serverId();
        int replicaId = fixture.cluster().replicas().get(0).serverId();
        Map<Integer, Integer> counts = serverIdsOfSessions(MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD, 400);
        assertThat(counts.keySet()).containsExactlyInAnyOrder(primaryId, replicaId);
        double replicaShare = counts.get(replicaId) / 400.0;
        assertThat(replicaShare).as("weight 3 of 4 (counts %s)", counts).isBetween(0.65, 0.85);
    }

    @Test
    void offlineSoftServersGetNoNewSessions() throws Exception {
        Map<Integer, Integer> counts = serverIdsOfSessions(MariaDbCluster.MONITOR_USER, MariaDbCluster.MONITOR_PASSWORD, 30);
        assertThat(counts).containsOnlyKeys(fixture.cluster().primary().serverId());
    }

    @Test
    void hostgroupWithoutUsableServerAnswersWithError9001() {
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + fixture.port() + "/",
                MariaDbCluster.REPLICATION_USER, MariaDbCluster.REPLICATION_PASSWORD).close())
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getErrorCode()).isEqualTo(9001);
                    assertThat(e.getMessage()).contains("hostgroup 2");
                });
    }
}
