package io.switchyard.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.frontend.SessionRegistry;
import io.switchyard.stats.CommandCounters;
import io.switchyard.stats.ProxyStats;
import io.switchyard.stats.StatementKind;
import org.junit.jupiter.api.Test;

/** The console's percentiles read off the latency buckets, and the samples of the charts. */
class ConsoleHistoryTest {
    private static long[] buckets(long... counts) {
        long[] b = new long[CommandCounters.BUCKET_BOUNDS_US.length + 1];
        System.arraycopy(counts, 0, b, 0, counts.length);
        return b;
    }

    @Test
    void aPercentileIsInterpolatedInsideTheBucketHoldingItsRank() {
        // 100 statements: 50 under 100 µs, 50 between 100 and 500 µs.
        long[] b = buckets(50, 50);
        assertThat(ConsoleHistory.percentileMicros(b, 0.50)).isEqualTo(100);
        assertThat(ConsoleHistory.percentileMicros(b, 0.25)).isEqualTo(50);
        assertThat(ConsoleHistory.percentileMicros(b, 0.75)).isEqualTo(300);
        assertThat(ConsoleHistory.percentileMicros(b, 0.99)).isEqualTo(492);
    }

    @Test
    void emptyBucketsHaveNoPercentileAndTheUnboundedBucketAnswersItsLowerBound() {
        assertThat(ConsoleHistory.percentileMicros(buckets(), 0.5)).isEqualTo(-1);
        long[] slow = buckets();
        slow[slow.length - 1] = 3;
        assertThat(ConsoleHistory.percentileMicros(slow, 0.99)).isEqualTo(10_000_000);
        long[] skipping = buckets(0, 0, 0, 10);
        assertThat(ConsoleHistory.percentileMicros(skipping, 0.5)).as("between 1 ms and 5 ms").isEqualTo(3_000);
    }

    @Test
    void eachSampleCountsTheStatementsSinceTheOneBefore() throws Exception {
        ProxyStats stats = new ProxyStats(10);
        ConsoleHistory history = new ConsoleHistory(stats, new SessionRegistry());
        history.sample();
        assertThat(history.samples()).as("the first call sets the baseline").isEmpty();
        for (int i = 0; i < 40; i++) {
            stats.commands().record(StatementKind.SELECT, 2_000);
        }
        Thread.sleep(100);
        history.sample();
        history.sample();
        assertThat(history.samples()).hasSize(2);
        ConsoleHistory.Sample busy = history.samples().get(0);
        assertThat(busy.statementsPerSecond()).isPositive().isLessThanOrEqualTo(400);
        assertThat(busy.p50Micros()).isEqualTo(3_000);
        assertThat(busy.p99Micros()).isBetween(1_000L, 5_000L);
        ConsoleHistory.Sample idle = history.samples().get(1);
        assertThat(idle.statementsPerSecond()).isZero();
        assertThat(idle.p95Micros()).isEqualTo(-1);
    }

    @Test
    void fifteenMinutesOfSamplesAreKept() {
        ConsoleHistory history = new ConsoleHistory(new ProxyStats(10), new SessionRegistry());
        for (int i = 0; i <= ConsoleHistory.CAPACITY + 10; i++) {
            history.sample();
        }
        assertThat(history.samples()).hasSize(ConsoleHistory.CAPACITY);
    }
}
