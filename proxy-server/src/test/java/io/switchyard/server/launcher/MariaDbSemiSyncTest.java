package io.switchyard.server.launcher;

import io.switchyard.testing.Await;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A semi-sync cluster acknowledges commits from its replicas, and any replica can take over. */
class MariaDbSemiSyncTest {
    private static final Duration QUICK = Duration.ofSeconds(5);

    @Test
    void semiSyncPrimaryIsOnOnceReplicasConnectAndReplicasApplyWithoutWaiting() {
        try (MariaDbCluster cluster = MariaDbCluster.builder().replicas(2).semiSync(true).start()) {
            MariaDbServer primary = cluster.primary();
            awaitSemiSyncClients(primary, 2);

            primary.execute("CREATE TABLE app.acked (id INT PRIMARY KEY)", "INSERT INTO app.acked VALUES (1)");
            cluster.awaitReplicaCatchUp(QUICK);

            Map<String, String> status = status(primary);
            assertThat(status).containsEntry("Rpl_semi_sync_master_status", "ON");
            assertThat(Long.parseLong(status.get("Rpl_semi_sync_master_yes_tx"))).isEqualTo(2);
            assertThat(Long.parseLong(status.get("Rpl_semi_sync_master_no_tx"))).isZero();
            assertThat(primary.queryString("SELECT @@rpl_semi_sync_master_wait_point")).isEqualTo("AFTER_SYNC");
            assertThat(cluster.replicas()).allSatisfy(replica -> {
                assertThat(status(replica)).containsEntry("Rpl_semi_sync_slave_status", "ON");
                assertThat(replica.queryString("SELECT COUNT(*) FROM app.acked")).isEqualTo("1");
            });
        }
    }

    @Test
    void promotedReplicaBecomesASemiSyncPrimaryForTheRepointedReplica() {
        try (MariaDbCluster cluster = MariaDbCluster.builder().replicas(2).semiSync(true).start()) {
            MariaDbServer newPrimary = cluster.server(1);
            MariaDbServer follower = cluster.server(2);
            cluster.primary().execute("CREATE TABLE app.acked (id INT PRIMARY KEY)");
            cluster.awaitReplicaCatchUp(QUICK);

            cluster.primary().kill();
            newPrimary.promote();
            follower.repointTo(newPrimary);
            awaitSemiSyncClients(newPrimary, 1);
            newPrimary.execute("INSERT INTO app.acked VALUES (1)");

            assertThat(status(newPrimary)).containsEntry("Rpl_semi_sync_master_status", "ON")
                    .containsEntry("Rpl_semi_sync_master_yes_tx", "1");
            cluster.awaitReplicaCatchUp(QUICK);
            assertThat(follower.queryString("SELECT COUNT(*) FROM app.acked")).isEqualTo("1");
        }
    }

    private static void awaitSemiSyncClients(MariaDbServer primary, int clients) {
        Await.until(QUICK, clients + " semi-sync replicas connected to " + primary,
                () -> String.valueOf(clients).equals(status(primary).get("Rpl_semi_sync_master_clients")));
    }

    private static Map<String, String> status(MariaDbServer server) {
        return server.query("SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync%'").stream().collect(Collectors.toMap(
                row -> (String) row.get("Variable_name"), row -> String.valueOf(row.get("Value"))));
    }
}
