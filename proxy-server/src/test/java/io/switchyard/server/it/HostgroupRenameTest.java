package io.switchyard.server.it;

import static io.switchyard.server.it.AdminPortTest.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.switchyard.runtime.ConfigRuntime;
import io.switchyard.server.launcher.MariaDbServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * A reader hostgroup renamed as a ProxySQL runbook does it (servers and rules moved from
 * hostgroup 1 to 2, then loaded one after the other) is accepted in either order while clients
 * keep reading: between the two loads one part names a hostgroup the other does not provide,
 * which the admin reports with SHOW WARNINGS and the log reports once, and statements routed
 * there wait as for a hostgroup whose servers are all down.
 */
@Timeout(240)
class HostgroupRenameTest {
    private static final int WRITER_WAIT_MILLIS = 3_000;
    private static final int DANGLING_HOSTGROUP_WARNING = 9102;

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.withAdmin(1, cluster -> """
            servers = [
              { hostgroup = 0, host = "127.0.0.1", port = %d, comment = "primary" }
              { hostgroup = 1, host = "127.0.0.1", port = %d, comment = "replica" }
            ]
            query-rules = [ { rule-id = 10, match-digest = "^SELECT @@server_id", destination-hostgroup = 1, apply = true } ]
            variables { mysql-writer_wait_timeout = %d }
            """.formatted(cluster.primary().port(), cluster.replicas().get(0).port(), WRITER_WAIT_MILLIS));

    private static final List<String> RENAME = List.of(
            "UPDATE mysql_servers SET hostgroup_id=2 WHERE hostgroup_id=1",
            "UPDATE mysql_query_rules SET destination_hostgroup=2 WHERE destination_hostgroup=1");

    private static MariaDbServer replica() {
        return fixture.cluster().replicas().get(0);
    }

    @BeforeEach
    void backToTheConfigurationFile() throws SQLException {
        try (Connection c = fixture.admin(); Statement s = c.createStatement()) {
            for (String sql : List.of("LOAD MYSQL SERVERS FROM CONFIG", "LOAD MYSQL QUERY RULES FROM CONFIG",
                    "LOAD MYSQL VARIABLES FROM CONFIG", "LOAD MYSQL VARIABLES TO RUNTIME", "LOAD MYSQL SERVERS TO RUNTIME",
                    "LOAD MYSQL QUERY RULES TO RUNTIME")) {
                s.execute(sql);
            }
        }
    }

    @Test
    void renameLoadingServersFirstIsAcceptedWhileClientsRead() throws Exception {
        renameUnderLoad(List.of("LOAD MYSQL SERVERS TO RUNTIME", "LOAD MYSQL QUERY RULES TO RUNTIME"),
                "mysql_query_rules row (rule_id=10): destination_hostgroup 1 has no servers");
    }

    @Test
    void renameLoadingRulesFirstIsAcceptedWhileClientsRead() throws Exception {
        renameUnderLoad(List.of("LOAD MYSQL QUERY RULES TO RUNTIME", "LOAD MYSQL SERVERS TO RUNTIME"),
                "mysql_query_rules row (rule_id=10): destination_hostgroup 2 has no servers");
    }

    private void renameUnderLoad(List<String> loads, String danglingAfterFirstLoad) throws Exception {
        try (Readers readers = new Readers(4); Connection admin = fixture.admin(); Statement s = admin.createStatement()) {
            awaitMoreReads(readers, 20);
            for (String sql : RENAME) {
                s.executeUpdate(sql);
            }

            long windowStart = System.nanoTime();
            s.execute(loads.get(0));
            SQLWarning warning = s.getWarnings();
            assertThat((Throwable) warning).as("Connector/J reads the warnings of the LOAD").isNotNull();
            assertThat(warning.getErrorCode()).isEqualTo(DANGLING_HOSTGROUP_WARNING);
            assertThat((Throwable) warning.getNextWarning()).isNull();
            assertThat(rows(s, "SHOW WARNINGS")).singleElement().satisfies(w -> {
                assertThat(w.get(0)).isEqualTo("Warning");
                assertThat(w.get(1)).isEqualTo(Integer.toString(DANGLING_HOSTGROUP_WARNING));
                assertThat(w.get(2)).startsWith(danglingAfterFirstLoad).contains("mysql-writer_wait_timeout", "9001");
            });
            s.execute(loads.get(1));
            long windowEnd = System.nanoTime();
            assertThat((Throwable) s.getWarnings()).isNull();
            assertThat(rows(s, "SHOW WARNINGS")).isEmpty();

            assertThat(rows(s, "SELECT hostgroup_id, port FROM runtime_mysql_servers ORDER BY hostgroup_id")).containsExactly(
                    List.of("0", Integer.toString(fixture.cluster().primary().port())), List.of("2", Integer.toString(replica().port())));
            assertThat(rows(s, "SELECT rule_id, destination_hostgroup FROM runtime_mysql_query_rules")).containsExactly(List.of("10", "2"));
            awaitMoreReads(readers, 20);

            readers.close();
            assertThat(readers.unexpected).as("errors other than 9001").isEmpty();
            for (Readers.Failure f : readers.failures) {
                assertThat(f.startNanos()).as("a failed statement was sent before the second LOAD: %s", f.message())
                        .isBetween(windowStart - TimeUnit.SECONDS.toNanos(5), windowEnd);
                assertThat(f.message()).contains("hostgroup 1");
            }
        }
    }

    @Test
    void ruleToAHostgroupWithoutServersIsWarnedAboutOnceAndItsStatementsWaitThenFail() throws Exception {
        Logger runtimeLog = (Logger) LoggerFactory.getLogger(ConfigRuntime.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        runtimeLog.addAppender(lines);
        try (Connection admin = fixture.admin(); Statement s = admin.createStatement()) {
            s.executeUpdate("UPDATE mysql_query_rules SET destination_hostgroup = 7 WHERE rule_id = 10");
            s.execute("LOAD MYSQL QUERY RULES TO RUNTIME");
            assertThat(rows(s, "SHOW WARNINGS")).containsExactly(List.of("Warning", Integer.toString(DANGLING_HOSTGROUP_WARNING),
                    "mysql_query_rules row (rule_id=10): destination_hostgroup 7 has no servers and is in no replication hostgroup; "
                            + "statements routed there wait up to mysql-writer_wait_timeout for a server, then fail with 9001 "
                            + "(load the servers, or the rules, that complete the change)"));
            assertThat(rows(s, "SHOW WARNINGS")).as("SHOW WARNINGS leaves the warnings in place").hasSize(1);
            s.execute("LOAD MYSQL QUERY RULES TO RUNTIME");
            s.execute("LOAD MYSQL SERVERS TO RUNTIME");
            assertThat(rows(s, "SHOW WARNINGS")).as("every LOAD names the dangling references in force").hasSize(1);
            rows(s, "SELECT COUNT(*) FROM mysql_servers");
            assertThat(rows(s, "SHOW WARNINGS")).as("the next statement on a table clears them").isEmpty();

            try (Connection client = fixture.mysql("socketTimeout=20000"); Statement c = client.createStatement()) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> c.executeQuery("SELECT @@server_id")).isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getErrorCode()).as(e.getMessage()).isEqualTo(9001);
                    assertThat(e.getMessage()).contains("hostgroup 7");
                });
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(WRITER_WAIT_MILLIS - 100L, 15_000L);
                assertThat(rows(c, "SELECT 'other statements still run'")).containsExactly(List.of("other statements still run"));
            }
        } finally {
            runtimeLog.detachAppender(lines);
        }
        assertThat(lines.list).filteredOn(e -> e.getFormattedMessage().contains("destination_hostgroup 7"))
                .as("logged once, though loaded three times")
                .singleElement().satisfies(e -> {
                    assertThat(e.getLevel()).isEqualTo(Level.WARN);
                    assertThat(e.getFormattedMessage()).startsWith("mysql_query_rules row (rule_id=10): destination_hostgroup 7 has no servers");
                });
    }

    @Test
    void serversMovedAwayFromAUsersDefaultHostgroupAreAcceptedWithAWarning() throws SQLException {
        try (Connection admin = fixture.admin(); Statement s = admin.createStatement()) {
            s.executeUpdate("UPDATE mysql_servers SET hostgroup_id = 3 WHERE hostgroup_id = 0");
            s.execute("LOAD MYSQL SERVERS TO RUNTIME");
            assertThat(rows(s, "SHOW WARNINGS")).extracting(w -> w.get(2)).singleElement().asString()
                    .startsWith("mysql_users row (username='app'): default_hostgroup 0 has no servers");
            assertThat(rows(s, "SELECT DISTINCT hostgroup_id FROM runtime_mysql_servers ORDER BY hostgroup_id"))
                    .containsExactly(List.of("1"), List.of("3"));
        }
    }

    @Test
    void halfARenameSavedToDiskStillStarts() throws SQLException {
        try (Connection admin = fixture.admin(); Statement s = admin.createStatement()) {
            s.executeUpdate(RENAME.get(0));
            s.execute("LOAD MYSQL SERVERS TO RUNTIME");
            s.execute("SAVE MYSQL SERVERS TO DISK");
        }
        try {
            fixture.restart();
            try (Connection admin = fixture.admin(); Statement s = admin.createStatement()) {
                assertThat(rows(s, "SELECT hostgroup_id FROM runtime_mysql_servers ORDER BY hostgroup_id"))
                        .containsExactly(List.of("0"), List.of("2"));
                assertThat(rows(s, "SELECT destination_hostgroup FROM runtime_mysql_query_rules")).containsExactly(List.of("1"));
            }
        } finally {
            try (Connection admin = fixture.admin(); Statement s = admin.createStatement()) {
                s.execute("LOAD MYSQL SERVERS FROM CONFIG");
                s.execute("SAVE MYSQL SERVERS TO DISK");
            }
        }
    }

    @Test
    void whatIsWrongInItselfIsStillRefused() throws SQLException {
        try (Connection admin = fixture.admin(); Statement s = admin.createStatement()) {
            s.executeUpdate("UPDATE mysql_query_rules SET destination_hostgroup = 7, match_digest = '(unclosed' WHERE rule_id = 10");
            assertRefused(s, "LOAD MYSQL QUERY RULES TO RUNTIME", "rule_id=10");
            s.executeUpdate("INSERT INTO mysql_replication_hostgroups (writer_hostgroup, reader_hostgroup) VALUES (0, 1), (1, 2)");
            assertRefused(s, "LOAD MYSQL SERVERS TO RUNTIME", "hostgroup 1 is already in the pair");
            assertThat(rows(s, "SELECT rule_id, destination_hostgroup FROM runtime_mysql_query_rules")).containsExactly(List.of("10", "1"));
        }
    }

    private static void assertRefused(Statement s, String sql, String mention) {
        assertThatThrownBy(() -> s.execute(sql)).as(sql).isInstanceOfSatisfying(SQLException.class, e -> {
            assertThat(e.getErrorCode()).as(e.getMessage()).isEqualTo(9100);
            assertThat(e.getMessage()).contains(mention);
        });
    }

    /** Waits (up to 30 s) until the readers have read {@code more} times more from the replica. */
    private static void awaitMoreReads(Readers readers, long more) throws InterruptedException {
        long target = readers.fromReplica() + more;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (readers.fromReplica() < target) {
            assertThat(System.nanoTime()).as("reads from the replica through the rule (errors so far: %s)", readers.unexpected)
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /**
     * Connector/J clients reading {@code SELECT @@server_id} in a loop, each on its own connection
     * (reopened after an error), until closed or 90 s have passed. Errors 9001 are kept with the
     * time their statement was sent; any other error is unexpected.
     */
    private static final class Readers implements AutoCloseable {
        record Failure(long startNanos, String message) {}

        private final ExecutorService threads;
        private final AtomicLong fromReplica = new AtomicLong();
        final Queue<Failure> failures = new ConcurrentLinkedQueue<>();
        final Queue<String> unexpected = new ConcurrentLinkedQueue<>();
        private final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        private volatile boolean stop;

        Readers(int clients) {
            threads = Executors.newFixedThreadPool(clients);
            for (int i = 0; i < clients; i++) {
                threads.execute(this::readUntilStopped);
            }
        }

        private void readUntilStopped() {
            int replicaId = replica().serverId();
            while (!stop && System.nanoTime() < deadline) {
                try (Connection c = fixture.mysql("socketTimeout=20000&connectTimeout=5000"); Statement s = c.createStatement()) {
                    while (!stop && System.nanoTime() < deadline) {
                        long start = System.nanoTime();
                        try (ResultSet rs = s.executeQuery("SELECT @@server_id")) {
                            rs.next();
                            if (rs.getInt(1) == replicaId) {
                                fromReplica.incrementAndGet();
                            }
                        } catch (SQLException e) {
                            if (e.getErrorCode() != 9001) {
                                throw e;
                            }
                            failures.add(new Failure(start, e.getMessage()));
                        }
                    }
                } catch (SQLException e) {
                    unexpected.add(e.getErrorCode() + " " + e.getMessage());
                }
            }
        }

        /** Reads the replica answered so far. */
        long fromReplica() {
            return fromReplica.get();
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            threads.shutdown();
            if (!threads.awaitTermination(30, TimeUnit.SECONDS)) {
                threads.shutdownNow();
                throw new AssertionError("readers did not stop within 30 s");
            }
        }
    }
}
