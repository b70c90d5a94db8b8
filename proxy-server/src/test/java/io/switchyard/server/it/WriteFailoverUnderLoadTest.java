package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.backend.ServerAddress;
import io.switchyard.server.launcher.MariaDbServer;
import io.switchyard.testing.Await;
import java.sql.Connection;
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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The primary dies under a write load and a replica is promoted the way an orchestrator does it.
 * With semi-synchronous replication, an acknowledged write is on a replica before the client
 * hears of it, so it must survive; the proxy must find the new writer by itself, hold writes
 * while there is none, and keep every client connection, idle or busy, usable. Half of the
 * writers send text statements, half server-side prepared statements ({@code COM_STMT_EXECUTE}),
 * which wait for the new writer the same way.
 */
class WriteFailoverUnderLoadTest {
    private static final int WRITERS = 10;

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(2, cluster -> ProxyFixture.pairedServers(cluster)
            + ProxyFixture.SPLIT_RULES + ProxyFixture.failoverVariables("")).withSemiSync();

    private static List<ServerAddress> writers() {
        return fixture.writers();
    }

    @Test
    void acknowledgedWritesSurviveAndWritesResumeWithinThreeSecondsOfPromotion() throws Exception {
        MariaDbServer primary = fixture.cluster().primary();
        primary.execute("CREATE TABLE app.acked (id BIGINT PRIMARY KEY, writer INT NOT NULL)");
        fixture.cluster().awaitReplicaCatchUp(Duration.ofSeconds(10));
        fixture.awaitConfirmedWriter(primary);

        List<Connection> idle = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            idle.add(fixture.mysql("socketTimeout=20000"));
        }
        Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<Long> successTimes = new ConcurrentLinkedQueue<>();
        AtomicLong promotedAt = new AtomicLong(Long.MAX_VALUE);
        long stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(25);
        AtomicLong stopAfterPromotion = new AtomicLong(Long.MAX_VALUE);
        try (ExecutorService writers = Executors.newFixedThreadPool(WRITERS)) {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                boolean prepared = w % 2 == 1;
                running.add(writers.submit(() -> {
                    try (Connection c = fixture.mysql("socketTimeout=20000" + (prepared ? "&useServerPrepStmts=true&cachePrepStmts=true" : ""));
                         Statement s = c.createStatement();
                         java.sql.PreparedStatement insert = c.prepareStatement("INSERT INTO acked VALUES (?, ?)")) {
                        for (long n = 0; n < 1_000_000; n++) {
                            long now = System.nanoTime();
                            if (now > stopAt || now > stopAfterPromotion.get()) {
                                return null;
                            }
                            long id = writer * 10_000_000L + n;
                            try {
                                if (prepared) {
                                    insert.setLong(1, id);
                                    insert.setInt(2, writer);
                                    insert.executeUpdate();
                                } else {
                                    s.executeUpdate("INSERT INTO acked VALUES (" + id + ", " + writer + ")");
                                }
                                acknowledged.add(id);
                                successTimes.add(System.nanoTime());
                            } catch (SQLException e) {
                                failures.merge((prepared ? "prepared: " : "text: ") + e.getErrorCode() + " " + e.getMessage(), 1,
                                        Integer::sum);
                            }
                        }
                    }
                    return null;
                }));
            }
            Await.until(Duration.ofSeconds(10), "writes flow", () -> acknowledged.size() > 200);

            primary.kill();
            MariaDbServer promoted = fixture.promoteMostAdvancedReplica();
            promotedAt.set(System.nanoTime());
            stopAfterPromotion.set(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }

            long firstAfter = successTimes.stream().filter(t -> t > promotedAt.get()).mapToLong(Long::longValue).min()
                    .orElseThrow(() -> new AssertionError("no write succeeded after the promotion; failures: " + failures));
            System.out.printf("failover: %d writes acknowledged, %s failed, writes resumed %d ms after promotion%n",
                    acknowledged.size(), failures, TimeUnit.NANOSECONDS.toMillis(firstAfter - promotedAt.get()));
            assertThat(Duration.ofNanos(firstAfter - promotedAt.get())).as("writes resumed after promotion")
                    .isLessThan(Duration.ofSeconds(3));
            assertThat(writers()).containsExactly(new ServerAddress(promoted.host(), promoted.port()));

            Set<Long> stored = new HashSet<>();
            for (Map<String, Object> row : promoted.query("SELECT id FROM app.acked")) {
                stored.add(((Number) row.get("id")).longValue());
            }
            Set<Long> lost = new HashSet<>(acknowledged);
            lost.removeAll(stored);
            assertThat(lost).as("acknowledged writes missing on the new primary (failures seen: %s)", failures).isEmpty();
            assertThat(promoted.queryString("SELECT COUNT(*) - COUNT(DISTINCT id) FROM app.acked")).isEqualTo("0");
            assertThat(failures.keySet()).as("writes that never reached a server wait for the new writer, text and prepared alike")
                    .noneMatch(failure -> failure.contains(" 9001 "));
            assertThat(failures.values().stream().mapToInt(Integer::intValue).sum())
                    .as("writes that failed (in flight when the primary died, or beyond the wait): %s", failures)
                    .isLessThanOrEqualTo(WRITERS * 2);
            for (Connection c : idle) {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM app.acked")) {
                    assertThat(rs.next()).as("an idle client opened before the failover still works").isTrue();
                }
            }
        } finally {
            for (Connection c : idle) {
                c.close();
            }
        }
    }
}
