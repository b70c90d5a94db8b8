package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.backend.ServerAddress;
import io.switchyard.server.launcher.MariaDbServer;
import io.switchyard.testing.Await;
import io.switchyard.topology.HostgroupServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Read-your-writes through the read/write split ({@code ^SELECT} to the replica) while the
 * replica's SQL thread is held back part of the time (stopped 20 ms of every 60 ms): each write
 * is read back at once. With {@code mysql-causal_reads} off some reads miss the row just written
 * (the comparison that shows the test can fail); with {@code local}, {@code global} and
 * {@code fast} none does.
 */
class CausalReadsTest {
    private static final int PAIRS = 10_000;

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.withAdmin(1, cluster -> ProxyFixture.pairedServers(cluster)
            + ProxyFixture.SPLIT_RULES + "variables { mysql-monitor_writer_is_also_reader = false }\n");

    private static final AtomicBoolean throttling = new AtomicBoolean();
    private static Thread throttle;

    private static MariaDbServer primary() {
        return fixture.cluster().primary();
    }

    private static MariaDbServer replica() {
        return fixture.cluster().replicas().get(0);
    }

    private static ServerAddress address(MariaDbServer server) {
        return new ServerAddress(server.host(), server.port());
    }

    @BeforeAll
    static void setUp() {
        primary().execute("CREATE TABLE app.causal (id INT PRIMARY KEY, mode VARCHAR(10))");
        fixture.cluster().awaitReplicaCatchUp(Duration.ofSeconds(10));
        Await.until(Duration.ofSeconds(10), "the monitor knows the writer and the reader", () ->
                fixture.proxy().topology().servers(0).stream().map(HostgroupServer::address).toList().equals(List.of(address(primary())))
                        && fixture.proxy().topology().servers(1).stream().map(HostgroupServer::address).toList()
                        .equals(List.of(address(replica()))));
        startThrottle();
    }

    /** Holds the replica's SQL thread back 20 ms of every 60 ms, until {@link #stopThrottle}. */
    private static void startThrottle() {
        throttling.set(true);
        throttle = Thread.ofPlatform().name("replica-throttle").start(() -> {
            try {
                while (throttling.get()) {
                    replica().execute("STOP SLAVE SQL_THREAD");
                    Thread.sleep(20);
                    replica().execute("START SLAVE SQL_THREAD");
                    Thread.sleep(40);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private static void stopThrottle() throws InterruptedException {
        throttling.set(false);
        if (throttle != null) {
            throttle.join(TimeUnit.SECONDS.toMillis(10));
        }
        replica().execute("START SLAVE SQL_THREAD");
    }

    @AfterAll
    static void tearDown() throws Exception {
        stopThrottle();
    }

    private static void causalReads(String mode) throws SQLException {
        try (Connection admin = fixture.admin(); Statement a = admin.createStatement()) {
            a.executeUpdate("UPDATE global_variables SET variable_value = '" + mode + "' WHERE variable_name = 'mysql-causal_reads'");
            a.execute("LOAD MYSQL VARIABLES TO RUNTIME");
        }
    }

    /** Writes {@code pairs} rows, each read back at once through {@code reader}; returns how many reads missed their row. */
    private static int staleReads(String mode, int first, int pairs, Connection writer, Connection reader) throws SQLException {
        causalReads(mode);
        int stale = 0;
        try (PreparedStatement insert = writer.prepareStatement("INSERT INTO causal VALUES (?, '" + mode + "')");
             PreparedStatement select = reader.prepareStatement("SELECT COUNT(*) FROM causal WHERE id = ?")) {
            for (int id = first; id < first + pairs; id++) {
                insert.setInt(1, id);
                insert.executeUpdate();
                select.setInt(1, id);
                try (ResultSet rs = select.executeQuery()) {
                    rs.next();
                    stale += rs.getInt(1) == 0 ? 1 : 0;
                }
            }
        }
        return stale;
    }

    @Test
    void readsSeeTheSessionsOwnWritesOnlyWithCausalReads() throws Exception {
        long waits = fixture.proxy().stats().causalWaits();
        try (Connection c = fixture.mysql("")) {
            int off = staleReads("off", 0, 2_000, c, c);
            int local = staleReads("local", 100_000, PAIRS, c, c);
            System.out.printf("causal reads: %d of 2000 reads stale with causal reads off, %d of %d with local (%d waits)%n",
                    off, local, PAIRS, fixture.proxy().stats().causalWaits() - waits);
            assertThat(off).as("stale reads without causal reads (the test's own check that staleness happens)").isPositive();
            assertThat(local).as("stale reads with mysql-causal_reads = local").isZero();
            assertThat(fixture.proxy().stats().causalWaits() - waits).as("reads that waited on the replica").isPositive();
        } finally {
            causalReads("off");
        }
    }

    @Test
    void globalCausalReadsSeeOtherSessionsWrites() throws Exception {
        try (Connection writer = fixture.mysql(""); Connection reader = fixture.mysql("")) {
            int off = staleReads("off", 200_000, 1_000, writer, reader);
            int local = staleReads("local", 300_000, 1_000, writer, reader);
            int global = staleReads("global", 400_000, 1_000, writer, reader);
            System.out.printf("causal reads, another session's writes: %d of 1000 stale off, %d local, %d global%n", off, local, global);
            assertThat(off).isPositive();
            assertThat(local).as("local waits for the reading session's own writes only").isPositive();
            assertThat(global).isZero();
        } finally {
            causalReads("off");
        }
    }

    @Test
    void aReadOnlyTransactionOnTheReplicaSeesTheSessionsWritesFromItsStart() throws Exception {
        long onReaders = fixture.proxy().stats().readOnlyTransactionsOnReaders();
        int stale = 0;
        try (Connection c = fixture.mysql(""); Statement s = c.createStatement()) {
            causalReads("local");
            for (int id = 700_000; id < 700_500; id++) {
                s.executeUpdate("INSERT INTO causal VALUES (" + id + ", 'ro')");
                s.execute("START TRANSACTION READ ONLY");
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM causal WHERE id = " + id)) {
                    rs.next();
                    stale += rs.getInt(1) == 0 ? 1 : 0;
                }
                s.execute("COMMIT");
            }
        } finally {
            causalReads("off");
        }
        assertThat(stale).isZero();
        assertThat(fixture.proxy().stats().readOnlyTransactionsOnReaders() - onReaders).as("transactions on the replica").isEqualTo(500);
    }

    /** A query rule's {@code causal_reads} attribute applies to the statements it matches, whatever the variable says. */
    @Test
    void aRuleCanAskForCausalReadsForTheStatementsItMatches() throws Exception {
        try (Connection admin = fixture.admin(); Statement a = admin.createStatement()) {
            for (String bad : List.of("{\"causal_reads\":\"sometimes\"}", "{\"causal_reads\":\"local\",\"x\":1}", "[1]")) {
                a.executeUpdate("REPLACE INTO mysql_query_rules (rule_id, active, match_pattern, destination_hostgroup, apply, attributes)"
                        + " VALUES (0, 1, '^SELECT COUNT', 1, 1, '" + bad + "')");
                SQLException refused = null;
                try {
                    a.execute("LOAD MYSQL QUERY RULES TO RUNTIME");
                } catch (SQLException e) {
                    refused = e;
                }
                assertThat((Throwable) refused).as("attributes %s", bad).isNotNull();
                assertThat(refused.getErrorCode()).isEqualTo(9100);
            }
            a.executeUpdate("REPLACE INTO mysql_query_rules (rule_id, active, match_pattern, destination_hostgroup, apply, attributes)"
                    + " VALUES (0, 1, '^SELECT COUNT', 1, 1, '{\"causal_reads\":\"local\"}')");
            a.execute("LOAD MYSQL QUERY RULES TO RUNTIME");
            try (Connection c = fixture.mysql("")) {
                int matched = staleReads("off", 800_000, 500, c, c);
                int others = 0;
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO causal VALUES (?, 'rule')");
                     PreparedStatement select = c.prepareStatement("SELECT id FROM causal WHERE id = ?")) {
                    for (int id = 900_000; id < 900_500; id++) {
                        insert.setInt(1, id);
                        insert.executeUpdate();
                        select.setInt(1, id);
                        try (ResultSet rs = select.executeQuery()) {
                            others += rs.next() ? 0 : 1;
                        }
                    }
                }
                assertThat(matched).as("stale reads of the statements the rule matches").isZero();
                assertThat(others).as("stale reads of other statements (causal reads off)").isPositive();
            } finally {
                a.executeUpdate("DELETE FROM mysql_query_rules WHERE rule_id = 0");
                a.execute("LOAD MYSQL QUERY RULES TO RUNTIME");
            }
        }
    }

    @Test
    void fastCausalReadsUseTheWriterWhenNoReplicaIsKnownToHaveTheWrite() throws Exception {
        long onWriter = fixture.proxy().stats().causalReadsOnWriter();
        try (Connection c = fixture.mysql("")) {
            int fast = staleReads("fast", 500_000, 1_000, c, c);
            assertThat(fast).isZero();
            assertThat(fixture.proxy().stats().causalReadsOnWriter() - onWriter).as("reads sent to the writer").isPositive();
        } finally {
            causalReads("off");
        }
    }

    @Test
    void aReadThatCannotSeeTheWriteInTimeGoesToTheWriter() throws Exception {
        try (Connection admin = fixture.admin(); Statement a = admin.createStatement()) {
            a.executeUpdate("UPDATE global_variables SET variable_value = '200' WHERE variable_name = 'mysql-causal_reads_timeout'");
            a.execute("LOAD MYSQL VARIABLES TO RUNTIME");
        }
        stopThrottle();
        replica().execute("STOP SLAVE SQL_THREAD");
        long onWriter = fixture.proxy().stats().causalReadsOnWriter();
        try (Connection c = fixture.mysql("")) {
            assertThat(staleReads("local", 600_000, 5, c, c)).isZero();
            assertThat(fixture.proxy().stats().causalReadsOnWriter() - onWriter).isEqualTo(5);
        } finally {
            replica().execute("START SLAVE SQL_THREAD");
            startThrottle();
            causalReads("off");
            try (Connection admin = fixture.admin(); Statement a = admin.createStatement()) {
                a.executeUpdate("UPDATE global_variables SET variable_value = '10000' WHERE variable_name = 'mysql-causal_reads_timeout'");
                a.execute("LOAD MYSQL VARIABLES TO RUNTIME");
            }
        }
    }
}
