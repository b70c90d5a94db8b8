package io.switchyard.server.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Failures an operator or the kernel inflicts on servers: kill, pause, promotion. */
class MariaDbServerFailureTest {
    private static final Duration CATCH_UP = Duration.ofSeconds(15);
    private static MariaDbCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = MariaDbCluster.builder().replicas(2).start();
        cluster.primary().execute("CREATE TABLE app.events (id INT PRIMARY KEY)");
    }

    @AfterAll
    static void closeCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void killedReplicaRestartsOnItsPortAndCatchesUp() {
        MariaDbServer replica = cluster.server(1);
        int port = replica.port();
        long pid = replica.pid();

        replica.kill();
        assertThat(replica.isRunning()).isFalse();
        cluster.primary().execute("INSERT INTO app.events VALUES (1)");
        replica.restart();

        assertThat(replica.isRunning()).isTrue();
        assertThat(replica.port()).isEqualTo(port);
        assertThat(replica.pid()).isNotEqualTo(pid);
        cluster.awaitReplicaCatchUp(CATCH_UP);
        assertThat(replica.queryString("SELECT COUNT(*) FROM app.events WHERE id = 1")).isEqualTo("1");
        assertThat(replica.queryString("SELECT @@read_only")).isEqualTo("1");
    }

    @Test
    void pausedReplicaAnswersNothingUntilResumedThenCatchesUp() {
        MariaDbServer replica = cluster.server(2);

        replica.pause();
        try {
            assertThat(replica.isRunning()).isTrue();
            assertThat(replica.isPaused()).isTrue();
            cluster.primary().execute("INSERT INTO app.events VALUES (2)");
            assertThatThrownBy(() -> DriverManager.getConnection(replica.mariaDbJdbcUrl(null)
                            + "?connectTimeout=300&socketTimeout=300",
                    MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD).close())
                    .isInstanceOf(SQLException.class);
        } finally {
            replica.resume();
        }

        assertThat(replica.isPaused()).isFalse();
        cluster.awaitReplicaCatchUp(CATCH_UP);
        assertThat(replica.queryString("SELECT COUNT(*) FROM app.events WHERE id = 2")).isEqualTo("1");
    }

    @Test
    void promotedReplicaTakesWritesThatReachTheRepointedReplica() {
        try (MariaDbCluster failover = MariaDbCluster.builder().replicas(2).start()) {
            MariaDbServer oldPrimary = failover.primary();
            MariaDbServer newPrimary = failover.server(1);
            MariaDbServer follower = failover.server(2);
            oldPrimary.execute("CREATE TABLE app.orders (id INT PRIMARY KEY)", "INSERT INTO app.orders VALUES (1)");
            failover.awaitReplicaCatchUp(CATCH_UP);

            oldPrimary.kill();
            newPrimary.promote();
            follower.repointTo(newPrimary);
            newPrimary.execute("INSERT INTO app.orders VALUES (2)");

            assertThat(failover.primary()).isSameAs(newPrimary);
            assertThat(failover.replicas()).containsExactly(follower);
            assertThat(newPrimary.queryString("SELECT @@read_only")).isEqualTo("0");
            assertThat(newPrimary.query("SHOW SLAVE STATUS")).isEmpty();
            failover.awaitReplicaCatchUp(CATCH_UP);
            assertThat(follower.queryString("SELECT GROUP_CONCAT(id ORDER BY id) FROM app.orders")).isEqualTo("1,2");
            assertThat(follower.queryString("SELECT @@read_only")).isEqualTo("1");
        }
    }
}
