package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.backend.ServerAddress;
import io.switchyard.backend.ServerState;
import io.switchyard.monitor.ConnectLogRow;
import io.switchyard.monitor.Monitor;
import io.switchyard.monitor.PingLogRow;
import io.switchyard.monitor.ReadOnlyLogRow;
import io.switchyard.monitor.ReplicationLagLogRow;
import io.switchyard.runtime.GlobalVariables;
import io.switchyard.server.launcher.MariaDbServer;
import io.switchyard.testing.Await;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The health monitor against a real primary and two replicas paired by
 * {@code mysql_replication_hostgroups} (writer 0, readers 1, reads routed to the readers):
 * killed and frozen replicas are shunned and come back, a replica whose replication stops is
 * shunned for lag and rejoins, reads fall back to the writer, every check keeps its log, and
 * {@code KILL QUERY} runs out of band. Ping timing is left at its defaults.
 */
class MonitorTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(2, cluster -> """
            servers = [
              { hostgroup = 0, host = "127.0.0.1", port = %d, comment = "primary" }
              { hostgroup = 1, host = "127.0.0.1", port = %d, max-replication-lag = 5, comment = "replica 1" }
              { hostgroup = 1, host = "127.0.0.1", port = %d, max-replication-lag = 5, comment = "replica 2" }
            ]
            replication-hostgroups = [ { writer-hostgroup = 0, reader-hostgroup = 1, check-type = read_only } ]
            query-rules = [
              { rule-id = 1, match-pattern = "^SELECT.*FOR UPDATE", destination-hostgroup = 0, apply = true }
              { rule-id = 2, match-pattern = "^SELECT", destination-hostgroup = 1, apply = true }
            ]
            variables {
              mysql-monitor_username = "monitor"
              mysql-monitor_password = "monitor-pass"
              mysql-monitor_writer_is_also_reader = false
              mysql-monitor_replication_lag_interval = 500
              mysql-shun_recovery_time_sec = 1
            }
            """.formatted(cluster.primary().port(), cluster.replicas().get(0).port(), cluster.replicas().get(1).port()));

    private static ServerAddress address(MariaDbServer server) {
        return new ServerAddress(server.host(), server.port());
    }

    private static ServerState status(MariaDbServer server) {
        return fixture.proxy().runtime().pool(address(server)).health().status();
    }

    private static MariaDbServer replica(int i) {
        return fixture.cluster().replicas().get(i);
    }

    private static void awaitStatus(MariaDbServer server, ServerState expected, Duration within) {
        Await.until(within, () -> server + " is " + expected + " (now " + status(server) + ")", () -> status(server) == expected);
    }

    private static int readServerId() throws SQLException {
        try (Connection c = fixture.mysql("socketTimeout=5000"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT @@server_id")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Each test leaves every server running, replicating and ONLINE for the next. */
    @AfterEach
    void everyServerOnline() {
        for (MariaDbServer server : fixture.cluster().servers()) {
            awaitStatus(server, ServerState.ONLINE, Duration.ofSeconds(30));
        }
    }

    @Test
    void everyCheckKeepsItsLog() {
        Monitor monitor = fixture.proxy().monitor();
        Set<ServerAddress> all = new HashSet<>();
        fixture.cluster().servers().forEach(s -> all.add(address(s)));
        Await.until(Duration.ofSeconds(10), "every server has a successful row in every log", () ->
                all.equals(successes(monitor.connectLog().stream().filter(r -> r.connectError() == null)
                        .map(r -> new ServerAddress(r.hostname(), r.port())).toList()))
                && all.equals(successes(monitor.pingLog().stream().filter(r -> r.pingError() == null)
                        .map(r -> new ServerAddress(r.hostname(), r.port())).toList()))
                && all.equals(successes(monitor.readOnlyLog().stream().filter(r -> r.error() == null)
                        .map(r -> new ServerAddress(r.hostname(), r.port())).toList()))
                && successes(monitor.replicationLagLog().stream().filter(r -> r.replLag() != null)
                        .map(r -> new ServerAddress(r.hostname(), r.port())).toList())
                        .equals(Set.of(address(replica(0)), address(replica(1)))));

        ConnectLogRow connect = monitor.connectLog().getLast();
        assertThat(connect.timeStartUs()).isPositive();
        PingLogRow ping = monitor.pingLog().stream().filter(r -> r.pingError() == null).findFirst().orElseThrow();
        assertThat(ping.pingSuccessTimeUs()).isPositive();
        assertThat(monitor.readOnlyLog()).filteredOn(r -> r.port() == fixture.cluster().primary().port() && r.error() == null)
                .extracting(ReadOnlyLogRow::readOnly).contains(0);
        assertThat(monitor.readOnlyLog()).filteredOn(r -> r.port() == replica(0).port() && r.error() == null)
                .extracting(ReadOnlyLogRow::readOnly).contains(1);
        assertThat(monitor.replicationLagLog()).filteredOn(r -> r.port() == replica(0).port())
                .extracting(ReplicationLagLogRow::replLag).contains(0L);
        assertThat(fixture.proxy().runtime().pool(address(replica(0))).health().pingLatencyMicros()).isPositive();
    }

    private static Set<ServerAddress> successes(List<ServerAddress> addresses) {
        return new HashSet<>(addresses);
    }

    @Test
    void killedReplicaIsShunnedWithinTwoSecondsAndReturnsAfterRestart() throws Exception {
        MariaDbServer victim = replica(0);
        int survivorId = replica(1).serverId();
        try (ReadLoad load = new ReadLoad(fixture, 20)) {
            Await.until(Duration.ofSeconds(10), "reads reach both replicas",
                    () -> load.readsFrom(victim.serverId()) > 0 && load.readsFrom(survivorId) > 0);

            long errorsBefore = load.errors();
            victim.kill();
            awaitStatus(victim, ServerState.SHUNNED, Duration.ofSeconds(2));

            long servedBySurvivor = load.readsFrom(survivorId);
            Await.until(Duration.ofSeconds(10), "reads continue on the other replica",
                    () -> load.readsFrom(survivorId) > servedBySurvivor + 100);

            assertThat(load.errors() - errorsBefore).as("client errors while the replica died (reads are retried)").isZero();
            victim.restart();
            awaitStatus(victim, ServerState.ONLINE, Duration.ofSeconds(20));
            long servedByVictim = load.readsFrom(victim.serverId());
            long servedBySurvivorNow = load.readsFrom(survivorId);
            Await.until(Duration.ofSeconds(10), () -> "reads reach the restarted replica again (victim " + load.readsFrom(victim.serverId())
                            + ", survivor " + (load.readsFrom(survivorId) - servedBySurvivorNow) + " more, errors " + load.errors()
                            + ", hostgroup 1 " + fixture.proxy().topology().servers(1) + ")",
                    () -> load.readsFrom(victim.serverId()) > servedByVictim);
        }
    }

    @Test
    void killedReplicaWithoutTrafficIsShunnedByPingsWithinTwoSeconds() {
        MariaDbServer victim = replica(1);
        victim.kill();
        awaitStatus(victim, ServerState.SHUNNED, Duration.ofSeconds(2));
        assertThat(fixture.proxy().monitor().pingLog()).filteredOn(r -> r.port() == victim.port())
                .last().extracting(PingLogRow::pingError).isNotNull();

        victim.restart();
        awaitStatus(victim, ServerState.ONLINE, Duration.ofSeconds(20));
    }

    @Test
    void aReadWaitingOnAFrozenReplicaIsRetriedOnTheOtherInsteadOfHanging() throws Exception {
        try (Connection c = fixture.mysql("socketTimeout=30000"); Statement s = c.createStatement();
             ExecutorService pool = Executors.newSingleThreadExecutor()) {
            java.util.concurrent.Future<Integer> read = pool.submit(() -> {
                try (ResultSet rs = s.executeQuery("SELECT SLEEP(2), @@server_id")) {
                    rs.next();
                    return rs.getInt(2);
                }
            });
            MariaDbServer running = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (running == null && System.nanoTime() < deadline) {
                for (MariaDbServer r : fixture.cluster().replicas()) {
                    if (!r.query("SELECT id FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP(2)%'").isEmpty()) {
                        running = r;
                    }
                }
                if (running == null) {
                    Thread.sleep(20);
                }
            }
            assertThat(running).as("the read runs on a replica").isNotNull();
            MariaDbServer other = running == replica(0) ? replica(1) : replica(0);
            long started = System.nanoTime();
            running.pause();
            try {
                assertThat(read.get(20, TimeUnit.SECONDS)).as("answered by the other replica").isEqualTo(other.serverId());
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            } finally {
                running.resume();
            }
            awaitStatus(running, ServerState.ONLINE, Duration.ofSeconds(10));
        }
    }

    @Test
    void pausedReplicaIsShunnedWithinThePingBudgetAndReadsContinueOnTheOther() throws Exception {
        MariaDbServer victim = replica(1);
        GlobalVariables v = fixture.proxy().runtime().current().variables();
        long pingBudgetMillis = v.intValue("mysql-monitor_ping_interval")
                + (long) v.intValue("mysql-monitor_ping_max_failures") * v.intValue("mysql-monitor_ping_timeout");
        long schedulingSlackMillis = 1_000;
        victim.pause();
        try {
            awaitStatus(victim, ServerState.SHUNNED, Duration.ofMillis(pingBudgetMillis + schedulingSlackMillis));
            for (int i = 0; i < 20; i++) {
                assertThat(readServerId()).isEqualTo(replica(0).serverId());
            }
        } finally {
            victim.resume();
        }
        awaitStatus(victim, ServerState.ONLINE, Duration.ofSeconds(10));
    }

    @Test
    void replicaWithStoppedReplicationIsShunnedForLagAndRejoinsWhenItCatchesUp() throws Exception {
        MariaDbServer lagging = replica(0);
        lagging.execute("STOP SLAVE SQL_THREAD");
        try {
            awaitStatus(lagging, ServerState.SHUNNED_REPLICATION_LAG, Duration.ofSeconds(5));
            fixture.cluster().primary().execute("CREATE TABLE IF NOT EXISTS app.lag_probe (id INT PRIMARY KEY)",
                    "REPLACE INTO app.lag_probe VALUES (1)");
            for (int i = 0; i < 20; i++) {
                assertThat(readServerId()).isEqualTo(replica(1).serverId());
            }
        } finally {
            lagging.execute("START SLAVE");
        }
        awaitStatus(lagging, ServerState.ONLINE, Duration.ofSeconds(10));
        fixture.cluster().awaitReplicaCatchUp(Duration.ofSeconds(10));
    }

    @Test
    void readsFallBackToTheWriterWhenNoReaderIsUsable() throws Exception {
        for (int i = 0; i < 2; i++) {
            replica(i).execute("STOP SLAVE");
        }
        try {
            awaitStatus(replica(0), ServerState.SHUNNED_REPLICATION_LAG, Duration.ofSeconds(5));
            awaitStatus(replica(1), ServerState.SHUNNED_REPLICATION_LAG, Duration.ofSeconds(5));
            assertThat(readServerId()).isEqualTo(fixture.cluster().primary().serverId());
        } finally {
            for (int i = 0; i < 2; i++) {
                replica(i).execute("START SLAVE");
            }
        }
    }

    @Test
    void killQueryStopsARunningStatement() throws Exception {
        MariaDbServer server = fixture.cluster().primary();
        ExecutorService client = Executors.newSingleThreadExecutor();
        try (Connection c = server.connect("app", "app-pass"); Statement s = c.createStatement()) {
            long threadId;
            try (ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
                rs.next();
                threadId = rs.getLong(1);
            }
            CompletableFuture<String> sleeping = CompletableFuture.supplyAsync(() -> {
                try (ResultSet rs = s.executeQuery("SELECT SLEEP(30)")) {
                    rs.next();
                    return "returned " + rs.getLong(1);
                } catch (SQLException e) {
                    return "failed with " + e.getErrorCode();
                }
            }, client);
            String running = "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = " + threadId
                    + " AND INFO LIKE 'SELECT SLEEP%'";
            Await.until(Duration.ofSeconds(5), "SELECT SLEEP(30) shows in the process list", () -> "1".equals(server.queryString(running)));

            fixture.proxy().monitor().killQuery(address(server), threadId).get(5, TimeUnit.SECONDS);

            assertThat(sleeping.get(5, TimeUnit.SECONDS)).as("MariaDB ends a killed SLEEP with 1317 (interrupted)")
                    .isEqualTo("failed with 1317");
            assertThat(server.queryString(running)).isEqualTo("0");
        } finally {
            client.shutdownNow();
            assertThat(client.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void killQueryOfAnUnknownServerFails() {
        CompletableFuture<Void> kill = fixture.proxy().monitor().killQuery(new ServerAddress("127.0.0.1", 1), 1);
        assertThat(kill).isCompletedExceptionally();
    }
}
