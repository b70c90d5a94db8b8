package io.switchyard.server.console;

import io.switchyard.frontend.SessionRegistry;
import io.switchyard.stats.CommandCounters;
import io.switchyard.stats.ProxyStats;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The last 15 minutes of the console's charts: once a second, the statements finished since the
 * sample before, their latency percentiles, and the client sessions open. Percentiles are read off
 * the latency buckets of {@code stats_mysql_commands_counters} (100 µs … 10 s) by linear
 * interpolation inside the bucket that holds the rank, as Prometheus' {@code histogram_quantile}
 * does with the same buckets, so the console and a Grafana panel agree.
 *
 * <p>Thread-safe: {@link #sample()} runs on the console's timer thread, {@link #samples()} on the
 * HTTP thread; both synchronise on the history.
 */
final class ConsoleHistory {
    /** One sample a second for 15 minutes. */
    static final int CAPACITY = 900;
    static final long INTERVAL_MILLIS = 1_000;

    /**
     * One second of traffic.
     *
     * @param epochMillis when it was taken
     * @param statementsPerSecond statements finished since the previous sample, per second
     * @param p50Micros median latency of those statements; -1 when there were none
     * @param p95Micros 95th percentile; -1 when there were none
     * @param p99Micros 99th percentile; -1 when there were none
     * @param clients client sessions open
     */
    record Sample(long epochMillis, double statementsPerSecond, long p50Micros, long p95Micros, long p99Micros, int clients) {}

    private final ProxyStats stats;
    private final SessionRegistry sessions;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>(CAPACITY);
    private long[] lastBuckets;
    private long lastNanos;

    ConsoleHistory(ProxyStats stats, SessionRegistry sessions) {
        this.stats = stats;
        this.sessions = sessions;
    }

    /** Takes a sample; the first call only sets the baseline. */
    synchronized void sample() {
        long now = System.nanoTime();
        long[] buckets = bucketTotals(stats.commands().snapshot());
        if (lastBuckets != null) {
            long[] delta = new long[buckets.length];
            long count = 0;
            for (int i = 0; i < buckets.length; i++) {
                delta[i] = Math.max(0, buckets[i] - lastBuckets[i]);
                count += delta[i];
            }
            double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
            samples.addLast(new Sample(System.currentTimeMillis(), count / seconds, percentileMicros(delta, 0.50),
                    percentileMicros(delta, 0.95), percentileMicros(delta, 0.99), sessions.size()));
            while (samples.size() > CAPACITY) {
                samples.removeFirst();
            }
        }
        lastBuckets = buckets;
        lastNanos = now;
    }

    /** The samples kept, oldest first. */
    synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    private static long[] bucketTotals(List<CommandCounters.Row> rows) {
        long[] totals = new long[CommandCounters.BUCKET_BOUNDS_US.length + 1];
        for (CommandCounters.Row r : rows) {
            for (int i = 0; i < totals.length; i++) {
                totals[i] += r.buckets()[i];
            }
        }
        return totals;
    }

    /**
     * The {@code q}-quantile of the statements counted in {@code buckets} (counts per bucket of
     * {@link CommandCounters#BUCKET_BOUNDS_US}, the last one unbounded), in microseconds: linear
     * inside the bucket holding the rank; the lower bound (10 s) when the rank falls in the
     * unbounded bucket; -1 when the buckets are empty.
     */
    static long percentileMicros(long[] buckets, double q) {
        long total = 0;
        for (long b : buckets) {
            total += b;
        }
        if (total == 0) {
            return -1;
        }
        double rank = q * total;
        long below = 0;
        long[] bounds = CommandCounters.BUCKET_BOUNDS_US;
        for (int i = 0; i < buckets.length; i++) {
            if (buckets[i] > 0 && below + buckets[i] >= rank) {
                long lower = i == 0 ? 0 : bounds[i - 1];
                if (i == bounds.length) {
                    return lower;
                }
                double within = (rank - below) / buckets[i];
                return Math.round(lower + within * (bounds[i] - lower));
            }
            below += buckets[i];
        }
        return bounds[bounds.length - 1];
    }
}
