package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.backend.ServerAddress;
import io.switchyard.server.Daemon;
import io.switchyard.server.config.ConfigLoader;
import io.switchyard.server.launcher.MariaDbCluster;
import io.switchyard.server.launcher.MariaDbServer;
import io.switchyard.testing.Await;
import io.switchyard.topology.HostgroupServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Fleet mode against a real ZooKeeper (Curator's in-process {@link TestingServer}): three
 * proxies, each the whole daemon with its own admin port and data directory, in front of one
 * semi-synchronous MariaDB primary and its replica. A change loaded on one node is in force on
 * the others within a second; two nodes loading at once never both win; after a failover every
 * node follows the one elected writer; ZooKeeper's absence stops admin changes but no client;
 * and a node that dies leaves the fleet. The last test, a failover, changes the cluster.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetTest {
    private static final String FLEET = "test";
    private static final long SESSION_TIMEOUT_MILLIS = 4_000;

    private static MariaDbCluster cluster;
    private static TestingServer zookeeper;
    private static final List<Node> nodes = new ArrayList<>();

    /** One proxy of the fleet. */
    private static final class Node implements AutoCloseable {
        final String name;
        final Path dataDir;
        final String hocon;
        Daemon daemon;

        Node(String name) throws Exception {
            this.name = name;
            this.dataDir = Files.createTempDirectory("switchyard-fleet-" + name);
            this.hocon = hocon(name, zookeeper.getConnectString(), 0);
        }

        void start() {
            String text = hocon;
            daemon = Daemon.start(ConfigLoader.fromString(text), dataDir, false, () -> ConfigLoader.fromString(text).rows());
        }

        Connection admin() throws SQLException {
            return DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + daemon.admin().port()
                    + "/?sslMode=DISABLED&connectTimeout=5000&socketTimeout=30000&allowPublicKeyRetrieval=true", "admin", "admin");
        }

        Connection mysql() throws SQLException {
            return DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + daemon.proxy().port()
                            + "/app?sslMode=DISABLED&connectTimeout=5000&socketTimeout=30000&allowPublicKeyRetrieval=true",
                    MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
        }

        List<ServerAddress> writers() {
            return daemon.proxy().topology().servers(0).stream().map(HostgroupServer::address).toList();
        }

        /** The servers of writer hostgroup 0 that take statements (a dead server the node never saw answer stays there, shunned). */
        List<ServerAddress> usableWriters() {
            return daemon.proxy().topology().servers(0).stream()
                    .filter(s -> s.effectiveState() == io.switchyard.backend.ServerState.ONLINE).map(HostgroupServer::address).toList();
        }

        String variable(String name) {
            return daemon.proxy().runtime().current().variables().get(name);
        }

        @Override
        public void close() {
            if (daemon != null) {
                daemon.close();
                daemon = null;
            }
            try (var paths = Files.walk(dataDir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (java.io.IOException e) {
                // a temporary directory
            }
        }
    }

    private static String hocon(String name, String connect, int frontendPort) {
        return """
                switchyard {
                  admin { port = 0 }
                  frontend { bind = "127.0.0.1", port = %d }
                  metrics { port = 0 }
                  users = [ { username = "%s", password = "%s", default-hostgroup = 0 } ]
                  %s
                  %s
                  fleet { zookeeper = "%s", name = "%s", node-name = "%s", session-timeout = %dms, connect-timeout = 5s }
                }
                """.formatted(frontendPort, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD, ProxyFixture.pairedServers(cluster),
                ProxyFixture.failoverVariables("  mysql-monitor_username = \"" + MariaDbCluster.MONITOR_USER + "\"\n"
                        + "  mysql-monitor_password = \"" + MariaDbCluster.MONITOR_PASSWORD + "\"\n"),
                connect, FLEET, name, SESSION_TIMEOUT_MILLIS);
    }

    @BeforeAll
    static void start() throws Exception {
        cluster = MariaDbCluster.builder().replicas(1).semiSync(true).start();
        try {
            zookeeper = new TestingServer(true);
            for (String name : List.of("node-a", "node-b", "node-c")) {
                Node n = new Node(name);
                nodes.add(n);
                n.start();
            }
            MariaDbServer primary = cluster.primary();
            primary.execute("CREATE TABLE app.fleet_writes (id BIGINT PRIMARY KEY, node VARCHAR(10), server_id INT)");
            cluster.awaitReplicaCatchUp(Duration.ofSeconds(10));
            ServerAddress writer = new ServerAddress(primary.host(), primary.port());
            for (Node n : nodes) {
                Await.until(Duration.ofSeconds(10), n.name + " has the primary as its writer", () -> n.writers().equals(List.of(writer)));
            }
        } catch (Exception | Error e) {
            stop();
            throw e;
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (Node n : nodes) {
            n.close();
        }
        nodes.clear();
        if (zookeeper != null) {
            zookeeper.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Node node(int i) {
        return nodes.get(i);
    }

    private static String one(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static void admin(Node n, String... sql) throws SQLException {
        try (Connection c = n.admin(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    /**
     * Waits until every node runs {@code value} for {@code variable} and its admin memory layer
     * shows it too. A node writes the fleet's change to its memory layer after putting it in
     * force, and an edit made there before that is refused once (9105), as it should be; a test
     * that edits next starts after this wait.
     */
    private static void settled(String variable, String value) {
        for (Node n : nodes) {
            Await.until(Duration.ofSeconds(10), () -> n.name + " runs and shows " + variable + " = " + value, () -> {
                if (!value.equals(n.variable(variable))) {
                    return false;
                }
                try (Connection c = n.admin()) {
                    return value.equals(one(c, "SELECT variable_value FROM global_variables WHERE variable_name = '" + variable + "'"));
                } catch (SQLException e) {
                    return false;
                }
            });
        }
    }
    @Test
    @Order(1)
    void aRuleLoadedOnOneNodeRoutesOnTheOthersWithinASecond() throws Exception {
        String replicaId = String.valueOf(cluster.replicas().get(0).serverId());
        try (Connection b = node(1).mysql(); Connection c = node(2).mysql()) {
            assertThat(one(b, "SELECT @@server_id")).as("before the rule").isEqualTo(String.valueOf(cluster.primary().serverId()));
            admin(node(0), "INSERT INTO mysql_query_rules (rule_id, active, match_digest, destination_hostgroup, apply)"
                    + " VALUES (50, 1, '^SELECT @@server_id', 1, 1)", "LOAD MYSQL QUERY RULES TO RUNTIME");
            long loaded = System.nanoTime();
            Await.until(Duration.ofSeconds(1), "node-b routes by the rule loaded on node-a", () -> replicaId.equals(query(b)));
            Await.until(Duration.ofSeconds(1), "node-c routes by the rule loaded on node-a", () -> replicaId.equals(query(c)));
            System.out.printf("fleet: a rule loaded on node-a routed on node-b and node-c after %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - loaded));
        }
        try (Connection adminB = node(1).admin()) {
            assertThat(one(adminB, "SELECT COUNT(*) FROM mysql_query_rules WHERE rule_id = 50")).as("node-b's memory layer").isEqualTo("1");
            assertThat(one(adminB, "SELECT COUNT(*) FROM disk.mysql_query_rules WHERE rule_id = 50")).as("node-b's disk layer")
                    .isEqualTo("1");
            assertThat(one(adminB, "SELECT COUNT(*) FROM runtime_mysql_query_rules WHERE rule_id = 50")).isEqualTo("1");
        }
        try (Connection adminC = node(2).admin()) {
            Await.until(Duration.ofSeconds(10), "every node registered the same configuration version", () -> {
                try {
                    return one(adminC, "SELECT COUNT(*) FROM stats_fleet_nodes").equals("3")
                            && one(adminC, "SELECT COUNT(DISTINCT config_version) FROM stats_fleet_nodes").equals("1");
                } catch (SQLException e) {
                    return false;
                }
            });
            assertThat(one(adminC, "SELECT Variable_Value FROM stats_mysql_global WHERE Variable_Name = 'Fleet_connected'")).isEqualTo("1");
        }
        String metrics = new String(new java.net.URI("http://127.0.0.1:" + node(2).daemon.proxy().metrics().orElseThrow().port()
                + "/metrics").toURL().openStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(metrics).contains("switchyard_fleet_connected 1.0", "switchyard_fleet_nodes 3.0",
                "switchyard_fleet_node_config_version{node=\"node-a\"}");
        String console = new String(new java.net.URI("http://127.0.0.1:" + node(2).daemon.proxy().metrics().orElseThrow().port()
                + "/api/console").toURL().openStream().readAllBytes(), StandardCharsets.UTF_8);
        com.typesafe.config.Config fleet = com.typesafe.config.ConfigFactory.parseString(console).getConfig("fleet");
        assertThat(fleet.getString("node")).as("the console's fleet section").isEqualTo("node-c");
        assertThat(fleet.getBoolean("connected")).isTrue();
        assertThat(fleet.getConfigList("nodes")).extracting(n -> n.getString("name")).containsExactly("node-a", "node-b", "node-c");
        assertThat(fleet.getConfigList("nodes")).filteredOn(n -> n.getBoolean("self")).extracting(n -> n.getString("name"))
                .containsExactly("node-c");

        admin(node(1), "DELETE FROM mysql_query_rules WHERE rule_id = 50", "LOAD MYSQL QUERY RULES TO RUNTIME");
        try (Connection a = node(0).mysql()) {
            String primaryId = String.valueOf(cluster.primary().serverId());
            Await.until(Duration.ofSeconds(1), "node-a follows node-b's removal", () -> primaryId.equals(query(a)));
        }
    }

    private static String query(Connection c) {
        try {
            return one(c, "SELECT @@server_id");
        } catch (SQLException e) {
            return e.toString();
        }
    }

    @Test
    @Order(2)
    void passwordsTravelAsHashesAndSecretsStayOnEachNode() throws Exception {
        try (CuratorFramework client = CuratorFrameworkFactory.newClient(zookeeper.getConnectString(), new RetryOneTime(100))) {
            client.start();
            String doc = new String(client.getData().forPath("/switchyard/" + FLEET + "/config"), StandardCharsets.UTF_8);
            assertThat(doc).contains("mysql_query_rules", "\"username\":\"" + MariaDbCluster.APP_USER + "\"", "\"password\":\"*")
                    .doesNotContain(MariaDbCluster.APP_PASSWORD, MariaDbCluster.MONITOR_PASSWORD, "mysql-monitor_password");
        }
        assertThat(node(1).variable("mysql-monitor_password")).as("each node keeps its own").isEqualTo(MariaDbCluster.MONITOR_PASSWORD);
        try (Connection c = node(1).mysql()) {
            assertThat(one(c, "SELECT 1")).as("clients log in with the hashed password").isEqualTo("1");
        }
    }

    @Test
    @Order(3)
    void twoNodesLoadingAtOnceNeverBothWinAndNothingIsMixed() throws Exception {
        String variable = "mysql-default_query_timeout";
        int trials = 100;
        int[] wins = new int[2];
        try (Connection adminA = node(0).admin(); Connection adminB = node(1).admin();
             ExecutorService pool = Executors.newFixedThreadPool(2)) {
            List<Connection> admins = List.of(adminA, adminB);
            for (int trial = 0; trial < trials; trial++) {
                String[] values = {String.valueOf(100_000 + 2 * trial), String.valueOf(100_001 + 2 * trial)};
                for (int i = 0; i < 2; i++) {
                    try (Statement s = admins.get(i).createStatement()) {
                        s.executeUpdate("UPDATE global_variables SET variable_value = '" + values[i] + "' WHERE variable_name = '"
                                + variable + "'");
                    }
                }
                CyclicBarrier together = new CyclicBarrier(2);
                List<Future<SQLException>> loads = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    Connection admin = admins.get(i);
                    loads.add(pool.submit(() -> {
                        together.await(10, TimeUnit.SECONDS);
                        try (Statement s = admin.createStatement()) {
                            s.execute("LOAD MYSQL VARIABLES TO RUNTIME");
                            return null;
                        } catch (SQLException e) {
                            return e;
                        }
                    }));
                }
                SQLException[] outcome = {loads.get(0).get(30, TimeUnit.SECONDS), loads.get(1).get(30, TimeUnit.SECONDS)};
                assertThat(outcome[0] == null ^ outcome[1] == null).as("trial %d: exactly one load wins (%s, %s)", trial, outcome[0],
                        outcome[1]).isTrue();
                int winner = outcome[0] == null ? 0 : 1;
                SQLException lost = outcome[1 - winner];
                wins[winner]++;
                assertThat(lost.getErrorCode()).as("trial %d: %s", trial, lost.getMessage()).isIn(9103, 9105);
                assertThat(lost.getMessage()).contains("written by " + node(winner).name);
                for (Node n : nodes) {
                    Await.until(Duration.ofSeconds(5), () -> n.name + " runs the winner's value " + values[winner] + ", not "
                            + n.variable(variable), () -> n.variable(variable).equals(values[winner]));
                }
                try (Statement s = admins.get(1 - winner).createStatement()) {
                    s.executeUpdate("UPDATE global_variables SET variable_value = '" + values[winner] + "' WHERE variable_name = '"
                            + variable + "'");
                }
            }
        }
        System.out.printf("fleet: %d concurrent loads on two nodes: node-a won %d, node-b won %d, never both%n", trials, wins[0],
                wins[1]);
        admin(node(0), "UPDATE global_variables SET variable_value = '36000000' WHERE variable_name = '" + variable + "'",
                "LOAD MYSQL VARIABLES TO RUNTIME");
        settled(variable, "36000000");
    }

    @Test
    @Order(4)
    void anEditOverTakenByAnotherNodesChangeIsRefusedOnceThenTakes() throws Exception {
        String variable = "mysql-query_retries_on_failure";
        String original = node(0).variable(variable);
        try (Connection adminA = node(0).admin(); Connection adminB = node(1).admin();
             Statement a = adminA.createStatement(); Statement b = adminB.createStatement()) {
            b.executeUpdate("UPDATE global_variables SET variable_value = '7' WHERE variable_name = '" + variable + "'");
            a.executeUpdate("UPDATE global_variables SET variable_value = '5' WHERE variable_name = '" + variable + "'");
            a.execute("LOAD MYSQL VARIABLES TO RUNTIME");
            Await.until(Duration.ofSeconds(5), "node-b runs node-a's change", () -> node(1).variable(variable).equals("5"));
            assertThat(one(adminB, "SELECT variable_value FROM global_variables WHERE variable_name = '" + variable + "'"))
                    .as("node-b's edit stays in its memory layer").isEqualTo("7");
            SQLException refused = null;
            try {
                b.execute("LOAD MYSQL VARIABLES TO RUNTIME");
            } catch (SQLException e) {
                refused = e;
            }
            assertThat((Throwable) refused).as("an edit begun before node-a's change").isNotNull();
            assertThat(refused.getErrorCode()).isEqualTo(9105);
            assertThat(refused.getMessage()).contains("written by node-a");
            assertThat(node(1).variable(variable)).isEqualTo("5");
            b.execute("LOAD MYSQL VARIABLES TO RUNTIME");
            for (Node n : nodes) {
                Await.until(Duration.ofSeconds(5), n.name + " runs node-b's edit, loaded again", () -> n.variable(variable).equals("7"));
            }
            b.executeUpdate("UPDATE global_variables SET variable_value = '" + original + "' WHERE variable_name = '" + variable + "'");
            b.execute("LOAD MYSQL VARIABLES TO RUNTIME");
        }
        settled(variable, original);
    }

    @Test
    @Order(5)
    void withoutZooKeeperNodesServeAndRefuseChangesThenCatchUp() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Map<String, Integer> errors = new ConcurrentHashMap<>();
        AtomicInteger statements = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(3)) {
            List<Future<?>> load = new ArrayList<>();
            for (Node n : nodes) {
                load.add(pool.submit(() -> {
                    try (Connection c = n.mysql()) {
                        for (int i = 0; i < 100_000 && !stop.get(); i++) {
                            try {
                                one(c, "SELECT COUNT(*) FROM fleet_writes");
                                statements.incrementAndGet();
                            } catch (SQLException e) {
                                errors.merge(n.name + ": " + e.getErrorCode() + " " + e.getMessage(), 1, Integer::sum);
                            }
                        }
                    }
                    return null;
                }));
            }
            String variable = "mysql-default_query_timeout";
            admin(node(0), "UPDATE global_variables SET variable_value = '1234567' WHERE variable_name = '" + variable + "'",
                    "LOAD MYSQL VARIABLES TO RUNTIME");
            for (Node n : nodes) {
                Await.until(Duration.ofSeconds(5), n.name + " runs the change", () -> n.variable(variable).equals("1234567"));
            }
            zookeeper.stop();
            boolean restarted = false;
            Node late = new Node("node-e");
            try {
                late.start();
                assertThat(late.variable(variable)).as("a node started while ZooKeeper is away runs its disk layer").isEqualTo("36000000");
                SQLException refused = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (refused == null && System.nanoTime() < deadline) {
                    try {
                        admin(node(2), "LOAD MYSQL QUERY RULES TO RUNTIME");
                        Thread.sleep(100);
                    } catch (SQLException e) {
                        refused = e;
                    }
                }
                assertThat((Throwable) refused).as("a change while ZooKeeper is away").isNotNull();
                assertThat(refused.getErrorCode()).isEqualTo(9104);
                int before = statements.get();
                Thread.sleep(1_000);
                assertThat(statements.get()).as("clients keep being served").isGreaterThan(before);
                zookeeper.restart();
                restarted = true;
                Await.until(Duration.ofSeconds(20), "node-e catches up with the fleet once ZooKeeper answers",
                        () -> late.variable(variable).equals("1234567"));
            } finally {
                late.close();
                if (!restarted) {
                    zookeeper.restart();
                }
            }
            Await.until(Duration.ofSeconds(15), "node-c takes changes again", () -> {
                try {
                    admin(node(2), "LOAD MYSQL QUERY RULES TO RUNTIME");
                    return true;
                } catch (SQLException e) {
                    return false;
                }
            });
            stop.set(true);
            for (Future<?> f : load) {
                f.get(30, TimeUnit.SECONDS);
            }
            admin(node(2), "UPDATE global_variables SET variable_value = '36000000' WHERE variable_name = '" + variable + "'",
                    "LOAD MYSQL VARIABLES TO RUNTIME");
            for (Node n : nodes) {
                Await.until(Duration.ofSeconds(20), n.name + " caught up after ZooKeeper returned",
                        () -> n.variable(variable).equals("36000000"));
            }
        }
        assertThat(errors).as("client errors while ZooKeeper was away").isEmpty();
    }

    @Test
    @Order(6)
    void aNodeThatDiesLeavesTheFleetWithinItsSessionTimeout() throws Exception {
        int port = ProxyProcess.freePort();
        try (ProxyProcess d = ProxyProcess.start(hocon("node-d", zookeeper.getConnectString(), port), port); Connection adminA = node(0).admin()) {
            Await.until(Duration.ofSeconds(10), "node-d joined", () -> fleetNodes(adminA).contains("node-d"));
            ProcessHandle.of(d.pid()).ifPresent(ProcessHandle::destroyForcibly);
            long killed = System.nanoTime();
            Await.until(Duration.ofMillis(SESSION_TIMEOUT_MILLIS + 3_000), "node-d is gone from the fleet",
                    () -> !fleetNodes(adminA).contains("node-d"));
            System.out.printf("fleet: a killed node left the fleet table after %d ms (session timeout %d ms)%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed), SESSION_TIMEOUT_MILLIS);
            assertThat(fleetNodes(adminA)).containsExactly("node-a", "node-b", "node-c");
        }
    }

    private static List<String> fleetNodes(Connection admin) {
        List<String> names = new ArrayList<>();
        try (Statement s = admin.createStatement(); ResultSet rs = s.executeQuery("SELECT node FROM stats_fleet_nodes ORDER BY node")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        } catch (SQLException e) {
            names.add(e.toString());
        }
        return names;
    }

    @Test
    @Order(7)
    void afterAFailoverEveryNodeFollowsTheOneElectedWriter() throws Exception {
        MariaDbServer primary = cluster.primary();
        MariaDbServer replica = cluster.replicas().get(0);
        ServerAddress promotedAddress = new ServerAddress(replica.host(), replica.port());
        AtomicBoolean stop = new AtomicBoolean();
        Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        Map<Long, Long> acknowledgedAt = new ConcurrentHashMap<>();
        Map<String, Integer> errors = new ConcurrentHashMap<>();
        AtomicInteger writes = new AtomicInteger();
        long[] firstSwitch = new long[1];
        try (ExecutorService pool = Executors.newFixedThreadPool(3)) {
            List<Future<?>> load = new ArrayList<>();
            for (int i = 0; i < nodes.size(); i++) {
                Node n = nodes.get(i);
                long base = 1_000_000L * (i + 1);
                load.add(pool.submit(() -> {
                    Connection c = n.mysql();
                    try {
                        for (long k = 0; k < 100_000 && !stop.get(); k++) {
                            try (Statement s = c.createStatement()) {
                                s.executeUpdate("INSERT INTO fleet_writes VALUES (" + (base + k) + ", '" + n.name + "', @@server_id)");
                                acknowledged.add(base + k);
                                acknowledgedAt.put(base + k, System.nanoTime());
                                writes.incrementAndGet();
                            } catch (SQLException e) {
                                errors.merge(n.name + ": " + e.getErrorCode(), 1, Integer::sum);
                                try {
                                    c.close();
                                    c = n.mysql();
                                } catch (SQLException again) {
                                    Thread.sleep(100);
                                }
                            }
                        }
                    } finally {
                        c.close();
                    }
                    return null;
                }));
            }
            Await.until(Duration.ofSeconds(10), "writes flow through all nodes", () -> writes.get() > 100);
            primary.kill();
            replica.promote();
            long promoted = System.nanoTime();
            long[] switched = new long[nodes.size()];
            Await.until(Duration.ofSeconds(15), "every node has the promoted replica as its writer", () -> {
                boolean all = true;
                for (int i = 0; i < nodes.size(); i++) {
                    if (switched[i] == 0 && nodes.get(i).writers().equals(List.of(promotedAddress))) {
                        switched[i] = System.nanoTime();
                    }
                    all &= switched[i] != 0;
                }
                return all;
            });
            long first = java.util.Arrays.stream(switched).min().orElseThrow();
            firstSwitch[0] = first;
            long last = java.util.Arrays.stream(switched).max().orElseThrow();
            int atSwitch = writes.get();
            Await.until(Duration.ofSeconds(15), "writes flow on the new primary", () -> writes.get() > atSwitch + 100);
            stop.set(true);
            for (Future<?> f : load) {
                f.get(60, TimeUnit.SECONDS);
            }
            System.out.printf("fleet failover: nodes switched %d to %d ms after the promotion (spread %d ms), %d writes, errors %s%n",
                    TimeUnit.NANOSECONDS.toMillis(first - promoted), TimeUnit.NANOSECONDS.toMillis(last - promoted),
                    TimeUnit.NANOSECONDS.toMillis(last - first), writes.get(), errors);
            assertThat(TimeUnit.NANOSECONDS.toMillis(last - first)).as("every node on the new writer within 2 s of the first")
                    .isLessThanOrEqualTo(2_000);
        }
        Set<Long> stored = ConcurrentHashMap.newKeySet();
        List<Long> byOldPrimaryAfterSwitch = new ArrayList<>();
        for (Map<String, Object> row : replica.query("SELECT id, server_id FROM app.fleet_writes")) {
            long id = ((Number) row.get("id")).longValue();
            stored.add(id);
            Long at = acknowledgedAt.get(id);
            if (at != null && at > firstSwitch[0] && ((Number) row.get("server_id")).intValue() == primary.serverId()) {
                byOldPrimaryAfterSwitch.add(id);
            }
        }
        assertThat(byOldPrimaryAfterSwitch).as("writes the old primary acknowledged after a node switched").isEmpty();
        Set<Long> lost = new java.util.HashSet<>(acknowledged);
        lost.removeAll(stored);
        assertThat(lost).as("acknowledged writes missing on the new primary").isEmpty();
        String leaders;
        try (Connection adminA = node(0).admin()) {
            leaders = one(adminA, "SELECT GROUP_CONCAT(node) FROM stats_fleet_nodes WHERE writer_for = '0'");
        }
        assertThat(leaders).as("one node decides the writer of hostgroup 0").doesNotContain(",").isNotBlank();
    }

    @Test
    @Order(8)
    void withADigestAclOnlyTheFleetsIdentityReadsItsNodes() throws Exception {
        Path dataDir = Files.createTempDirectory("switchyard-fleet-acl");
        String hocon = hocon("node-s", zookeeper.getConnectString(), 0).replace("name = \"" + FLEET + "\"",
                "name = \"secured\", acl-digest = \"fleet:secret\"");
        try (Daemon secured = Daemon.start(ConfigLoader.fromString(hocon), dataDir, false, () -> ConfigLoader.fromString(hocon).rows());
             CuratorFramework stranger = CuratorFrameworkFactory.newClient(zookeeper.getConnectString(), new RetryOneTime(100));
             CuratorFramework member = CuratorFrameworkFactory.builder().connectString(zookeeper.getConnectString())
                     .retryPolicy(new RetryOneTime(100)).authorization("digest", "fleet:secret".getBytes(StandardCharsets.UTF_8)).build()) {
            assertThat(secured.fleet()).isPresent();
            stranger.start();
            member.start();
            String config = "/switchyard/secured/config";
            assertThat(member.getACL().forPath(config)).allSatisfy(acl -> assertThat(acl.getId().getScheme()).isEqualTo("digest"));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> stranger.getData().forPath(config))
                    .isInstanceOf(org.apache.zookeeper.KeeperException.NoAuthException.class);
            assertThat(new String(member.getData().forPath(config), StandardCharsets.UTF_8)).contains("mysql_servers");
        } finally {
            try (var paths = Files.walk(dataDir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    @Order(9)
    void whenTheElectedNodeLeavesAnotherDecidesTheWriter() throws Exception {
        Node elected;
        try (Connection adminA = node(0).admin()) {
            String name = one(adminA, "SELECT node FROM stats_fleet_nodes WHERE writer_for = '0'");
            elected = nodes.stream().filter(n -> n.name.equals(name)).findFirst().orElseThrow();
        }
        Node observer = nodes.stream().filter(n -> n != elected).findFirst().orElseThrow();
        List<ServerAddress> writer = observer.usableWriters();
        elected.daemon.close();
        elected.daemon = null;
        try (Connection admin = observer.admin()) {
            Await.until(Duration.ofMillis(SESSION_TIMEOUT_MILLIS + 3_000), "another node decides the writer of hostgroup 0", () -> {
                try {
                    String next = one(admin, "SELECT node FROM stats_fleet_nodes WHERE writer_for = '0'");
                    return next != null && !next.equals(elected.name);
                } catch (SQLException e) {
                    return false;
                }
            });
        }
        assertThat(observer.usableWriters()).as("the writer is the same after the hand-over").isEqualTo(writer);
        elected.start();
        Await.until(Duration.ofSeconds(10), elected.name + " follows the fleet's writer again", () -> elected.usableWriters().equals(writer));
    }
}
