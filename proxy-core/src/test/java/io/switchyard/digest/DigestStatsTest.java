package io.switchyard.digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DigestStatsTest {

    private final AtomicLong nowSeconds = new AtomicLong(1_700_000_000L);
    private final InstantSource clock = () -> Instant.ofEpochSecond(nowSeconds.get());

    private static final QueryDigest POINT_SELECT = QueryDigest.of("SELECT c FROM sbtest1 WHERE id=1");
    private static final QueryDigest UPDATE = QueryDigest.of("UPDATE sbtest1 SET k=k+1 WHERE id=1");

    @Test
    void statementsOfOneDigestAddUpInOneRow() {
        DigestStats stats = new DigestStats(100, clock);

        stats.record(1, "sbtest", "app", null, POINT_SELECT, 300, 0, 1, false);
        nowSeconds.addAndGet(5);
        stats.record(1, "sbtest", "app", null, QueryDigest.of("SELECT c FROM sbtest1 WHERE id=2"), 100, 0, 1, false);
        stats.record(1, "sbtest", "app", null, POINT_SELECT, 200, 0, 0, true);

        assertThat(stats.snapshot()).singleElement().satisfies(row -> {
            assertThat(row.hostgroup()).isEqualTo(1);
            assertThat(row.schemaname()).isEqualTo("sbtest");
            assertThat(row.username()).isEqualTo("app");
            assertThat(row.clientAddress()).isEmpty();
            assertThat(row.digest()).isEqualTo(POINT_SELECT.hash());
            assertThat(row.digestHex()).isEqualTo(POINT_SELECT.hashHex());
            assertThat(row.digestText()).isEqualTo("SELECT c FROM sbtest1 WHERE id=?");
            assertThat(row.countStar()).isEqualTo(3);
            assertThat(row.firstSeen()).isEqualTo(1_700_000_000L);
            assertThat(row.lastSeen()).isEqualTo(1_700_000_005L);
            assertThat(row.sumTime()).isEqualTo(600);
            assertThat(row.minTime()).isEqualTo(100);
            assertThat(row.maxTime()).isEqualTo(300);
            assertThat(row.sumRowsSent()).isEqualTo(2);
            assertThat(row.sumRowsAffected()).isZero();
            assertThat(row.errors()).isEqualTo(1);
            assertThat(row.isOverflow()).isFalse();
        });
    }

    @Test
    void hostgroupSchemaUserAndClientEachSeparateRows() {
        DigestStats stats = new DigestStats(100, clock);

        stats.record(1, "sbtest", "app", null, UPDATE, 10, 1, 0, false);
        stats.record(2, "sbtest", "app", null, UPDATE, 10, 1, 0, false);
        stats.record(1, "other", "app", null, UPDATE, 10, 1, 0, false);
        stats.record(1, "sbtest", "report", null, UPDATE, 10, 1, 0, false);
        stats.record(1, "sbtest", "app", "10.0.0.7", UPDATE, 10, 1, 0, false);
        stats.record(1, null, "app", null, UPDATE, 10, 1, 0, false);
        stats.record(1, "", "app", "", UPDATE, 10, 1, 0, false);

        assertThat(stats.snapshot()).hasSize(6)
                .allSatisfy(row -> assertThat(row.sumRowsAffected()).isPositive());
        assertThat(stats.size()).isEqualTo(6);
    }

    @Test
    void fullTableCountsNewDigestsInTheOverflowRowAndKeepsCountingOldOnes() {
        DigestStats stats = new DigestStats(2, clock);
        stats.record(1, "s", "u", null, POINT_SELECT, 10, 0, 1, false);
        stats.record(1, "s", "u", null, UPDATE, 10, 1, 0, false);

        stats.record(1, "s", "u", null, QueryDigest.of("DELETE FROM t WHERE id=1"), 50, 1, 0, false);
        stats.record(2, "s", "u", null, QueryDigest.of("SELECT 1"), 70, 0, 1, false);
        stats.record(1, "s", "u", null, POINT_SELECT, 10, 0, 1, false);

        List<DigestRow> rows = stats.snapshot();
        assertThat(rows).hasSize(3);
        assertThat(stats.size()).isEqualTo(2);
        assertThat(rows).filteredOn(r -> r.digest() == POINT_SELECT.hash())
                .singleElement().extracting(DigestRow::countStar).isEqualTo(2L);
        assertThat(rows.get(rows.size() - 1)).satisfies(overflow -> {
            assertThat(overflow.isOverflow()).isTrue();
            assertThat(overflow.hostgroup()).isEqualTo(DigestStats.OVERFLOW_HOSTGROUP);
            assertThat(overflow.digestText()).isEqualTo(DigestStats.OVERFLOW_TEXT);
            assertThat(overflow.countStar()).isEqualTo(2);
            assertThat(overflow.sumTime()).isEqualTo(120);
            assertThat(overflow.minTime()).isEqualTo(50);
            assertThat(overflow.maxTime()).isEqualTo(70);
            assertThat(overflow.firstSeen()).isEqualTo(1_700_000_000L);
        });
    }

    @Test
    void overflowRowIsAbsentWhileTheTableHasRoom() {
        DigestStats stats = new DigestStats(2, clock);
        stats.record(1, "s", "u", null, POINT_SELECT, 10, 0, 1, false);

        assertThat(stats.snapshot()).noneMatch(DigestRow::isOverflow);
    }

    @Test
    void snapshotAndResetReturnsTheRowsAndStartsAnEmptyTable() {
        DigestStats stats = new DigestStats(1, clock);
        stats.record(1, "s", "u", null, POINT_SELECT, 10, 0, 1, false);
        stats.record(1, "s", "u", null, UPDATE, 10, 1, 0, false);

        List<DigestRow> before = stats.snapshotAndReset();

        assertThat(before).hasSize(2);
        assertThat(stats.snapshot()).isEmpty();
        assertThat(stats.size()).isZero();
        stats.record(1, "s", "u", null, UPDATE, 10, 1, 0, false);
        assertThat(stats.snapshot()).singleElement()
                .satisfies(row -> assertThat(row.isOverflow()).isFalse());
    }

    @Test
    void resetForgetsEverything() {
        DigestStats stats = new DigestStats(10, clock);
        stats.record(1, "s", "u", null, POINT_SELECT, 10, 0, 1, false);

        stats.reset();

        assertThat(stats.snapshot()).isEmpty();
    }

    @Test
    void snapshotRowsAreACopyUnaffectedByLaterRecords() {
        DigestStats stats = new DigestStats(10, clock);
        stats.record(1, "s", "u", null, POINT_SELECT, 10, 0, 1, false);
        List<DigestRow> snapshot = stats.snapshot();

        stats.record(1, "s", "u", null, POINT_SELECT, 10, 0, 1, false);

        assertThat(snapshot.get(0).countStar()).isEqualTo(1);
        assertThat(stats.snapshot().get(0).countStar()).isEqualTo(2);
    }

    @Test
    void concurrentRecordsFromManyThreadsAreAllCounted() throws InterruptedException {
        DigestStats stats = new DigestStats(50, clock);
        int threads = 8;
        int perThread = 20_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    QueryDigest d = i % 2 == 0 ? POINT_SELECT : QueryDigest.of("SELECT " + (i % 100) + " AS c" + (i % 100));
                    stats.record(1, "s", "u", null, d, 1 + id, 0, 1, false);
                }
            }));
        }
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }

        List<DigestRow> rows = stats.snapshot();
        assertThat(rows.stream().mapToLong(DigestRow::countStar).sum()).isEqualTo((long) threads * perThread);
        assertThat(rows.stream().mapToLong(DigestRow::sumRowsSent).sum()).isEqualTo((long) threads * perThread);
        assertThat(stats.size()).isEqualTo(50);
        assertThat(rows).hasSize(51);
        DigestRow select = rows.stream().filter(r -> r.digest() == POINT_SELECT.hash()).findFirst().orElseThrow();
        assertThat(select.countStar()).isEqualTo((long) threads * perThread / 2);
        assertThat(select.minTime()).isEqualTo(1);
        assertThat(select.maxTime()).isEqualTo(threads);
    }

    @Test
    void tableSizeBelowOneIsRejected() {
        assertThatThrownBy(() -> new DigestStats(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxEntries");
    }
}
