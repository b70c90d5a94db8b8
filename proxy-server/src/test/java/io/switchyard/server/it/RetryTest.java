package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.launcher.MariaDbServer;
import io.switchyard.testing.Await;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Retries: a read whose backend connection fails before any result reached the client runs
 * again on another server of its hostgroup, so clients reading in a loop see no error when a
 * replica is killed; a write whose fate is unknown is not retried.
 */
class RetryTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(2, cluster -> """
            servers = [
              { hostgroup = 0, host = "127.0.0.1", port = %d },
              { hostgroup = 1, host = "127.0.0.1", port = %d },
              { hostgroup = 1, host = "127.0.0.1", port = %d }
            ]
            users = [ { username = "app", password = "app-pass", default-hostgroup = 1 } ]
            variables { mysql-monitor_enabled = 0 }
            """.formatted(cluster.primary().port(), cluster.replicas().get(0).port(), cluster.replicas().get(1).port()));

    @Test
    void readsSurviveAReplicaKilledUnderThem() throws Exception {
        MariaDbServer victim = fixture.cluster().replicas().get(0);
        int clients = 10;
        LongAdder reads = new LongAdder();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        CountDownLatch warm = new CountDownLatch(clients);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                running.add(pool.submit(() -> {
                    try (Connection c = fixture.mysql("socketTimeout=20000"); Statement s = c.createStatement()) {
                        int n = 0;
                        while (System.nanoTime() < end && n < 100_000) {
                            try (ResultSet rs = s.executeQuery("SELECT @@server_id")) {
                                rs.next();
                            }
                            reads.increment();
                            if (++n == 5) {
                                warm.countDown();
                            }
                        }
                    } catch (Throwable t) {
                        errors.add(t);
                        warm.countDown();
                    }
                    return null;
                }));
            }
            assertThat(warm.await(20, TimeUnit.SECONDS)).isTrue();
            victim.kill();
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            victim.restart();
        }
        assertThat(errors).as("client errors while a replica died").isEmpty();
        assertThat(reads.sum()).isGreaterThan(100);
        assertThat(fixture.proxy().stats().retries()).as("reads retried elsewhere").isPositive();
    }

    @Test
    void aStatementThatMayHaveRunIsNotRetriedUnlessItOnlyReads() throws Exception {
        try (Connection c = fixture.mysql(""); Statement s = c.createStatement();
             ExecutorService killer = Executors.newSingleThreadExecutor()) {
            long retriesBefore = fixture.proxy().stats().retries();
            Future<?> kill = killer.submit(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (System.nanoTime() < deadline) {
                    for (MariaDbServer replica : fixture.cluster().replicas()) {
                        for (var row : replica.query("SELECT id FROM information_schema.processlist WHERE info LIKE 'DO SLEEP%'")) {
                            replica.execute("KILL " + row.get("id"));
                            return null;
                        }
                    }
                    Thread.sleep(20);
                }
                throw new AssertionError("the statement never showed up on a replica");
            });
            SQLException lost = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> s.execute("DO SLEEP(5)"));
            assertThat(lost.getErrorCode()).isEqualTo(9013);
            assertThat(lost.getSQLState()).isEqualTo("08S01");
            assertThat(lost.getMessage()).contains("may or may not have run");
            kill.get(20, TimeUnit.SECONDS);
            assertThat(fixture.proxy().stats().retries()).as("not retried").isEqualTo(retriesBefore);
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }
    /**
     * A session holds its connection after a statement that warned, for a SHOW WARNINGS that may
     * follow. When that connection is lost, the warnings are gone: SHOW WARNINGS gets an error
     * rather than the empty list of a fresh connection, and the session goes on.
     */
    @Test
    void readingTheResultsOfAStatementWhoseConnectionWasLostGetsAnError() throws Exception {
        try (Connection c = fixture.mysql(""); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1/0")) {
                rs.next();
            }
            assertThat(fixture.backendConnectionsInUse()).as("held for the warnings").isEqualTo(1);
            for (MariaDbServer replica : fixture.cluster().replicas()) {
                for (var row : replica.query("SELECT id FROM information_schema.processlist WHERE user = 'app' AND command = 'Sleep'")) {
                    replica.execute("KILL " + row.get("id"));
                }
            }
            Await.until(java.time.Duration.ofSeconds(10), "the proxy sees the held connection closed",
                    () -> fixture.backendConnectionsInUse() == 0);

            SQLException lost = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> s.executeQuery("SHOW WARNINGS"));
            assertThat(lost.getErrorCode()).isEqualTo(9014);
            assertThat(lost.getMessage()).contains("the statement did not run");
            try (ResultSet rs = s.executeQuery("SELECT 2")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
        }
    }
}
