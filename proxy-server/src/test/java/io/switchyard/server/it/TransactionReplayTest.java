package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.backend.ServerAddress;
import io.switchyard.server.launcher.MariaDbServer;
import io.switchyard.testing.Await;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The primary is killed (SIGKILL) while sessions hold open transactions, under a load of
 * multi-statement transactions, and a replica is promoted as an orchestrator does it, with
 * semi-synchronous replication. With {@code mysql-transaction_replay = true} every transaction
 * whose {@code COMMIT} had not been sent runs again on the new primary and goes on: the client
 * sees no error, its rows are there exactly once, whether it ran text statements or server-side
 * prepared statements. A transaction whose replay gives another result
 * ends with error 9017 and a closed connection. The failover timing is the failover demo's.
 */
class TransactionReplayTest {
    private static final int LOAD_SESSIONS = 10;

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(2, cluster -> ProxyFixture.pairedServers(cluster)
            + ProxyFixture.failoverVariables("  mysql-transaction_replay = true\n")).withSemiSync();

    private static List<ServerAddress> writers() {
        return fixture.writers();
    }

    private static ServerAddress address(MariaDbServer server) {
        return new ServerAddress(server.host(), server.port());
    }

    private static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** The load sessions of odd number run their statements as server-side prepared statements (COM_STMT_EXECUTE). */
    private static final String PREPARED = "&useServerPrepStmts=true&cachePrepStmts=true";

    /** A new connection, as an application's pool opens one: logins fail while the hostgroup has no writer. */
    private static Connection reconnect(String params) throws Exception {
        return fixture.mysqlRetryingLogin("socketTimeout=30000" + params);
    }

    /** The load's transaction before its COMMIT: an insert, a read of it, a second insert; {@code step} says where it is. */
    private static void loadTransaction(Connection c, long id, boolean prepared, String[] step) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("BEGIN");
        }
        if (!prepared) {
            try (Statement s = c.createStatement()) {
                step[0] = "first insert";
                s.executeUpdate("INSERT INTO replayed VALUES (" + id + ", 'load')");
                step[0] = "read";
                one(s, "SELECT COUNT(*) FROM replayed WHERE id = " + id);
                step[0] = "second insert";
                s.executeUpdate("INSERT INTO replayed VALUES (" + (id + 1) + ", 'load')");
            }
            return;
        }
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO replayed VALUES (?, ?)");
             PreparedStatement read = c.prepareStatement("SELECT COUNT(*), MAX(session) FROM replayed WHERE id = ?")) {
            step[0] = "first insert (prepared)";
            insert.setLong(1, id);
            insert.setString(2, "prepared");
            insert.executeUpdate();
            step[0] = "read (prepared)";
            read.setLong(1, id);
            try (ResultSet rs = read.executeQuery()) {
                rs.next();
            }
            step[0] = "second insert (prepared)";
            insert.setLong(1, id + 1);
            insert.executeUpdate();
        }
    }

    @Test
    void openTransactionsCompleteOnThePromotedPrimaryWithoutAnErrorToTheClient() throws Exception {
        // Text statements and server-side prepared statements alike.
        MariaDbServer primary = fixture.cluster().primary();
        primary.execute("CREATE TABLE app.replayed (id BIGINT PRIMARY KEY, session VARCHAR(20) NOT NULL)");
        fixture.cluster().awaitReplicaCatchUp(Duration.ofSeconds(10));
        fixture.awaitConfirmedWriter(primary);
        long replayedBefore = fixture.proxy().stats().transactionsReplayed();

        Set<Long> committed = ConcurrentHashMap.newKeySet();
        Set<Long> commitUnknown = ConcurrentHashMap.newKeySet();
        Map<String, Integer> errorsBeforeCommit = new ConcurrentHashMap<>();
        AtomicInteger loadTransactions = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        try (Connection idle = fixture.mysql("socketTimeout=30000");
             Connection sleeping = fixture.mysql("socketTimeout=30000");
             Connection manual = fixture.mysql("socketTimeout=30000");
             Connection readsServerId = fixture.mysql("socketTimeout=30000");
             Connection preparedIdle = fixture.mysql("socketTimeout=30000" + PREPARED);
             PreparedStatement preparedInsert = preparedIdle.prepareStatement("INSERT INTO replayed VALUES (?, ?)");
             Statement idleS = idle.createStatement();
             Statement sleepingS = sleeping.createStatement();
             Statement manualS = manual.createStatement();
             Statement serverIdS = readsServerId.createStatement();
             ExecutorService pool = Executors.newFixedThreadPool(LOAD_SESSIONS + 1)) {
            idleS.execute("BEGIN");
            idleS.executeUpdate("INSERT INTO replayed VALUES (1, 'idle')");
            assertThat(one(idleS, "SELECT COUNT(*) FROM replayed WHERE id < 100")).isEqualTo("1");
            sleepingS.execute("BEGIN");
            sleepingS.executeUpdate("INSERT INTO replayed VALUES (2, 'sleeping')");
            manual.setAutoCommit(false);
            manualS.executeUpdate("INSERT INTO replayed VALUES (4, 'manual')");
            preparedIdle.setAutoCommit(false);
            preparedInsert.setLong(1, 7);
            preparedInsert.setString(2, "prepared idle");
            preparedInsert.executeUpdate();
            serverIdS.execute("BEGIN");
            assertThat(one(serverIdS, "SELECT @@server_id")).isEqualTo(String.valueOf(primary.serverId()));

            List<Future<?>> load = new ArrayList<>();
            for (int w = 0; w < LOAD_SESSIONS; w++) {
                long base = 1_000_000L * (w + 1);
                boolean prepared = w % 2 == 1;
                String params = prepared ? PREPARED : "";
                load.add(pool.submit(() -> {
                    Connection c = reconnect(params);
                    try {
                        for (long n = 0; n < 100_000 && !stop.get(); n++) {
                            long id = base + 2 * n;
                            String[] step = {"BEGIN"};
                            try {
                                loadTransaction(c, id, prepared, step);
                            } catch (SQLException e) {
                                errorsBeforeCommit.merge(step[0] + ": " + e.getErrorCode() + " " + e.getMessage(), 1, Integer::sum);
                                c.close();
                                c = reconnect(params);
                                continue;
                            }
                            try (Statement s = c.createStatement()) {
                                s.execute("COMMIT");
                                committed.add(id);
                                committed.add(id + 1);
                                loadTransactions.incrementAndGet();
                            } catch (SQLException e) {
                                // The COMMIT was in flight when the primary died: it may or may not have committed.
                                commitUnknown.add(id);
                                commitUnknown.add(id + 1);
                                c.close();
                                c = reconnect(params);
                            }
                        }
                    } finally {
                        c.close();
                    }
                    return null;
                }));
            }
            Await.until(Duration.ofSeconds(10), "transactions flow", () -> loadTransactions.get() > 100);
            Future<String> sleepingResult = pool.submit(() -> one(sleepingS, "SELECT SLEEP(2)"));
            Thread.sleep(500);

            primary.kill();
            MariaDbServer promoted = fixture.promoteMostAdvancedReplica();
            Await.until(Duration.ofSeconds(10), () -> "the promoted replica is the writer (hostgroup 0: " + writers() + ")",
                    () -> writers().equals(List.of(address(promoted))));
            int atPromotion = loadTransactions.get();
            Await.until(Duration.ofSeconds(20), "transactions flow on the new primary", () -> loadTransactions.get() > atPromotion + 100);
            stop.set(true);
            for (Future<?> f : load) {
                f.get(60, TimeUnit.SECONDS);
            }

            // Before another session commits rows its read counts: run again after that, the read would differ.
            idleS.executeUpdate("INSERT INTO replayed VALUES (6, 'idle')");
            assertThat(one(idleS, "SELECT COUNT(*) FROM replayed WHERE id < 100")).as("the transaction's own rows").isEqualTo("2");
            idleS.execute("COMMIT");
            assertThat(sleepingResult.get(30, TimeUnit.SECONDS)).as("the statement in flight when the primary died").isEqualTo("0");
            sleepingS.executeUpdate("INSERT INTO replayed VALUES (3, 'sleeping')");
            sleepingS.execute("COMMIT");
            manualS.executeUpdate("INSERT INTO replayed VALUES (5, 'manual')");
            manual.commit();
            preparedInsert.setLong(1, 8);
            preparedInsert.executeUpdate();
            preparedIdle.commit();
            SQLException mismatch = null;
            try {
                one(serverIdS, "SELECT 1");
            } catch (SQLException e) {
                mismatch = e;
            }
            assertThat((Throwable) mismatch).as("a transaction that read @@server_id cannot run again").isNotNull();
            assertThat(mismatch.getErrorCode()).isEqualTo(9017);
            assertThat(readsServerId.isValid(2)).isFalse();

            System.out.printf("transaction replay: %d load transactions committed, %d with COMMIT in flight, errors before COMMIT: %s,"
                            + " %d transactions replayed%n", loadTransactions.get(), commitUnknown.size() / 2, errorsBeforeCommit,
                    fixture.proxy().stats().transactionsReplayed() - replayedBefore);
            assertThat(errorsBeforeCommit).as("errors in transactions whose COMMIT was not sent").isEmpty();
            assertThat(commitUnknown.size() / 2).as("transactions whose COMMIT was in flight").isLessThanOrEqualTo(LOAD_SESSIONS);
            assertThat(fixture.proxy().stats().transactionsReplayed() - replayedBefore).as("transactions replayed").isGreaterThanOrEqualTo(4);

            Set<Long> stored = new HashSet<>();
            for (Map<String, Object> row : promoted.query("SELECT id FROM app.replayed")) {
                stored.add(((Number) row.get("id")).longValue());
            }
            assertThat(promoted.queryString("SELECT COUNT(*) - COUNT(DISTINCT id) FROM app.replayed")).isEqualTo("0");
            assertThat(stored).as("the sessions' own transactions").contains(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
            Set<Long> lost = new HashSet<>(committed);
            lost.removeAll(stored);
            assertThat(lost).as("committed rows missing on the new primary").isEmpty();
            Set<Long> unexpected = new HashSet<>(stored);
            unexpected.removeAll(committed);
            unexpected.removeAll(commitUnknown);
            unexpected.removeAll(Set.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L));
            assertThat(unexpected).as("rows of transactions that did not commit").isEmpty();
        }
    }
}
