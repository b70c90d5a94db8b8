package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With {@code mysql-transaction_replay_retry_on_deadlock}, the transaction InnoDB rolls back to
 * break a deadlock runs again and the client never sees error 1213; without it, one of two
 * sessions that lock two rows in opposite order gets 1213, as directly.
 */
class DeadlockRetryTest {
    private static final int ROUNDS = 20;

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.withAdmin(0, cluster -> """
            variables {
              mysql-transaction_replay = true
              mysql-transaction_replay_retry_on_deadlock = true
            }
            """);

    /** Two sessions update rows 1 and 2 in opposite orders, {@link #ROUNDS} times; returns the errors they got. */
    private static List<String> opposingUpdates() throws Exception {
        fixture.cluster().primary().execute("CREATE TABLE IF NOT EXISTS app.dl (id INT PRIMARY KEY, v INT)",
                "REPLACE INTO app.dl VALUES (1, 0), (2, 0)");
        List<String> errors = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(2);
             Connection a = fixture.mysql("socketTimeout=60000"); Connection b = fixture.mysql("socketTimeout=60000")) {
            for (int round = 0; round < ROUNDS; round++) {
                CountDownLatch bothLocked = new CountDownLatch(2);
                Future<String> first = pool.submit(() -> transfer(a, 1, 2, bothLocked));
                Future<String> second = pool.submit(() -> transfer(b, 2, 1, bothLocked));
                for (Future<String> f : List.of(first, second)) {
                    String error = f.get(60, TimeUnit.SECONDS);
                    if (error != null) {
                        errors.add(error);
                    }
                }
            }
        }
        return errors;
    }

    /** Locks row {@code from}, waits until the other session locked its row, then updates row {@code to}; null when it committed. */
    private static String transfer(Connection c, int from, int to, CountDownLatch bothLocked) throws InterruptedException {
        try (Statement s = c.createStatement()) {
            s.execute("BEGIN");
            s.executeUpdate("UPDATE dl SET v = v + 1 WHERE id = " + from);
            bothLocked.countDown();
            bothLocked.await(10, TimeUnit.SECONDS);
            s.executeUpdate("UPDATE dl SET v = v + 1 WHERE id = " + to);
            s.execute("COMMIT");
            return null;
        } catch (SQLException e) {
            try (Statement s = c.createStatement()) {
                s.execute("ROLLBACK");
            } catch (SQLException ignored) {
                // The connection is gone: the next round reports it.
            }
            return e.getErrorCode() + " " + e.getMessage();
        }
    }

    @Test
    void aDeadlockedTransactionRunsAgainAndBothCommit() throws Exception {
        long replayed = fixture.proxy().stats().transactionsReplayed();
        List<String> errors = opposingUpdates();
        assertThat(errors).as("errors the clients got").isEmpty();
        assertThat(fixture.cluster().primary().queryString("SELECT SUM(v) FROM app.dl")).as("every update applied once")
                .isEqualTo(String.valueOf(ROUNDS * 4));
        assertThat(fixture.proxy().stats().transactionsReplayed() - replayed).as("deadlocked transactions run again").isPositive();
    }

    @Test
    void withoutTheSettingTheDeadlockReachesTheClient() throws Exception {
        try (Connection admin = fixture.admin(); Statement a = admin.createStatement()) {
            a.executeUpdate("UPDATE global_variables SET variable_value = 'false'"
                    + " WHERE variable_name = 'mysql-transaction_replay_retry_on_deadlock'");
            a.execute("LOAD MYSQL VARIABLES TO RUNTIME");
            try {
                List<String> errors = opposingUpdates();
                assertThat(errors).isNotEmpty().allSatisfy(e -> assertThat(e).startsWith("1213 "));
            } finally {
                a.executeUpdate("UPDATE global_variables SET variable_value = 'true'"
                        + " WHERE variable_name = 'mysql-transaction_replay_retry_on_deadlock'");
                a.execute("LOAD MYSQL VARIABLES TO RUNTIME");
            }
        }
    }
}
