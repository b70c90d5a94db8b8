package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchyard.backend.BackendPool;
import io.switchyard.backend.ServerAddress;
import io.switchyard.backend.ServerState;
import io.switchyard.routing.QueryRule;
import io.switchyard.runtime.RuntimeRows;
import io.switchyard.server.launcher.MariaDbServer;
import io.switchyard.testing.Await;
import io.switchyard.topology.ServerRow;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a server's status and presence in the configuration mean for sessions that multiplex:
 * OFFLINE_SOFT and removal drain a replica (a session pinned to it finishes there, every other
 * statement goes elsewhere, and once the pinned session ends the replica gets no traffic);
 * OFFLINE_HARD closes its connections at once and the pinned session is told with an error;
 * weights shape the share of statements; and a configuration swap never breaks a statement in
 * flight. A primary (hostgroup 0) and two replicas (hostgroup 1) with the read/write split.
 *
 * <p>A session is pinned to a replica by assigning a user variable from an expression in a
 * statement the rules send to the readers ({@code SELECT @pin := @@server_id}); which replica it
 * lands on is random, so each test calls that replica "A" and the other "B".
 */
class OfflineStatusTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.withAdmin(2, cluster -> """
            servers = [
              { hostgroup = 0, host = "127.0.0.1", port = %d, comment = "primary" }
              { hostgroup = 1, host = "127.0.0.1", port = %d, comment = "replica 1" }
              { hostgroup = 1, host = "127.0.0.1", port = %d, comment = "replica 2" }
            ]
            query-rules = [
              { rule-id = 10, match-pattern = "^SELECT.*FOR UPDATE", destination-hostgroup = 0, apply = true }
              { rule-id = 11, match-pattern = "^SELECT", destination-hostgroup = 1, apply = true }
            ]
            """.formatted(cluster.primary().port(), cluster.replicas().get(0).port(), cluster.replicas().get(1).port()));

    private static final Duration DRAIN = Duration.ofSeconds(10);

    static RuntimeRows configured;
    static int primaryId;

    @BeforeAll
    static void remember() {
        configured = fixture.proxy().runtime().current().rows();
        primaryId = fixture.cluster().primary().serverId();
    }

    @AfterEach
    void backToTheConfiguredRows() {
        fixture.proxy().runtime().apply(configured);
    }

    /** One of the two replicas, by the server id a statement reported. */
    private record Replica(int serverId, int port) {
        static Replica withId(int serverId) {
            for (MariaDbServer s : fixture.cluster().replicas()) {
                if (s.serverId() == serverId) {
                    return new Replica(serverId, s.port());
                }
            }
            throw new AssertionError("server id " + serverId + " is not a replica's");
        }

        Replica other() {
            for (MariaDbServer s : fixture.cluster().replicas()) {
                if (s.serverId() != serverId) {
                    return new Replica(s.serverId(), s.port());
                }
            }
            throw new AssertionError("no second replica");
        }

        BackendPool pool() {
            return fixture.proxy().runtime().pool(new ServerAddress("127.0.0.1", port));
        }
    }

    /** Ties {@code c}'s session to the replica its next read lands on, and returns that replica. */
    private static Replica pin(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT @pin := @@server_id")) {
            rs.next();
            return Replica.withId(rs.getInt(1));
        }
    }

    /** The pinned session's variable and the server its statement ran on. */
    private static List<Integer> pinAndServer(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT @pin, @@server_id")) {
            rs.next();
            return List.of(rs.getInt(1), rs.getInt(2));
        }
    }

    private static int serverId(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT @@server_id")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** {@code reads} reads of {@code @@server_id}, spread round-robin over three new clients; counts by server id. */
    private static Map<Integer, Integer> readsFromOtherClients(int reads) throws SQLException {
        Map<Integer, Integer> counts = new HashMap<>();
        try (Connection a = fixture.mysql(""); Connection b = fixture.mariadb(""); Connection c = fixture.mysql("");
             Statement sa = a.createStatement(); Statement sb = b.createStatement(); Statement sc = c.createStatement()) {
            Statement[] clients = {sa, sb, sc};
            for (int i = 0; i < reads; i++) {
                counts.merge(serverId(clients[i % clients.length]), 1, Integer::sum);
            }
        }
        return counts;
    }

    private static void changeServers(UnaryOperator<List<ServerRow>> change) {
        fixture.proxy().runtime().update(rows -> rows.withServers(change.apply(rows.servers())));
    }

    private static void setStatus(Replica replica, ServerState status) {
        changeServers(rows -> rows.stream().map(r -> r.port() != replica.port() ? r
                : new ServerRow(r.hostgroup(), r.host(), r.port(), status, r.weight(), r.compression(), r.maxConnections(),
                r.maxReplicationLag(), r.useSsl(), r.comment())).toList());
    }

    private static void setWeight(Replica replica, int weight) {
        changeServers(rows -> rows.stream().map(r -> r.port() != replica.port() || r.hostgroup() != 1 ? r
                : new ServerRow(r.hostgroup(), r.host(), r.port(), r.status(), weight, r.compression(), r.maxConnections(),
                r.maxReplicationLag(), r.useSsl(), r.comment())).toList());
    }

    @Test
    void offlineSoftLetsThePinnedSessionFinishAndSendsEveryOtherReadElsewhere() throws Exception {
        try (Connection pinned = fixture.mysql("")) {
            Replica a = pin(pinned);
            Replica b = a.other();
            BackendPool poolA = a.pool();
            try (Connection admin = fixture.admin(); Statement s = admin.createStatement()) {
                s.executeUpdate("UPDATE mysql_servers SET status = 'OFFLINE_SOFT' WHERE port = " + a.port());
                s.execute("LOAD MYSQL SERVERS TO RUNTIME");
            }
            assertThat(fixture.proxy().runtime().current().rows().servers())
                    .filteredOn(r -> r.port() == a.port()).extracting(ServerRow::status).containsOnly(ServerState.OFFLINE_SOFT);

            for (int i = 0; i < 20; i++) {
                assertThat(pinAndServer(pinned)).as("the pinned session keeps working on A").containsExactly(a.serverId(), a.serverId());
            }
            assertThat(readsFromOtherClients(300)).as("new reads go to B only").containsOnlyKeys(b.serverId());
            assertThat(poolA.inUse()).as("only the pinned session uses A").isEqualTo(1);

            pinned.close();
            Await.until(DRAIN, () -> "A's connections in use drop to 0 (now " + poolA.inUse() + ")", () -> poolA.inUse() == 0);
            long statementsOnA = poolA.queries();
            assertThat(readsFromOtherClients(300)).containsOnlyKeys(b.serverId());
            assertThat(poolA.inUse()).isZero();
            assertThat(poolA.queries()).as("A got no statement once drained").isEqualTo(statementsOnA);
        } finally {
            try (Connection admin = fixture.admin(); Statement s = admin.createStatement()) {
                s.executeUpdate("UPDATE mysql_servers SET status = 'ONLINE'");
                s.execute("LOAD MYSQL SERVERS TO RUNTIME");
            }
        }
    }

    /** A new session pinned to {@code replica}: sessions are opened until one lands there (at most 40). */
    private static Connection pinnedTo(Replica replica) throws SQLException {
        for (int attempt = 0; attempt < 40; attempt++) {
            Connection c = fixture.mysql("");
            if (pin(c).equals(replica)) {
                return c;
            }
            c.close();
        }
        throw new AssertionError("no session landed on server " + replica.serverId() + " in 40 attempts");
    }

    @Test
    void offlineHardClosesTheServersConnectionsAndOnlineBringsItBack() throws Exception {
        ExecutorService background = Executors.newSingleThreadExecutor();
        try (Connection pinned = fixture.mysql("")) {
            Replica a = pin(pinned);
            Replica b = a.other();
            BackendPool poolA = a.pool();
            Future<Throwable> inFlight;
            try (Connection busy = pinnedTo(a)) {
                inFlight = background.submit(() -> {
                    try (Statement s = busy.createStatement()) {
                        s.executeQuery("SELECT SLEEP(20)").close();
                        return null;
                    } catch (SQLException e) {
                        return e;
                    }
                });
                Await.until(DRAIN, "the long statement runs on A", () -> fixture.cluster().replicas().stream()
                        .filter(r -> r.serverId() == a.serverId()).findFirst().orElseThrow()
                        .query("SELECT COUNT(*) AS n FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP(20)%'")
                        .get(0).get("n").toString().equals("1"));
                long before = System.nanoTime();
                setStatus(a, ServerState.OFFLINE_HARD);
                Await.until(DRAIN, () -> "A's connections are closed (open: " + poolA.total() + ")", () -> poolA.total() == 0);
                assertThat(inFlight.get(10, TimeUnit.SECONDS))
                        .as("the statement in flight fails at once, not after its 20 s, as the connection to a"
                                + " server that went away does: its session's state (the variable) was there")
                        .isInstanceOfSatisfying(SQLException.class, ConnectionLost::assertLost);
                assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(10));
            }

            assertThatThrownBy(() -> pinAndServer(pinned))
                    .as("the idle pinned session's connection is closed: its variable is gone, so it must not run on")
                    .isInstanceOfSatisfying(SQLException.class, ConnectionLost::assertLost);
            assertThat(pinned.isValid(2)).isFalse();

            assertThat(readsFromOtherClients(200)).containsOnlyKeys(b.serverId());
            assertThat(poolA.total()).isZero();

            setStatus(a, ServerState.ONLINE);
            assertThat(readsFromOtherClients(200)).as("A takes reads again").containsOnlyKeys(a.serverId(), b.serverId());
        } finally {
            background.shutdownNow();
        }
    }

    @Test
    void aServerRemovedFromTheConfigurationDrainsLikeOfflineSoftAndMayComeBack() throws Exception {
        try (Connection pinned = fixture.mysql("")) {
            Replica a = pin(pinned);
            Replica b = a.other();
            BackendPool poolA = a.pool();
            changeServers(rows -> rows.stream().filter(r -> r.port() != a.port()).toList());
            assertThat(a.pool()).as("A is no longer configured").isNull();

            for (int i = 0; i < 20; i++) {
                assertThat(pinAndServer(pinned)).containsExactly(a.serverId(), a.serverId());
            }
            assertThat(readsFromOtherClients(300)).containsOnlyKeys(b.serverId());
            assertThat(poolA.inUse()).isEqualTo(1);

            pinned.close();
            Await.until(DRAIN, () -> "A's last connection closes (open: " + poolA.total() + ")", () -> poolA.total() == 0);
            long statementsOnA = poolA.queries();
            assertThat(readsFromOtherClients(200)).containsOnlyKeys(b.serverId());
            assertThat(poolA.queries()).isEqualTo(statementsOnA);
        }
        fixture.proxy().runtime().apply(configured);
        assertThat(readsFromOtherClients(200)).as("A, configured again, takes reads")
                .containsOnlyKeys(fixture.cluster().replicas().stream().map(MariaDbServer::serverId).toArray(Integer[]::new));
    }

    @Test
    void weightsShapeTheShareOfMultiplexedReads() throws Exception {
        Replica light = Replica.withId(fixture.cluster().replicas().get(0).serverId());
        Replica heavy = light.other();
        setWeight(light, 1);
        setWeight(heavy, 3);
        int clients = 4;
        int readsPerClient = 1_000;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Map<Integer, Integer>>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                results.add(pool.submit(() -> {
                    Map<Integer, Integer> counts = new HashMap<>();
                    try (Connection c = fixture.mysql(""); Statement s = c.createStatement()) {
                        for (int n = 0; n < readsPerClient; n++) {
                            counts.merge(serverId(s), 1, Integer::sum);
                        }
                    }
                    return counts;
                }));
            }
            Map<Integer, Integer> total = new HashMap<>();
            for (Future<Map<Integer, Integer>> f : results) {
                f.get(120, TimeUnit.SECONDS).forEach((id, n) -> total.merge(id, n, Integer::sum));
            }
            assertThat(total).containsOnlyKeys(light.serverId(), heavy.serverId());
            double lightShare = total.get(light.serverId()) / (double) (clients * readsPerClient);
            assertThat(lightShare).as("weight 1 of 4 (counts %s)", total).isBetween(0.20, 0.30);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aConfigurationSwapNeverBreaksAStatementInFlight() throws Exception {
        List<QueryRule> readsToThePrimary = List.of(QueryRule.builder(20).matchPattern("^SELECT").destinationHostgroup(0).apply(true).build());
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection c = fixture.mysql("")) {
            for (int round = 0; round < 2; round++) {
                Future<List<Integer>> sleeping = pool.submit(() -> {
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT SLEEP(1), @@server_id")) {
                        rs.next();
                        return List.of(rs.getInt(1), rs.getInt(2));
                    }
                });
                Await.until(DRAIN, "the statement runs on a replica", () -> fixture.cluster().replicas().stream()
                        .anyMatch(r -> Replica.withId(r.serverId()).pool().inUse() == 1));
                Replica running = fixture.cluster().replicas().stream().map(r -> Replica.withId(r.serverId()))
                        .filter(r -> r.pool().inUse() == 1).findFirst().orElseThrow();
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                int swaps = 0;
                while (!sleeping.isDone() && swaps < 40 && System.nanoTime() < deadline) {
                    fixture.proxy().runtime().update(rows -> rows.withRules(readsToThePrimary));
                    changeServers(rows -> rows.stream().filter(r -> r.port() != running.port()).toList());
                    try (Connection other = fixture.mysql(""); Statement s = other.createStatement()) {
                        assertThat(serverId(s)).isEqualTo(primaryId);
                    }
                    fixture.proxy().runtime().apply(configured);
                    swaps++;
                }
                assertThat(swaps).as("the configuration changed while the statement ran").isPositive();
                assertThat(sleeping.get(30, TimeUnit.SECONDS)).as("the statement completed normally")
                        .containsExactly(0, running.serverId());
                try (Statement s = c.createStatement()) {
                    assertThat(fixture.cluster().replicas().stream().map(MariaDbServer::serverId).toList()).contains(serverId(s));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
