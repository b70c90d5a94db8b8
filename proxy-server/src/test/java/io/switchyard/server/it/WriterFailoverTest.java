package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.backend.ServerAddress;
import io.switchyard.monitor.Monitor;
import io.switchyard.server.launcher.MariaDbServer;
import io.switchyard.testing.Await;
import io.switchyard.topology.HostgroupServer;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Failover in a replication hostgroup pair with no operator action: when the primary dies and a
 * replica is promoted (read_only=0), the monitor makes it the writer; when the old primary comes
 * back writable, it is fenced instead of becoming a second writer, until it turns read-only.
 */
class WriterFailoverTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(2, cluster -> """
            servers = [
              { hostgroup = 0, host = "127.0.0.1", port = %d, comment = "primary" }
              { hostgroup = 1, host = "127.0.0.1", port = %d, comment = "replica 1" }
              { hostgroup = 1, host = "127.0.0.1", port = %d, comment = "replica 2" }
            ]
            replication-hostgroups = [ { writer-hostgroup = 0, reader-hostgroup = 1, check-type = read_only } ]
            query-rules = [ { rule-id = 1, match-pattern = "^SELECT", destination-hostgroup = 1, apply = true } ]
            variables {
              mysql-monitor_username = "monitor"
              mysql-monitor_password = "monitor-pass"
              mysql-monitor_writer_is_also_reader = false
              mysql-shun_recovery_time_sec = 1
            }
            """.formatted(cluster.primary().port(), cluster.replicas().get(0).port(), cluster.replicas().get(1).port()));

    private static ServerAddress address(MariaDbServer server) {
        return new ServerAddress(server.host(), server.port());
    }

    private static List<ServerAddress> hostgroup(int id) {
        return fixture.proxy().topology().servers(id).stream().map(HostgroupServer::address).toList();
    }

    @Test
    void promotedReplicaBecomesTheWriterAndTheOldPrimaryIsFencedWhenItReturnsWritable() throws Exception {
        MariaDbServer oldPrimary = fixture.cluster().primary();
        MariaDbServer promoted = fixture.cluster().replicas().get(0);
        MariaDbServer otherReplica = fixture.cluster().replicas().get(1);
        Monitor monitor = fixture.proxy().monitor();
        fixture.cluster().primary().execute("CREATE TABLE app.failover (id INT PRIMARY KEY, at VARCHAR(20))");
        fixture.cluster().awaitReplicaCatchUp(Duration.ofSeconds(10));
        Await.until(Duration.ofSeconds(10), "the primary is the confirmed writer",
                () -> Boolean.FALSE.equals(fixture.proxy().runtime().pool(address(oldPrimary)).health().readOnly()));

        oldPrimary.kill();
        promoted.promote();
        otherReplica.repointTo(promoted);

        Await.until(Duration.ofSeconds(5), () -> "the promoted replica is the only writer (hostgroup 0: " + hostgroup(0) + ")",
                () -> hostgroup(0).equals(List.of(address(promoted))));
        assertThat(hostgroup(1)).containsExactly(address(otherReplica));
        try (Connection c = fixture.mysql("socketTimeout=10000"); Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("INSERT INTO failover VALUES (1, 'after')")).isEqualTo(1);
        }
        assertThat(promoted.queryString("SELECT at FROM app.failover WHERE id = 1")).isEqualTo("after");

        long conflictsBefore = monitor.writerConflicts();
        oldPrimary.restart();
        assertThat(oldPrimary.queryString("SELECT @@global.read_only")).isEqualTo("0");
        Await.until(Duration.ofSeconds(10), "the returning writable primary counts as a writer conflict",
                () -> monitor.writerConflicts() > conflictsBefore);
        assertThat(fixture.proxy().runtime().pool(address(oldPrimary)).health().fenced()).isTrue();
        assertThat(hostgroup(0)).containsExactly(address(promoted));
        assertThat(hostgroup(1)).doesNotContain(address(oldPrimary));

        oldPrimary.repointTo(promoted);
        Await.until(Duration.ofSeconds(10), () -> "the old primary, now read-only, joins the readers (hostgroup 1: " + hostgroup(1) + ")",
                () -> hostgroup(1).contains(address(oldPrimary)));
        assertThat(hostgroup(0)).containsExactly(address(promoted));
    }
}
